"""Seconds the first ranx call takes in a fresh environment (numba compiling its kernels) vs the plain metrics.

    python benchmarks/ranx_first_call.py --out benchmarks/results/ranx_first_call.json

Each measurement runs in a fresh Python process with ``NUMBA_CACHE_DIR`` set to an empty temporary folder, so
numba finds none of the kernels it cached before (what a fresh venv sees on ``make demo``'s first evaluation),
and then once more with that folder filled (a later run). ranx compiles when it builds its ``Qrels``/``Run``
(``build_qrels_run_s``) and on the first ``evaluate`` (``first_call_s``). The run scored is notebook 10's shape: 100 queries,
100 hits each, P@5, nDCG@5 and R@5 (``score_metrics(5)``) — by ranx, and by the plain code
(``evaluation.per_query_cut``) that notebook 10 now uses.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, random, sys, time, warnings
t0 = time.time()
rng = random.Random(0)
docs = [f"d{i}" for i in range(2000)]
qrels = {f"q{i}": {d: rng.choice([1, 1, 2]) for d in rng.sample(docs, 8)} for i in range(100)}
run = {f"q{i}": {d: 1.0 / (r + 1) for r, d in enumerate(rng.sample(docs, 100))} for i in range(100)}
from lexlab.legalsearchlm.retrieval.evaluation import _as_ranx, per_query_cut, ranx_metric
metrics = ["P@5", "nDCG@5", "R@5"]
out = {}
if sys.argv[1] == "ranx":
    t = time.time()
    from ranx import evaluate
    out["import_s"] = time.time() - t
    t = time.time()
    qr, rr = _as_ranx(qrels, run)
    out["build_qrels_run_s"] = time.time() - t
    for label in ("first_call_s", "second_call_s"):
        t = time.time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = evaluate(qr, rr, [ranx_metric(m) for m in metrics], make_comparable=True)
        out[label] = time.time() - t
    out["scores"] = {m: float(scores[ranx_metric(m)]) for m in metrics}
else:
    t = time.time()
    per = {m: per_query_cut(qrels, run, m) for m in metrics}
    out["first_call_s"] = time.time() - t
    out["scores"] = {m: sum(v.values()) / len(v) for m, v in per.items()}
out["process_s"] = time.time() - t0  # from the start: importing lexlab, making the run, scoring
print(json.dumps(out))
"""


def measure(kind: str, cache: str) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", _CHILD, kind], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        result = {"ranx_empty_numba_cache": measure("ranx", cache),
                  "ranx_filled_numba_cache": measure("ranx", cache),
                  "plain": measure("plain", cache)}
    result.update(python=platform.python_version(), cpus=os.cpu_count(), load_avg_1m=os.getloadavg()[0])
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
