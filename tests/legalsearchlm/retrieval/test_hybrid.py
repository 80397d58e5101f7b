"""Hybrid retrieval (our addition): fusion arithmetic, and a fused run on the toy corpus with known answers."""
from __future__ import annotations

import pytest

from legalsearchlm import cases
from lexlab.legalsearchlm.retrieval import Retriever, get_retriever
from lexlab.legalsearchlm.retrieval.evaluation import evaluate_run
from lexlab.legalsearchlm.retrieval.hybrid import fuse


def test_rrf_rewards_agreement():
    a = [("d1", 9.0), ("d2", 5.0), ("d3", 1.0)]
    b = [("d2", 0.9), ("d3", 0.8), ("d4", 0.1)]
    fused = fuse([a, b], [1.0, 1.0], "rrf", rrf_k=60)
    assert [d for d, _ in fused] == ["d2", "d3", "d1", "d4"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    # A weight of zero leaves only the other ranking.
    assert [d for d, _ in fuse([a, b], [1.0, 0.0], "rrf")][:3] == ["d1", "d2", "d3"]


def test_linear_fusion_normalises_scores_per_component():
    a = [("d1", 100.0), ("d2", 50.0), ("d3", 0.0)]
    b = [("d3", 1.0), ("d2", 0.9), ("d1", 0.0)]
    fused = dict(fuse([a, b], [1.0, 1.0], "linear"))
    assert fused == pytest.approx({"d1": 1.0, "d2": 0.5 + 0.9, "d3": 1.0})
    with pytest.raises(ValueError):
        fuse([a], [1.0, 2.0])


def test_rerank_reorders_the_first_component_s_top_and_adds_no_candidate():
    bm25 = [("d1", 9.0), ("d2", 8.0), ("d3", 7.0), ("d4", 1.0)]
    slm = [("d5", 5.0), ("d3", 4.0), ("d4", 3.0)]  # d5: not in BM25's top 3
    fused = fuse([bm25, slm], [1.0, 2.0], "rerank", rerank_depth=3)
    assert [d for d, _ in fused] == ["d3", "d1", "d2"]
    assert dict(fused)["d3"] == pytest.approx(0.0 + 2.0)  # bottom of the pool for BM25, top of it for the re-ranker


def _components():
    # Two BM25 views that each get one query type wrong: words alone and character bigrams.
    return [{"method": "bm25", "tokenizer": "word", "k1": 1.2, "b": 0.75},
            {"method": "bm25", "tokenizer": "char2", "k1": 1.2, "b": 0.75}]


@pytest.mark.parametrize("fusion", ["rrf", "linear", "rerank"])
def test_hybrid_on_the_toy_corpus(tmp_path, fusion: str):
    docs, queries = cases.corpus(), cases.queries()
    qrels = cases.qrels(docs)
    hyb = get_retriever("hybrid", components=_components(), fusion=fusion, depth=12).index(docs)
    run = hyb.search(queries, k=3)
    for q in queries:
        ids = [d for d, _ in run[q["id"]]]
        assert q["id"] not in ids and not set(ids) & set(q.get("exclude", []))
        assert all(d.split("-")[0] == q["category"] for d in ids[:2])  # known answers: the query's own kind
    assert evaluate_run(qrels, run, ["P@2"])["P@2"] == pytest.approx(1.0)
    # Saved and loaded, the hybrid ranks the same way.
    hyb.save(tmp_path / "idx")
    again = Retriever.load(tmp_path / "idx")
    assert again.name == "hybrid" and again.search(queries, k=3) == run


def test_hybrid_checks_its_options():
    with pytest.raises(ValueError, match="weights"):
        get_retriever("hybrid", components=_components(), weights=[1.0])
    with pytest.raises(ValueError, match="fusion"):
        get_retriever("hybrid", components=_components(), fusion="max")
