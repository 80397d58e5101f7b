"""P@k, R@k and nDCG@k are computed in plain Python; on the same run they equal ranx's, query by query."""
from __future__ import annotations

import math
import random
import warnings

import pytest

from lexlab.legalsearchlm.retrieval.evaluation import _as_ranx, evaluate_run, per_query_cut


def _random_case(seed: int):
    rng = random.Random(seed)
    docs = [f"d {i}" for i in range(40)]  # ids with a space: TREC-normalised on both sides
    qrels = {f"q{i}": {d: rng.choice([0, 1, 1, 2]) for d in rng.sample(docs, rng.randint(0, 6))} for i in range(30)}
    run = {f"q{i}": [(d, 1.0 / (r + 1)) for r, d in enumerate(rng.sample(docs, rng.randint(0, 12)))]
           for i in range(30) if i % 7}  # some queries missing from the run: they score 0
    return qrels, run


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("metric", ["P@1", "P@5", "R@5", "R@10", "nDCG@1", "nDCG@5", "nDCG@10"])
def test_counted_cut_metrics_equal_ranx(seed, metric):
    from ranx import evaluate

    from lexlab.legalsearchlm.retrieval.evaluation import ranx_metric

    qrels, run = _random_case(seed)
    counted = per_query_cut(qrels, run, metric)
    qr, rr = _as_ranx(qrels, run)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ranx_scores = evaluate(qr, rr, ranx_metric(metric), return_mean=False, make_comparable=True)
    assert counted == pytest.approx(dict(zip(qr.keys(), map(float, ranx_scores))))
    assert evaluate_run(qrels, run, [metric, "MAP@5"])[metric] == pytest.approx(sum(counted.values()) / len(counted))


def test_per_query_cut_reads_mapping_runs_by_score_and_leaves_other_metrics_to_ranx():
    qrels = {"q": {"a": 1, "b": 0}}
    assert per_query_cut(qrels, {"q": {"b": 0.9, "a": 0.5}}, "P@1") == {"q": 0.0}
    assert per_query_cut(qrels, {"q": {"b": 0.1, "a": 0.5}}, "P@1") == {"q": 1.0}
    assert per_query_cut(qrels, {"q": []}, "MAP@5") is None and per_query_cut(qrels, {"q": []}, "nDCG") is None


def test_ndcg_uses_the_relevance_grades():
    qrels = {"q": {"a": 2, "b": 1, "c": 0}}
    assert per_query_cut(qrels, {"q": [("a", 2.0), ("b", 1.0)]}, "nDCG@2") == {"q": 1.0}
    swapped = (1 / 1 + 2 / math.log2(3)) / (2 / 1 + 1 / math.log2(3))
    assert per_query_cut(qrels, {"q": [("b", 2.0), ("a", 1.0)]}, "nDCG@2") == {"q": pytest.approx(swapped)}
    assert per_query_cut(qrels, {"q": [("c", 1.0)]}, "nDCG@5") == {"q": 0.0}


def test_notebook_10s_metrics_need_no_ranx():
    """P@5, nDCG@k and R@5 (``score_metrics``) and per-query P@5 never import ranx: in a fresh environment its first
    call compiles numba kernels for tens of seconds (benchmarks/results/ranx_first_call.json)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import lexlab

    lib = str(Path(lexlab.__file__).resolve().parents[1])  # this checkout's lexlab, not an installed one
    code = ("import sys\n"
            "from lexlab.legalsearchlm.retrieval.benchmark import score_metrics, score_runs\n"
            "from lexlab.legalsearchlm.retrieval.significance import per_query\n"
            "qrels = {'q': {'a': 1}}; run = {'q': [('a', 1.0)]}; qs = [{'id': 'q'}]\n"
            "for k in (5, 10): score_runs({'m': run}, qrels, qs, {'q': 'c'}, k)\n"
            "per_query(qrels, run, 'P@5'); print(score_metrics(10), 'ranx' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": lib})
    assert done.stdout.strip() == "['P@5', 'nDCG@10', 'R@5'] False"
