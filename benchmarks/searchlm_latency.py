"""LegalSearchLM search latency at the default settings, with a profile (issue #10; measures, asserts nothing).

    nice -n 10 python benchmarks/searchlm_latency.py --model work/retrieval/searchlm_curve/final \
        [--queries 20] [--threads 2] [--out benchmarks/results/searchlm_latency.json]

Indexes the benchmark corpus with the model's tokenizer (or loads ``--index``), then times ``search`` on a seeded
sample of test queries at the retriever's default options, once plain and on five of them under cProfile (top
functions by cumulative time in the results file). Target (issue #10): <= 0.25 s per query on 2 CPU cores.
With ``--bm25-run`` (a TREC run of BM25 over the test queries, depth >= 100) it also scores, on the same sample,
LegalSearchLM alone and the hybrid (RRF of the two, our addition) against BM25: P@5, standard qrels.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
os.environ.setdefault("LEXLAB_NO_PROGRESS", "1")

from lexlab.legalsearchlm.retrieval import load_or_index, read_records  # noqa: E402
from lexlab.legalsearchlm.retrieval.benchmark import split_queries  # noqa: E402
from lexlab.workbench import paths  # noqa: E402


def hybrid_scores(slm_run: dict, bm25_path: str, queries: list[dict], bdir: Path) -> dict[str, float]:
    from lexlab.legalsearchlm.retrieval.evaluation import evaluate_run
    from lexlab.legalsearchlm.retrieval.hybrid import fuse
    from lexlab.workbench.io import read_trec_qrels, read_trec_run, trec_id

    qrels = read_trec_qrels(bdir / "qrels.standard.trec")
    ids = {trec_id(q["id"]) for q in queries}
    qrels = {q: r for q, r in qrels.items() if q in ids}
    bm25 = {q: h for q, h in read_trec_run(bm25_path).items() if q in ids}
    slm = {trec_id(q): h for q, h in slm_run.items()}
    runs = {"bm25": bm25, "searchlm": slm}
    for w in (1.0, 0.5, 0.25):
        runs[f"hybrid_rrf_w{w:g}"] = {q: fuse([bm25.get(q, []), slm.get(q, [])], [1.0, w], "rrf") for q in ids}
    return {name: round(evaluate_run(qrels, r, ["P@5"])["P@5"], 4) for name, r in runs.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--index", default="", help="saved searchlm index dir (built and saved there when empty)")
    ap.add_argument("--benchmark", default="legar")
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--opt", nargs="*", default=[], metavar="KEY=VALUE", help="retriever options to override")
    ap.add_argument("--bm25-run", default="", help="TREC run of BM25 on the test queries, for the hybrid")
    ap.add_argument("--out", default=str(REPO / "benchmarks/results/searchlm_latency.json"))
    a = ap.parse_args()
    import torch

    torch.set_num_threads(a.threads)
    bdir = paths.work_dir("legar", a.benchmark)
    corpus = read_records(bdir / "corpus.jsonl")
    test = split_queries(read_records(bdir / "queries.jsonl"), "test", a.queries, seed=0)[1]
    opts = {k: json.loads(v) for k, v in (x.split("=", 1) for x in a.opt)}
    t0 = time.time()
    slm = load_or_index("searchlm", a.index or None, corpus, model=a.model)
    index_s = time.time() - t0
    slm.options.update(model=a.model, **opts)
    slm.search(test[:2], k=5)  # model load, banned-token list, warm caches
    t0 = time.time()
    run = slm.search(test, k=100)
    plain = (time.time() - t0) / len(test)
    prof = cProfile.Profile()
    prof.enable()
    slm.search(test[:5], k=5)  # five queries are enough to see where the time goes
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
    out = {"s_per_query": round(plain, 3), "queries": len(test), "threads": a.threads, "index_s": round(index_s, 1),
           "options": {k: v for k, v in slm.options.items() if k != "model"}, "machine": platform.machine(),
           "cpus": os.cpu_count(), "load_avg_1m": os.getloadavg()[0], "profile_top": buf.getvalue().splitlines()[:60]}
    if a.bm25_run:
        out["p_at_5_on_sample"] = hybrid_scores(run, a.bm25_run, test, bdir)
    Path(a.out).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "profile_top"}, ensure_ascii=False))
    print("\n".join(out["profile_top"][:45]))


if __name__ == "__main__":
    main()
