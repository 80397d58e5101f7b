"""P@5 tables of saved retrieval runs: overall and per crime category (the paper's Table 3/4 shape), and each
run's difference to BM25 with a paired bootstrap interval (issue #10; measures, asserts nothing).

    python benchmarks/searchlm_tables.py NAME=RUN_DIR[/FILE.trec] ... [--split test] [--qrels standard] \
        [--out benchmarks/results/searchlm_ablations.json]

Each argument names a method and a TREC run, or a directory of them (notebook 10 writes
``work/retrieval/runs/<run_name>/<method>.trec``; every file there is read, as ``NAME/<method>``). One of them
must be BM25 (a method named ``bm25`` or ending in ``/bm25``; the first is the baseline). Scores are counted
from the files, so the tables can be rebuilt at any time from what the runs saved.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))

from lexlab.legalsearchlm.retrieval import read_records  # noqa: E402
from lexlab.legalsearchlm.retrieval.benchmark import score_runs, split_queries  # noqa: E402
from lexlab.legalsearchlm.retrieval.evaluation import p5_by_category  # noqa: E402
from lexlab.legalsearchlm.retrieval.significance import differences_by_category, per_query  # noqa: E402
from lexlab.workbench import paths  # noqa: E402
from lexlab.workbench.io import read_trec_qrels, read_trec_run, trec_id  # noqa: E402


def read_runs(specs: list[str]) -> dict[str, dict]:
    runs = {}
    for spec in specs:
        name, _, path = spec.partition("=")
        p = Path(path)
        files = sorted(p.glob("*.trec")) if p.is_dir() else [p]
        for f in files:
            runs[f"{name}/{f.stem}" if p.is_dir() else name] = read_trec_run(f)
    return runs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", metavar="NAME=PATH")
    ap.add_argument("--benchmark", default="legar")
    ap.add_argument("--split", default="test")
    ap.add_argument("--qrels", default="standard")
    ap.add_argument("--out", default=str(REPO / "benchmarks/results/searchlm_ablations.json"))
    a = ap.parse_args()
    bdir = paths.work_dir("legar", a.benchmark)
    queries = read_records(bdir / "queries.jsonl")
    _, scored = split_queries(queries, a.split)
    ids = {trec_id(q["id"]) for q in scored}
    qrels = {q: r for q, r in read_trec_qrels(bdir / f"qrels.{a.qrels}.trec").items() if q in ids}
    cats = {q["id"]: q.get("category", "(none)") for q in queries}
    runs = read_runs(a.runs)
    base = next(n for n in runs if n == "bm25" or n.endswith("/bm25"))
    runs = {n: r for n, r in runs.items() if n == base or not (n == "bm25" or n.endswith("/bm25"))}
    p5 = p5_by_category(score_runs(runs, qrels, scored, cats, 5))
    diffs = differences_by_category({n: per_query(qrels, r, "P@5") for n, r in runs.items()}, base, cats)
    out = {"split": a.split, "qrels": a.qrels, "queries": len(qrels), "baseline": base,
           "p5_by_category": p5.round(4).reset_index().to_dict("records"),
           "diff_to_bm25": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()} for d in diffs]}
    Path(a.out).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(p5.round(3).to_markdown())
    print()
    for d in diffs:
        if d["category"] == "ALL":
            print(f"{d['method']}: {d['diff']:+.3f} [{d['ci_low']:+.3f}, {d['ci_high']:+.3f}] vs {base}")


if __name__ == "__main__":
    main()
