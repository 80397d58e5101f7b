"""Sequential vs Ray on this machine: a grid through ``lexlab run``, FM-index shards built and searched (it
measures, it asserts nothing).

    nice -n 10 .venv/bin/python benchmarks/ray_scaleout.py [--cells 4] [--shards 4] [--tokens 4000000]

1. Grid: ``--cells`` cells of the fixture notebook ``tests/fixtures/notebooks/ok.ipynb`` (a kernel start, one
   metric: the fixed cost every cell pays), sequential vs ``--executor ray`` (max_parallel = the CPUs), and the
   Ray path's overhead on a 1-cell run. Ray's own start-up is timed apart.
2. Shards: a corpus of Zipf-distributed token ids (8k vocabulary) cut into ``--shards`` shards, built one after
   another here vs one Ray task each; then one batch of queries' spans searched over the shards both ways.
Results: benchmarks/results/ray_scaleout.json and .md, with the load average it ran under.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
_TMP = Path(tempfile.mkdtemp(prefix="ray-scaleout-"))
os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{_TMP / 'mlruns' / 'mlflow.db'}"
(_TMP / "mlruns").mkdir()
os.environ["LEXLAB_WORK"] = str(_TMP / "work")

import numpy as np  # noqa: E402
import yaml  # noqa: E402

from lexlab.legalsearchlm.searchlm.decoding import Span  # noqa: E402
from lexlab.legalsearchlm.searchlm.sharded import build_sharded  # noqa: E402
from lexlab.workbench import executors, runner  # noqa: E402
from lexlab.workbench.executors.ray_executor import init_ray  # noqa: E402

NOTEBOOK = REPO / "tests" / "fixtures" / "notebooks" / "ok.ipynb"
VOCAB = 8000


def _grid(n: int, name: str) -> Path:
    path = _TMP / f"{name}.yaml"
    spec = {"name": name, "experiment": "ray-scaleout", "stages": [{"name": "cell", "notebook": str(NOTEBOOK)}]}
    if n > 1:
        spec["grid"] = {"x": list(range(1, n + 1))}
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _timed_run(path: Path, executor) -> float:
    started = time.perf_counter()
    result = runner.run_experiment(path, progress=False, rerun=True, executor=executor)
    assert result.ok, [s.error for s in result.stages]
    return time.perf_counter() - started


def grid_times(cells: int, parallel: int, with_ray: bool) -> dict:
    out = {"cells": cells, "max_parallel": parallel}
    out["grid_sequential_s"] = _timed_run(_grid(cells, "grid"), None)
    out["one_cell_sequential_s"] = _timed_run(_grid(1, "one"), None)
    if with_ray:
        ray_exec = executors.make("ray", max_parallel=parallel)
        out["grid_ray_s"] = _timed_run(_grid(cells, "grid"), ray_exec)
        out["grid_speedup"] = out["grid_sequential_s"] / out["grid_ray_s"]
        out["one_cell_ray_s"] = _timed_run(_grid(1, "one"), ray_exec)
        out["one_cell_ray_overhead_s"] = out["one_cell_ray_s"] - out["one_cell_sequential_s"]
    return out


def _corpus(tokens: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    docs, total = [], 0
    while total < tokens:
        doc = np.minimum(rng.zipf(1.2, size=int(rng.integers(500, 5000))), VOCAB - 1).astype(np.int64)
        docs.append(doc)
        total += len(doc)
    return docs


def _spans(docs: list[np.ndarray], index, queries: int, seed: int = 1) -> list[list[Span]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(queries):
        spans = []
        for _ in range(10):
            doc = docs[rng.integers(len(docs))]
            start = int(rng.integers(len(doc) - 8))
            tokens = tuple(int(t) for t in doc[start:start + int(rng.integers(3, 8))])
            spans.append(Span(tokens, float(-rng.uniform(0.1, 6)), index.count(tokens)))
        out.append(spans)
    return out


def shard_times(n_shards: int, tokens: int, queries: int, with_ray: bool) -> dict:
    docs = _corpus(tokens)
    out: dict = {"shards": n_shards, "tokens": int(sum(len(d) for d in docs)), "documents": len(docs)}
    modes = (("sequential", False), ("ray", True)) if with_ray else (("sequential", False),)
    for mode, use_ray in modes:
        started = time.perf_counter()
        index = build_sharded(docs, _TMP / f"idx-{mode}", n_shards, vocab_size=VOCAB, use_ray=use_ray)
        out[f"build_{mode}_s"] = time.perf_counter() - started
        out[f"shards_{mode}"] = [{k: v for k, v in vars(s).items() if k != "path"} for s in index.shards]
    ids = [str(i) for i in range(len(docs))]
    for mode, use_ray in modes:
        index = type(index)(_TMP / f"idx-{mode}")
        batch = _spans(docs, index, queries)
        index._tf.clear()  # time the shards' answers, not the counts made for the spans above
        started = time.perf_counter()
        ranked = index.search(batch, ids, k=10, max_span_count=10_000, use_ray=use_ray)
        out[f"search_{mode}_s"] = time.perf_counter() - started
        out[f"search_{mode}_top1"] = [r[0][0] if r else None for r in ranked]
    if with_ray:
        out["build_speedup"] = out["build_sequential_s"] / out["build_ray_s"]
        out["search_same_ranking"] = out["search_sequential_top1"] == out.pop("search_ray_top1")
    out.pop("search_sequential_top1")
    shards = out["shards_sequential"]
    out["bytes_per_token"] = sum(s["nbytes"] for s in shards) / out["tokens"]
    out["build_peak_bytes_per_token"] = max(s["peak_mb"] * 2**20 / s["n_tokens"] for s in shards)
    out["build_tokens_per_s_per_shard"] = float(np.mean([s["n_tokens"] / s["seconds"] for s in shards]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=4)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--tokens", type=int, default=4_000_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--no-ray", action="store_true", help="sequential figures only")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "ray_scaleout.json")
    args = parser.parse_args()
    results = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
               "load_before": os.getloadavg()}
    started = time.perf_counter()
    try:
        if args.no_ray:
            raise RuntimeError("--no-ray")
        init_ray(num_cpus=os.cpu_count(), log_to_driver=False)
        results["ray_start_s"] = time.perf_counter() - started
    except RuntimeError as exc:  # Ray's start-up time-out on a loaded machine: the sequential figures still count
        results["ray_error"] = f"{exc} (after {time.perf_counter() - started:.0f} s)"
    with_ray = "ray_error" not in results
    results["grid"] = grid_times(args.cells, os.cpu_count() or 2, with_ray)
    results["load_mid"] = os.getloadavg()
    results["retrieval"] = shard_times(args.shards, args.tokens, args.queries, with_ray)
    results["load_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
