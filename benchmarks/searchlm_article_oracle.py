"""Oracle of the applied-article design (issue #23; measures, asserts nothing).

    nice -n 10 python benchmarks/searchlm_article_oracle.py [--benchmark legar] [--out benchmarks/results/searchlm_article_oracle.json]

Each dev/test query is given its own substantive applied articles (the benchmark's ``articles``: perfect
generation of the article element) and the corpus is ranked by the cases that state them
(`lexlab.legalsearchlm.searchlm.articles`):

* ``anywhere``      — a case stating the article anywhere in its text scores the article's idf;
* ``head``          — only a statement in the head (first 600 characters: the 판시사항) counts;
* ``head_w<h>``     — anywhere, a head statement weighing 1 + h;

each alone and fused with BM25 (the project's tuned defaults, top 100) by the hybrid's fusion
(`retrieval.hybrid.fuse`): linear (each min-max normalised, the articles at weight λ, chosen on dev) and BM25's
top 50 re-ranked the same way. P@5 on dev and test.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))

from lexlab.legalsearchlm.retrieval import get_retriever  # noqa: E402
from lexlab.legalsearchlm.retrieval.base import excluded_ids  # noqa: E402
from lexlab.legalsearchlm.retrieval.benchmark import read_benchmark  # noqa: E402
from lexlab.legalsearchlm.retrieval.bm25 import DEFAULT_OPTIONS  # noqa: E402
from lexlab.legalsearchlm.retrieval.evaluation import per_query_cut  # noqa: E402
from lexlab.legalsearchlm.retrieval.hybrid import fuse  # noqa: E402
from lexlab.legalsearchlm.searchlm.articles import ArticleIndex, article_scores  # noqa: E402

HEAD_WEIGHTS = (0.0, 1.0, 3.0, 10.0)
LAMBDAS = (0.1, 0.25, 0.5, 1.0, 2.0)


def p5(qrels, run) -> float:
    """Mean P@5 over the run's queries (a query of the run without a hit scores 0)."""
    vals = per_query_cut({q: qrels[q] for q in run if q in qrels}, run, "P@5")
    return float(np.mean(list(vals.values()))) if vals else 0.0


def top_run(scores: np.ndarray, doc_ids, q, k: int = 100) -> list[tuple[str, float]]:
    """One query's ``k`` best-scoring cases with a score above 0, its own id and ``exclude`` left out."""
    excl = excluded_ids(q)
    order = np.argsort(-scores, kind="stable")[: k + len(excl)]
    return [(doc_ids[d], float(scores[d])) for d in order if scores[d] > 0 and doc_ids[d] not in excl][:k]


def article_run(queries, index: ArticleIndex, doc_ids, head_weight: float, head_only: bool = False, k: int = 100):
    """Each query ranked by the idf of its own applied articles the cases state (``head_only``: in the head)."""
    out = {}
    for q in queries:
        keys = {a: index.idf(a) for a in q["articles"]}
        scores = article_scores(keys, index, head_weight)
        if head_only:  # the head's part alone: (1 + h) x w minus the 1 x w every stating case gets
            scores = article_scores(keys, index, 1.0) - article_scores(keys, index, 0.0)
        out[q["id"]] = top_run(scores, doc_ids, q, k)
    return out


def fused(bm25_run, art_run, lam: float, fusion: str = "linear"):
    """BM25 and the article run by the hybrid's own fusion (`retrieval.hybrid.fuse`): linear, or rerank (BM25's
    top 50 re-ordered)."""
    return {q: fuse([hits, art_run.get(q, [])], [1.0, lam], fusion, k=100) for q, hits in bm25_run.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--benchmark", default="legar")
    ap.add_argument("--out", default=str(REPO / "benchmarks/results/searchlm_article_oracle.json"))
    a = ap.parse_args()
    t0 = time.time()
    corpus, queries, qrels = read_benchmark(a.benchmark)
    doc_ids = [str(r["id"]) for r in corpus]
    index = ArticleIndex.from_texts([r["text"] for r in corpus], progress=True)
    print(f"article index: {time.time() - t0:.0f}s", file=sys.stderr)
    bm25 = get_retriever("bm25", **DEFAULT_OPTIONS).index(corpus)
    splits = {s: [q for q in queries if q.get("split") == s] for s in ("dev", "test")}
    result = {"benchmark": a.benchmark, "queries": {s: len(v) for s, v in splits.items()}, "rows": []}
    std = qrels["standard"]
    for split, qs in splits.items():
        b = bm25.search(qs, k=100)
        rows = {"bm25": p5(std, b)}
        for hw in HEAD_WEIGHTS:
            art = article_run(qs, index, doc_ids, hw)
            rows[f"articles head_w{hw:g}"] = p5(std, art)
            for lam in LAMBDAS:
                rows[f"bm25 + articles head_w{hw:g} lam{lam:g}"] = p5(std, fused(b, art, lam))
                rows[f"bm25 top50 reranked head_w{hw:g} lam{lam:g}"] = p5(std, fused(b, art, lam, "rerank"))
        head = article_run(qs, index, doc_ids, 0.0, head_only=True)
        rows["articles head only"] = p5(std, head)
        for lam in LAMBDAS:
            rows[f"bm25 + articles head only lam{lam:g}"] = p5(std, fused(b, head, lam))
        result["rows"].append({"split": split, **{k: round(v, 4) for k, v in rows.items()}})
        print(split, json.dumps({k: round(v, 3) for k, v in rows.items()}, ensure_ascii=False, indent=0))
    dev = result["rows"][0]
    best = max((k for k in dev if k.startswith("bm25 ")), key=dev.get)
    result["chosen_on_dev"] = {"design": best, "dev": dev[best], "test": result["rows"][1][best],
                               "bm25_test": result["rows"][1]["bm25"]}
    result["seconds"] = round(time.time() - t0, 1)
    Path(a.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result["chosen_on_dev"], ensure_ascii=False))


if __name__ == "__main__":
    main()
