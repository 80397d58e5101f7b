"""Per-query scores and paired bootstrap intervals: is a method's difference to BM25 more than noise, per category?

The paper's Tables 3/4 give P@5 per crime category; with a handful of queries per category a difference of
0.05 can be chance. `differences_by_category` reports, for each method against a baseline, the mean
per-query difference with a paired bootstrap interval (queries resampled with replacement, both methods scored on
the same resample).
"""
from __future__ import annotations

import warnings
from collections import defaultdict
from typing import Mapping, Sequence

import numpy as np

from lexlab.legalsearchlm.retrieval.evaluation import _as_ranx, per_query_cut, ranx_metric
from lexlab.workbench.io import trec_id
from lexlab.workbench.stats import N_RESAMPLES, paired_bootstrap


def per_query(qrels: Mapping, run: Mapping, metric: str = "P@5") -> dict[str, float]:
    """``metric`` for every query with qrels (a query missing from the run scores 0), keyed by TREC id; P@k, R@k
    and nDCG@k counted (`per_query_cut`), the rest by ranx."""
    counted = per_query_cut(qrels, run, metric)
    if counted is not None:
        return counted
    from ranx import evaluate

    qr, rr = _as_ranx(qrels, run)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = evaluate(qr, rr, ranx_metric(metric), return_mean=False, make_comparable=True)
    return dict(zip(qr.keys(), map(float, np.atleast_1d(scores))))


def differences_by_category(scores: Mapping[str, Mapping[str, float]], baseline: str,
                            categories: Mapping[str, str], n: int = N_RESAMPLES, seed: int = 0) -> list[dict]:
    """Rows (method, category, n, diff, ci_low, ci_high) of each method's per-query difference to ``baseline``,
    per category and over ALL; ``scores`` maps method → {query id: score} (as `per_query` returns)."""
    cats = {trec_id(k): v for k, v in categories.items()}
    base = scores[baseline]
    groups: dict[str, list[str]] = defaultdict(list)
    for q in base:
        groups[cats.get(q, "(none)")].append(q)
    groups["ALL"] = list(base)
    rows = []
    for method, s in scores.items():
        if method == baseline:
            continue
        for cat, qs in sorted(groups.items(), key=lambda x: (x[0] == "ALL", -len(x[1]), x[0])):
            diff, lo, hi = paired_bootstrap([s.get(q, 0.0) for q in qs], [base[q] for q in qs], n_boot=n, seed=seed)
            rows.append({"method": method, "category": cat, "n": len(qs), "diff": diff, "ci_low": lo,
                         "ci_high": hi})
    return rows
