"""An FM-index in shards, built and searched as Ray tasks (or one after another here), ranked exactly as one index.

The paper's corpus (1.2M decisions, about 3.6B tokens) does not fit one machine's memory as one index: it is cut
into shards of whole documents, each built by its own task (one suffix sort, memory bounded by the shard) and saved
as one ``FMIndex`` file. A search sends every shard the distinct spans of a batch of queries; each shard answers,
per span, the documents that contain it and how often (``FMIndex.term_frequencies``), with its document ids made
global. The answers are concatenated in shard order — a document lives in exactly one shard, so the result is the
single index's ``(docs, tf)`` — and the ranking is ``scoring.rank_documents`` itself, over an object that has the
single index's ``term_frequencies``, ``doc_lengths`` and ``n_tokens``: the same spans, weights, saturation and
tie-breaking, so the ranking equals the one-index ranking (``tests/legalsearchlm/searchlm/test_sharded.py``).

Shard files must be on storage every worker reads (one machine, or a shared file system / object-store mount).
"""
from __future__ import annotations

import json
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from lexlab.legalsearchlm.searchlm.fm_index import FMIndex
from lexlab.legalsearchlm.searchlm.scoring import SPAN_B, SPAN_K1, rank_documents

MANIFEST = "shards.json"


@dataclass
class ShardInfo:
    path: str
    doc_base: int       # global id of the shard's first document
    n_docs: int
    n_tokens: int
    nbytes: int         # the index's arrays
    seconds: float      # build time
    peak_mb: float      # peak memory numpy allocated while building (tracemalloc)


def shard_bounds(lengths: Sequence[int], n_shards: int) -> list[int]:
    """Document boundaries of ``n_shards`` contiguous shards of about equal token counts."""
    if n_shards < 1:
        raise ValueError(f"n_shards must be >= 1, got {n_shards}")
    cum = np.cumsum(np.asarray(lengths, dtype=np.int64))
    targets = cum[-1] * np.arange(1, n_shards) / n_shards if len(cum) else []
    cuts = np.searchsorted(cum, targets, side="left") + 1
    bounds = sorted({0, len(cum), *[int(c) for c in cuts if 0 < c < len(cum)]})
    return bounds


def build_shard(docs: Sequence[Sequence[int]], vocab_size: int, sample_rate: int, path: str, doc_base: int
                ) -> ShardInfo:
    """One shard: an ``FMIndex`` over ``docs`` saved to ``path`` (what a build task runs)."""
    started = time.perf_counter()
    tracemalloc.start()
    try:
        fm = FMIndex.from_documents(docs, vocab_size=vocab_size, sample_rate=sample_rate)
        fm.save(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return ShardInfo(str(path), doc_base, fm.n_docs, fm.n_tokens, fm.nbytes, time.perf_counter() - started,
                     peak / 2**20)


def build_sharded(docs: Sequence[Sequence[int]], out_dir: str | Path, n_shards: int, *, vocab_size: int,
                  sample_rate: int = 16, use_ray: bool = False) -> "ShardedIndex":
    """Build ``n_shards`` shards into ``out_dir`` (one Ray task each with ``use_ray``) and write the manifest."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    bounds = shard_bounds([len(d) for d in docs], n_shards)
    jobs = [([np.asarray(d) for d in docs[a:b]], vocab_size, sample_rate, str(out / f"shard-{i:04d}.fmi"), a)
            for i, (a, b) in enumerate(zip(bounds, bounds[1:]))]
    if use_ray:
        import ray

        task = ray.remote(num_cpus=1, max_retries=1)(build_shard)
        infos = ray.get([task.remote(*job) for job in jobs])
    else:
        infos = [build_shard(*job) for job in jobs]
    (out / MANIFEST).write_text(json.dumps({"vocab_size": vocab_size, "shards": [asdict(i) for i in infos]},
                                           indent=1), encoding="utf-8")
    return ShardedIndex(out)


def shard_term_frequencies(path: str, doc_base: int, spans: Sequence[tuple[int, ...]]
                           ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per span, (global ids of this shard's documents that contain it, how often each does)."""
    fm = FMIndex.load(path, mmap=True, verify=False)
    out = []
    for tokens in spans:
        docs, tf = fm.term_frequencies(list(tokens))
        out.append((docs.astype(np.int64) + doc_base, tf))
    return out


class ShardedIndex:
    """The shards of ``build_sharded`` behind the part of the ``FMIndex`` interface ranking reads."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        manifest = json.loads((self.directory / MANIFEST).read_text(encoding="utf-8"))
        self.vocab_size = int(manifest["vocab_size"])
        self.shards = [ShardInfo(**s) for s in manifest["shards"]]
        self.n_tokens = sum(s.n_tokens for s in self.shards)
        self.n_docs = sum(s.n_docs for s in self.shards)
        self._lengths: np.ndarray | None = None
        self._tf: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}

    @property
    def doc_lengths(self) -> np.ndarray:
        if self._lengths is None:
            self._lengths = np.concatenate([FMIndex.load(s.path, mmap=True, verify=False).doc_lengths
                                            for s in self.shards])
        return self._lengths

    def term_frequencies(self, tokens: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        key = tuple(int(t) for t in tokens)
        if key not in self._tf:
            self.fetch([key])
        return self._tf[key]

    def count(self, tokens: Sequence[int]) -> int:
        return int(self.term_frequencies(tokens)[1].sum())

    def fetch(self, spans: Sequence[tuple[int, ...]], use_ray: bool = False) -> None:
        """Ask every shard about every span not asked yet (one task per shard with ``use_ray``), and merge."""
        todo = list(dict.fromkeys(tuple(int(t) for t in s) for s in spans if tuple(s) not in self._tf))
        if not todo:
            return
        if use_ray:
            import ray

            task = ray.remote(num_cpus=1, max_retries=1)(shard_term_frequencies)
            parts = ray.get([task.remote(s.path, s.doc_base, todo) for s in self.shards])
        else:
            parts = [shard_term_frequencies(s.path, s.doc_base, todo) for s in self.shards]
        for i, tokens in enumerate(todo):  # shards hold ascending, disjoint id ranges: concatenation stays sorted
            self._tf[tokens] = (np.concatenate([p[i][0] for p in parts]), np.concatenate([p[i][1] for p in parts]))

    def search(self, queries: Sequence[Sequence], doc_ids: Sequence[str], k: int, max_span_count: int,
               k1: float = SPAN_K1, b: float = SPAN_B, use_ray: bool = False) -> list[list[tuple[str, float]]]:
        """Rank for a batch of queries (each a list of generated ``Span``s): the shards answer all of the batch's
        spans at once, then each query is ranked by ``scoring.rank_documents``."""
        self.fetch([s.tokens for spans in queries for s in spans if s.count <= max_span_count], use_ray=use_ray)
        return [rank_documents(self, spans, doc_ids, k, max_span_count, k1, b) for spans in queries]
