"""LegalSearchLM's article match (issue #23): where the loss is, and its weights chosen on dev (measures, asserts
nothing).

    nice -n 10 python benchmarks/searchlm_article_grid.py --model work/retrieval/<searchlm>/final \
        [--split dev] [--out benchmarks/results/searchlm_article_grid_<split>.json]

Generates every query's spans once (the retriever's defaults), then

* how well the model names the query case's applied articles: the share of queries whose most probable
  generated article is one of them (``article_top1``), that have one of them among the generated ones
  (``article_any``), and the mean number of distinct articles generated;
* P@5 (standard qrels) of the ranking over a grid of ``article_weight`` (0: the paper's span ranking) x
  ``head_weight`` x ``article_top`` x article feedback (``feedback_depth``, ``feedback_weight``);
* the five best fused with BM25 (tuned defaults): RRF, linear and BM25's top 50 re-ranked (``rerank``);
* the oracle of the same ranking: the query's gold articles at probability 1 in place of the generated ones.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
os.environ.setdefault("LEXLAB_NO_PROGRESS", "1")

from lexlab.legalsearchlm.retrieval import get_retriever, load_or_index  # noqa: E402
from lexlab.legalsearchlm.retrieval.benchmark import read_benchmark  # noqa: E402
from lexlab.legalsearchlm.retrieval.bm25 import DEFAULT_OPTIONS  # noqa: E402
from lexlab.legalsearchlm.retrieval.hybrid import fuse  # noqa: E402
from lexlab.legalsearchlm.searchlm.articles import span_articles, with_articles  # noqa: E402
from lexlab.legalsearchlm.searchlm.scoring import span_scores  # noqa: E402
from searchlm_article_oracle import p5, top_run  # noqa: E402  (the same scoring and cut as the oracle)

HEAD_WEIGHTS = (0.0, 3.0, 10.0)
ARTICLE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)
ARTICLE_TOPS = (0, 1, 3)
FEEDBACK = [(0, 0.0)] + [(d, w) for d in (5, 10, 20) for w in (0.5, 1.0, 2.0)]
FUSIONS = ([("rrf", w) for w in (0.25, 0.5, 1.0)] + [("linear", w) for w in (0.25, 0.5, 1.0, 2.0)]
           + [("rerank", w) for w in (0.25, 0.5, 1.0, 2.0)])


def naming(queries, keys_by_q) -> dict:
    top1 = [bool(k) and max(k, key=k.get) in q["articles"] for q, k in zip(queries, keys_by_q)]
    anyk = [bool(set(k) & set(q["articles"])) for q, k in zip(queries, keys_by_q)]
    return {"article_top1": round(float(np.mean(top1)), 4), "article_any": round(float(np.mean(anyk)), 4),
            "articles_per_query": round(float(np.mean([len(k) for k in keys_by_q])), 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--benchmark", default="legar")
    ap.add_argument("--split", default="dev")
    ap.add_argument("--max-queries", type=int, default=0)
    ap.add_argument("--opt", nargs="*", default=[], metavar="KEY=VALUE", help="retriever options, e.g. max_new_tokens=12")
    ap.add_argument("--out")
    a = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    corpus, queries, qrels = read_benchmark(a.benchmark)
    queries = [q for q in queries if q.get("split") == a.split][: a.max_queries or None]
    std = qrels["standard"]
    doc_ids = [str(r["id"]) for r in corpus]
    slm = load_or_index("searchlm", Path(a.model).parent / "index", corpus, model=a.model)
    slm.options.update({k: json.loads(v) for k, v in (o.split("=", 1) for o in a.opt)})
    bm25 = get_retriever("bm25", **DEFAULT_OPTIONS).index(corpus).search(queries, k=100)
    t0 = time.time()
    slm.search(queries, k=5)
    per_q = (time.time() - t0) / len(queries)
    spans = [slm.last_spans[str(q["id"])] for q in queries]
    keys = [span_articles(ss, slm._tok.decode, slm.articles) for ss in spans]  # every article named
    lit = [span_scores(slm.fm, ss, slm.options["max_span_count"], slm.options["span_k1"], slm.options["span_b"])
           for ss in spans]
    out = {"model": a.model, "options": dict(slm.options), "split": a.split, "queries": len(queries),
           "search_s_per_query": round(per_q, 3),
           "bm25": p5(std, bm25), **naming(queries, keys), "grid": [], "oracle": [], "fusion": []}
    gold = [{k: slm.articles.idf(k) for k in q["articles"] if slm.articles.df(k)} for q in queries]
    by_top = {t: [span_articles(ss, slm._tok.decode, slm.articles, t) for ss in spans] for t in ARTICLE_TOPS}

    def run_of(keys_by_q, hw, aw, fd, fw):
        return {q["id"]: top_run(with_articles(s, k, slm.articles, aw, hw, fd, fw), doc_ids, q)
                for q, s, k in zip(queries, lit, keys_by_q)}

    for hw in HEAD_WEIGHTS:
        for aw in ARTICLE_WEIGHTS:
            for t in ARTICLE_TOPS if aw else (0,):
                for fd, fw in FEEDBACK:
                    row = {"head_weight": hw, "article_weight": aw, "article_top": t, "feedback_depth": fd,
                           "feedback_weight": fw, "P@5": p5(std, run_of(by_top[t], hw, aw, fd, fw))}
                    out["grid"].append(row)
            out["oracle"].append({"head_weight": hw, "article_weight": aw,
                                  "P@5": p5(std, run_of(gold, hw, aw, 0, 0.0))})
    for row in sorted(out["grid"], key=lambda r: -r["P@5"])[:5]:
        run = run_of(by_top[row["article_top"]], row["head_weight"], row["article_weight"], row["feedback_depth"],
                     row["feedback_weight"])
        for f, w in FUSIONS:
            fused = {q: fuse([bm25[q], run.get(q, [])], [1.0, w], f, k=5) for q in bm25}
            out["fusion"].append({**row, "fusion": f, "weight": w, "fused P@5": p5(std, fused)})
    out["best"] = max(out["grid"], key=lambda r: r["P@5"])
    out["best_fusion"] = max(out["fusion"], key=lambda r: r["fused P@5"])
    path = Path(a.out or REPO / f"benchmarks/results/searchlm_article_grid_{a.split}.json")
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: out[k] for k in ("bm25", "article_top1", "article_any", "articles_per_query", "best",
                                          "best_fusion")}, ensure_ascii=False))


if __name__ == "__main__":
    main()
