"""LegalSearchLM decoding/scoring options and the hybrid's fusion, chosen on the dev split (issue #10; measures,
asserts nothing).

    nice -n 10 python benchmarks/searchlm_dev_grid.py --model work/retrieval/<searchlm>/final \
        [--split dev] [--out benchmarks/results/searchlm_dev_grid.json]

For each option set (beams, query windows, span saturation ``span_k1``, query-anchored first tokens) it searches
every query of ``--split`` once (depth 100), scores P@5 (standard qrels) and the search time per query (1 torch
thread: on the shared 2-core machine a second thread waits more than it computes), then fuses that run with BM25
(tuned defaults) over a grid of fusions (RRF weight and k, linear weight) — the hybrid is our addition, not the
paper's method. The retriever's and the hybrid's defaults are the best dev rows of this file.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
os.environ.setdefault("LEXLAB_NO_PROGRESS", "1")

from lexlab.legalsearchlm.retrieval import get_retriever, load_or_index, read_records  # noqa: E402
from lexlab.legalsearchlm.retrieval.benchmark import split_queries  # noqa: E402
from lexlab.legalsearchlm.retrieval.evaluation import evaluate_run  # noqa: E402
from lexlab.legalsearchlm.retrieval.hybrid import fuse  # noqa: E402
from lexlab.workbench import paths  # noqa: E402
from lexlab.workbench.io import read_trec_qrels, trec_id  # noqa: E402

OPTION_SETS = [
    {"span_k1": 0.0, "query_windows": 1},      # SEAL's plain sum over the spans a case holds
    {"span_k1": 5.0, "query_windows": 1},
    {"span_k1": 20.0, "query_windows": 1},
    {"span_k1": 20.0, "query_windows": 2},
    {"span_k1": 20.0, "query_windows": 3},
    {"span_k1": 20.0, "query_windows": 3, "num_beams": 20},
    {"span_k1": 20.0, "query_windows": 3, "first_token_from_query": True},
]
FUSIONS = ([("rrf", w, k) for w in (1.0, 0.5, 0.35, 0.25, 0.15) for k in (10, 60)]
           + [("linear", w, 60) for w in (0.5, 0.35, 0.25, 0.15)])


def p5(qrels: dict, run: dict) -> float:
    return round(evaluate_run(qrels, {trec_id(q): list(h)[:5] for q, h in run.items()}, ["P@5"])["P@5"], 4)


def fusion_grid(bm25: dict, slm: dict, qrels: dict) -> list[dict]:
    return [{"fusion": f, "weight": w, "rrf_k": k,
             "P@5": p5(qrels, {q: fuse([bm25[q], slm.get(q, [])], [1.0, w], f, rrf_k=k, k=5) for q in bm25})}
            for f, w, k in FUSIONS]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--benchmark", default="legar")
    ap.add_argument("--split", default="dev")
    ap.add_argument("--out", default=str(REPO / "benchmarks/results/searchlm_dev_grid.json"))
    a = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    bdir = paths.work_dir("legar", a.benchmark)
    corpus = read_records(bdir / "corpus.jsonl")
    queries = split_queries(read_records(bdir / "queries.jsonl"), a.split)[1]
    ids = {trec_id(q["id"]) for q in queries}
    qrels = {q: r for q, r in read_trec_qrels(bdir / "qrels.standard.trec").items() if q in ids}
    bm25 = get_retriever("bm25").index(corpus).search(queries, k=100)
    slm = load_or_index("searchlm", Path(a.model).parent / f"index_{a.benchmark}", corpus, model=a.model)
    base = dict(slm.options)
    rows = []
    for opts in OPTION_SETS:
        slm.options.clear()
        slm.options.update(base, model=a.model, **opts)
        slm.search(queries[:2], k=5)  # warm-up
        t0 = time.time()
        run = slm.search(queries, k=100)
        seconds = (time.time() - t0) / len(queries)
        row = {"options": opts, "searchlm.P@5": p5(qrels, run), "s_per_query": round(seconds, 3)}
        row["fusions"] = fusion_grid(bm25, run, qrels)
        row["best_fusion"] = max(row["fusions"], key=lambda r: r["P@5"])
        rows.append(row)
        print({k: v for k, v in row.items() if k != "fusions"}, flush=True)
    out = {"model": a.model, "split": a.split, "queries": len(queries), "bm25.P@5": p5(qrels, bm25), "rows": rows,
           "load_avg_1m": os.getloadavg()[0]}
    Path(a.out).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
