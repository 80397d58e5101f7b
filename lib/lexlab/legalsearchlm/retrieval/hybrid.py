"""Hybrid retrieval — **our addition, not the LegalSearchLM paper's method**: fuse BM25 with LegalSearchLM.

A legal-AI team would use the best of both: BM25 matches the query's words, LegalSearchLM the legal elements
it generates. Each component retrieves ``depth`` candidates and the rankings are fused:

* ``rrf`` (default) — reciprocal-rank fusion, score(d) = sum over components of weight_c / (rrf_k + rank_c(d));
* ``linear`` — each component's scores min-max normalised per query, then weight_c × score summed;
* ``rerank`` — the first component's top ``rerank_depth`` candidates only (BM25's top 50 by default), re-ordered
  by the ``linear`` sum: the others re-rank, they add no candidate.

``components`` is a list of ``{"method": name, **options}`` (default: BM25 with its defaults and LegalSearchLM
with ``model``), ``weights`` one weight per component (default: `DEFAULT_WEIGHTS` for the default pair, chosen on
the dev split by ``benchmarks/searchlm_dev_grid.py``; all 1 for components of your own). Saving writes each
component's index to ``<dir>/component<i>``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal, Mapping, Sequence

from lexlab.legalsearchlm.retrieval.base import Retriever, get_retriever, register

Fusion = Literal["rrf", "linear", "rerank"]
FUSIONS = ("rrf", "linear", "rerank")
# BM25 and LegalSearchLM by RRF (k = 60), LegalSearchLM at half BM25's weight: the best dev fusion with the
# article-matching LegalSearchLM (benchmarks/results/searchlm_article_grid_dev.json: dev P@5 0.345 vs BM25 0.300;
# at a quarter 0.343); equal weights let the weaker component pull BM25 down. Tuned for fusion="rrf", rrf_k=60;
# with other fusion settings pass weights of your own.
DEFAULT_WEIGHTS: tuple[float, float] = (1.0, 0.5)


def fuse(rankings: Sequence[Sequence[tuple[str, float]]], weights: Sequence[float], fusion: Fusion = "rrf",
         rrf_k: float = 60.0, k: int | None = None, rerank_depth: int = 50) -> list[tuple[str, float]]:
    """One fused ranking of one query from several components' rankings (best first), ties broken by id."""
    if len(rankings) != len(weights):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    if fusion == "rerank":
        pool = {d for d, _ in rankings[0][:rerank_depth]}
        rankings = [[(d, s) for d, s in hits if d in pool] for hits in rankings]
        fusion = "linear"
    scores: dict[str, float] = {}
    for hits, w in zip(rankings, weights):
        if not hits:
            continue
        if fusion == "rrf":
            for rank, (d, _) in enumerate(hits, start=1):
                scores[d] = scores.get(d, 0.0) + w / (rrf_k + rank)
        elif fusion == "linear":
            vals = [s for _, s in hits]
            lo, hi = min(vals), max(vals)
            for d, s in hits:
                scores[d] = scores.get(d, 0.0) + w * ((s - lo) / (hi - lo) if hi > lo else 1.0)
        else:
            raise ValueError(f"fusion must be one of {FUSIONS}, not {fusion!r}")
    fused = sorted(scores.items(), key=lambda x: (-x[1], x[0]))
    return fused if k is None else fused[:k]


@register("hybrid")
class HybridRetriever(Retriever):
    """Fusion of component retrievers (module docstring); options: model, components, weights, fusion, rrf_k,
    depth, rerank_depth."""

    def __init__(self, model: str | None = None, components: Sequence[Mapping] | None = None,
                 weights: Sequence[float] | None = None, fusion: Fusion = "rrf", rrf_k: float = 60.0,
                 depth: int = 100, rerank_depth: int = 50, **kw):
        if components is None:
            from lexlab.legalsearchlm.retrieval.bm25 import DEFAULT_OPTIONS

            components = [{"method": "bm25", **DEFAULT_OPTIONS}, {"method": "searchlm", "model": model}]
            weights = DEFAULT_WEIGHTS if weights is None else weights
        components = [dict(c) for c in components]
        if any("method" not in c for c in components) or not components:
            raise ValueError("hybrid: every component needs a 'method'")
        weights = [1.0] * len(components) if weights is None else [float(w) for w in weights]
        if len(weights) != len(components):
            raise ValueError(f"hybrid: {len(components)} components but {len(weights)} weights")
        if fusion not in FUSIONS:
            raise ValueError(f"hybrid: fusion must be one of {FUSIONS}, not {fusion!r}")
        super().__init__(model=model, components=components, weights=weights, fusion=fusion, rrf_k=float(rrf_k),
                         depth=int(depth), rerank_depth=int(rerank_depth), **kw)
        self.parts: list[Retriever] = []

    def _make_parts(self) -> list[Retriever]:
        return [get_retriever(c["method"], **{k: v for k, v in c.items() if k != "method"})
                for c in self.options["components"]]

    def _index(self, texts, records) -> None:
        self.parts = [p.index(records) for p in self._make_parts()]

    def _search(self, texts, ks, queries):
        depth = self.options["depth"]
        runs = [p.search(queries, k=max(depth, max(ks))) for p in self.parts]
        o = self.options
        return [fuse([run[str(q["id"])] for run in runs], o["weights"], o["fusion"], o["rrf_k"], k,
                     o.get("rerank_depth", 50)) for q, k in zip(queries, ks)]

    def _save(self, path: Path) -> None:
        for i, p in enumerate(self.parts):
            p.save(path / f"component{i}")

    def _load(self, path: Path) -> None:
        self.parts = [Retriever.load(path / f"component{i}") for i in range(len(self.options["components"]))]
        for part, c in zip(self.parts, self.options["components"]):
            part.options.update({k: v for k, v in c.items() if k != "method"})
