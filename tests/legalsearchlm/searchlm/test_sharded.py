"""Sharded FM-index: built per shard (here and as Ray tasks), searched per shard, ranked exactly as one index."""
from __future__ import annotations

import numpy as np
import pytest
from raytest import ray_local  # noqa: F401  (fixture)

from lexlab.legalsearchlm.searchlm.decoding import Span
from lexlab.legalsearchlm.searchlm.fm_index import FMIndex
from lexlab.legalsearchlm.searchlm.scoring import rank_documents
from lexlab.legalsearchlm.searchlm.sharded import ShardedIndex, build_sharded, shard_bounds

VOCAB = 300


def _corpus(n_docs: int = 60, seed: int = 0) -> list[np.ndarray]:
    """Documents of Zipf-distributed token ids (frequent and rare spans, varied lengths)."""
    rng = np.random.default_rng(seed)
    return [np.minimum(rng.zipf(1.3, size=rng.integers(20, 200)) + 1, VOCAB - 1) for _ in range(n_docs)]


def _queries(fm: FMIndex, docs: list[np.ndarray], n: int = 12, seed: int = 1) -> list[list[Span]]:
    """Per query, spans cut from random documents with made-up log-probabilities (as a decoder would give)."""
    rng = np.random.default_rng(seed)
    queries = []
    for _ in range(n):
        spans = []
        for _ in range(8):
            doc = docs[rng.integers(len(docs))]
            start, length = rng.integers(len(doc) - 4), rng.integers(1, 5)
            tokens = tuple(int(t) for t in doc[start:start + length])
            spans.append(Span(tokens, float(-rng.uniform(0.05, 6.0)), fm.count(list(tokens))))
        queries.append(spans)
    return queries


def test_shard_bounds_cut_whole_documents_into_about_equal_token_counts():
    assert shard_bounds([10] * 12, 4) == [0, 3, 6, 9, 12]
    assert shard_bounds([10] * 8 + [40], 4) == [0, 3, 6, 9]  # the long last document fills a shard alone
    assert shard_bounds([5, 5], 4) == [0, 1, 2]  # never an empty shard
    with pytest.raises(ValueError):
        shard_bounds([5], 0)


def _assert_same_ranking(sharded: ShardedIndex, fm: FMIndex, docs, use_ray: bool) -> None:
    ids = [f"case{i}" for i in range(len(docs))]
    queries = _queries(fm, docs)
    expected = [rank_documents(fm, spans, ids, k=10, max_span_count=400) for spans in queries]
    got = sharded.search(queries, ids, k=10, max_span_count=400, use_ray=use_ray)
    assert got == expected  # ids, order and scores bit for bit
    assert sum(len(r) for r in got) > 40  # the queries do rank documents
    assert sharded.n_tokens == fm.n_tokens and np.array_equal(sharded.doc_lengths, fm.doc_lengths)


def test_sharded_ranking_equals_the_single_index_ranking(tmp_path):
    docs = _corpus()
    fm = FMIndex.from_documents(docs, vocab_size=VOCAB)
    sharded = build_sharded(docs, tmp_path / "idx", 4, vocab_size=VOCAB)
    assert len(sharded.shards) == 4 and sharded.n_docs == len(docs)
    assert [s.doc_base for s in sharded.shards] == shard_bounds([len(d) for d in docs], 4)[:-1]
    _assert_same_ranking(ShardedIndex(tmp_path / "idx"), fm, docs, use_ray=False)  # reloaded from its manifest


def test_shards_built_and_searched_as_ray_tasks_rank_as_the_single_index(tmp_path, ray_local):
    docs = _corpus(seed=3)
    fm = FMIndex.from_documents(docs, vocab_size=VOCAB)
    sharded = build_sharded(docs, tmp_path / "idx", 4, vocab_size=VOCAB, use_ray=True)
    assert all(s.peak_mb > 0 and s.nbytes > 0 for s in sharded.shards)
    _assert_same_ranking(sharded, fm, docs, use_ray=True)
