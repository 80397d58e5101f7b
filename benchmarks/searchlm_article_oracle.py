"""Oracle of the applied-article design (issue #23; measures, asserts nothing).

    nice -n 10 python benchmarks/searchlm_article_oracle.py [--benchmark legar] [--out benchmarks/results/searchlm_article_oracle.json]

Each dev/test query is given its own substantive applied articles (the benchmark's ``articles``: perfect
generation of the article element) and the corpus is ranked by the cases that state them
(`lexlab.legalsearchlm.searchlm.articles`):

* ``anywhere``      — a case stating the article anywhere in its text scores the article's idf;
* ``head``          — only a statement in the head (first 600 characters: the 판시사항) counts;
* ``head_w<h>``     — anywhere, a head statement weighing 1 + h;

each alone and fused with BM25 (the project's tuned defaults, top 100): linear (BM25 min-max normalised + λ ×
article score normalised, λ chosen on dev) and BM25's top 50 re-ranked the same way. P@5 on dev and test.
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
from lexlab.legalsearchlm.searchlm.articles import ArticleIndex, article_scores  # noqa: E402

HEAD_WEIGHTS = (0.0, 1.0, 3.0, 10.0)
LAMBDAS = (0.1, 0.25, 0.5, 1.0, 2.0)


def p5(qrels, run) -> float:
    """Mean P@5 over the run's queries (a query of the run without a hit scores 0)."""
    vals = per_query_cut({q: qrels[q] for q in run if q in qrels}, run, "P@5")
    return float(np.mean(list(vals.values()))) if vals else 0.0


def article_run(queries, index: ArticleIndex, doc_ids, head_weight: float, head_only: bool = False, k: int = 100):
    out = {}
    for q in queries:
        keys = {a: index.idf(a) for a in q["articles"]}
        if head_only:
            scores = article_scores(keys, index, 1e6) - article_scores(keys, index, 0.0)
        else:
            scores = article_scores(keys, index, head_weight)
        excl = excluded_ids(q)
        top = [d for d in np.argsort(-scores, kind="stable")[: k + len(excl)] if scores[d] > 0
               and doc_ids[d] not in excl][:k]
        out[q["id"]] = [(doc_ids[d], float(scores[d])) for d in top]
    return out


def fuse(bm25_run, art_run, lam: float, rerank_depth: int = 0):
    """BM25 scores min-max normalised + lam x article scores normalised; rerank_depth > 0: BM25's top only."""
    out = {}
    for q, hits in bm25_run.items():
        hits = hits[:rerank_depth] if rerank_depth else hits
        b = dict(hits)
        a = dict(art_run.get(q, []))
        docs = set(b) if rerank_depth else set(b) | set(a)
        bl, bh = (min(b.values()), max(b.values())) if b else (0, 1)
        ah = max(a.values()) if a else 1.0
        score = {d: (b.get(d, bl) - bl) / ((bh - bl) or 1) + lam * a.get(d, 0.0) / ah for d in docs}
        out[q] = sorted(score.items(), key=lambda x: (-x[1], x[0]))[:100]
    return out


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
                rows[f"bm25 + articles head_w{hw:g} lam{lam:g}"] = p5(std, fuse(b, art, lam))
                rows[f"bm25 top50 reranked head_w{hw:g} lam{lam:g}"] = p5(std, fuse(b, art, lam, 50))
        head = article_run(qs, index, doc_ids, 0.0, head_only=True)
        rows["articles head only"] = p5(std, head)
        for lam in LAMBDAS:
            rows[f"bm25 + articles head only lam{lam:g}"] = p5(std, fuse(b, head, lam))
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
