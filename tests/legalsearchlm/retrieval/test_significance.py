"""Per-query scores and the paired bootstrap against a baseline."""
from __future__ import annotations

import pytest

from lexlab.legalsearchlm.retrieval.significance import differences_by_category, per_query
from lexlab.workbench.stats import paired_bootstrap


def test_per_query_counts_missing_queries_as_zero():
    qrels = {"q1": {"a": 1, "b": 1}, "q2": {"c": 1}}
    run = {"q1": [("a", 2.0), ("x", 1.0)]}
    s = per_query(qrels, run, "P@2")
    assert s == pytest.approx({"q1": 0.5, "q2": 0.0})


def test_paired_bootstrap_interval():
    diff, lo, hi = paired_bootstrap([1, 1, 1, 1], [0, 0, 0, 0])
    assert (diff, lo, hi) == pytest.approx((1.0, 1.0, 1.0))
    diff, lo, hi = paired_bootstrap([1, 0, 1, 0, 1, 0], [0, 1, 0, 1, 0, 1], n_boot=500)
    assert diff == 0 and lo < 0 < hi
    with pytest.raises(ValueError):
        paired_bootstrap([1], [1, 2])


def test_differences_by_category():
    scores = {"bm25": {"q1": 0.2, "q2": 0.4, "q3": 0.0}, "slm": {"q1": 0.4, "q2": 0.4, "q3": 0.2}}
    rows = differences_by_category(scores, "bm25", {"q1": "A", "q2": "A", "q3": "B"}, n=200)
    by = {r["category"]: r for r in rows}
    assert set(by) == {"A", "B", "ALL"} and by["ALL"]["n"] == 3
    assert by["A"]["diff"] == pytest.approx(0.1) and by["B"]["diff"] == pytest.approx(0.2)
    assert by["ALL"]["ci_low"] <= by["ALL"]["diff"] <= by["ALL"]["ci_high"]
