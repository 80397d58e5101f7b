"""LegalSearchLM's model kind and training signal at equal steps: the tiny decoder-only Llama vs the tiny
encoder-decoder T5 ("tiny-t5", as the paper's mT5), each with and without element→element pairs (the paper's
Appendix C, ``SearchLMConfig.element_pairs``). Issue #23; measures, asserts nothing.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/searchlm_t5.py --steps 1000 \
        --runs tiny:0 tiny-t5:0 tiny:0.5 tiny-t5:0.5 [--bench-dir DIR] [--out benchmarks/results/searchlm_t5.json]

Each run (``MODEL:ELEMENT_PAIRS``) trains ``SearchLMConfig`` defaults but for the model, ``element_pairs`` and
``--steps`` (a run already trained under ``work/searchlm_t5/`` is loaded, not trained again), indexes the corpus
and scores dev P@5 (standard qrels) at the retriever's default decoding options on the whole dev split and on the
seeded sample of 100 dev queries that benchmarks/searchlm_learning_curve.py uses. Results are written after every
run, with the 1-minute load average (the machine is shared).
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

from lexlab.legalsearchlm.retrieval import load_or_index, read_records  # noqa: E402
from lexlab.legalsearchlm.retrieval.benchmark import split_queries  # noqa: E402
from lexlab.legalsearchlm.retrieval.evaluation import evaluate_run  # noqa: E402
from lexlab.legalsearchlm.searchlm.oracle import span_diversity  # noqa: E402
from lexlab.legalsearchlm.searchlm.train import SearchLMConfig, train_searchlm  # noqa: E402
from lexlab.workbench import paths  # noqa: E402
from lexlab.workbench.io import read_trec_qrels, trec_id  # noqa: E402


def p5(qrels: dict, run: dict, queries) -> float:
    ids = {trec_id(q["id"]) for q in queries}
    scored = {q: r for q, r in qrels.items() if q in ids}  # the sample only: others would count as zeros
    return round(evaluate_run(scored, run, ["P@5"])["P@5"], 4)


def train(model: str, element_pairs: float, steps: int, corpus) -> tuple[Path, dict]:
    name = f"{model}_ep{element_pairs:g}_{steps}"
    cfg = SearchLMConfig(out_dir=str(paths.work_dir("searchlm_t5", name)), model=model, element_pairs=element_pairs,
                         max_steps=steps, save_steps=steps, report_to="none", progress=False)
    t0 = time.time()
    res = train_searchlm(corpus, cfg)
    losses = [h["loss"] for h in res.log_history if "loss" in h]
    return Path(res.final_dir), {
        "model": model, "element_pairs": element_pairs, "steps": res.global_step, "n_params": res.n_params,
        "seconds": round(time.time() - t0, 1), "train_seconds": round(res.train_seconds, 1),
        "seconds_per_step": round(res.train_seconds / max(1, res.global_step), 3),
        "loss_first": losses[0] if losses else None, "loss_last": losses[-1] if losses else None,
        "pairs": res.extra.get("pairs"), "element_pair_examples": res.extra.get("element_pairs")}


def evaluate(final: Path, corpus, dev, dev100, qrels, bench: str) -> dict:
    slm = load_or_index("searchlm", final.parent / f"index_{bench}", corpus, model=str(final))
    t0 = time.time()
    run = slm.search(dev, k=5)
    secs = time.time() - t0
    div = span_diversity({q: [s.text.strip() for s in ss] for q, ss in slm.last_spans.items()})
    return {"dev_P@5": p5(qrels, run, dev), "dev100_P@5": p5(qrels, run, dev100),
            "search_s_per_query": round(secs / len(dev), 3), "distinct_spans": div["distinct_spans"],
            "top_span_is_global_top": round(div["top_span_is_global_top"], 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench-dir", default="", help="default: work/legar/<benchmark>")
    ap.add_argument("--benchmark", default="legar")
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--runs", nargs="+", default=["tiny:0", "tiny-t5:0", "tiny:0.5", "tiny-t5:0.5"])
    ap.add_argument("--out", default=str(REPO / "benchmarks/results/searchlm_t5.json"))
    a = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    bdir = Path(a.bench_dir) if a.bench_dir else paths.work_dir("legar", a.benchmark)
    corpus = read_records(bdir / "corpus.jsonl")
    queries = read_records(bdir / "queries.jsonl")
    qrels = read_trec_qrels(bdir / "qrels.standard.trec")
    dev, dev100 = split_queries(queries, "dev")[1], split_queries(queries, "dev", 100, seed=0)[1]
    out = {"steps": a.steps, "dev_queries": len(dev), "dev100_queries": len(dev100), "torch_threads": 1,
           "machine": "2 CPU cores shared with other agents' jobs", "runs": []}
    for spec in a.runs:
        model, share = spec.split(":")
        final, row = train(model, float(share), a.steps, corpus)
        row.update(evaluate(final, corpus, dev, dev100, qrels, a.benchmark), load_avg_1m=os.getloadavg()[0])
        out["runs"].append(row)
        print(row, flush=True)
        Path(a.out).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
