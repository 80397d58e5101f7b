"""Routing: released / withheld / human by the ensemble's mean and spread; thresholds picked on dev."""
from __future__ import annotations

import numpy as np

from lexlab.review import routing


def test_route_uses_the_spread_and_stage_one():
    passed = np.array([True, True, True, True, False])
    p = np.array([0.05, 0.05, 0.95, 0.95, 0.99])
    u = np.array([0.0, 0.3, 0.0, 0.2, 0.0])
    r = routing.route(passed, p, u, release=0.2, withhold=0.9, k=1.0)
    assert list(r) == ["released", "human", "withheld", "human", "released"]


def test_outcome_counts_reviewed_positives_as_caught():
    out = routing.outcome(["released", "human", "withheld", "withheld"], [1, 1, 1, 0])
    assert out["recall"] == 2 / 3 and out["withheld_precision"] == 0.5 and out["human_share"] == 0.25


def test_curve_trades_workload_for_recall_and_workload_at_picks_on_dev():
    rng = np.random.default_rng(0)
    def split(n):
        y = rng.random(n) < 0.4
        p = np.clip(np.where(y, rng.beta(6, 2, n), rng.beta(2, 6, n)), 0, 1)
        return {"passed": np.ones(n, bool), "p": p, "u": rng.random(n) * 0.1, "y": y.astype(int)}
    dev, test = split(2000), split(2000)
    rows = routing.curve(dev["passed"], dev["p"], dev["u"], dev["y"], withhold=0.9)
    recalls = [r["recall"] for r in rows]
    assert recalls == sorted(recalls, reverse=True) and recalls[0] == 1.0
    w99 = routing.workload_at(0.99, dev, test, withhold=0.9)
    w90 = routing.workload_at(0.90, dev, test, withhold=0.9)
    dev_recall = routing.outcome(routing.route(dev["passed"], dev["p"], dev["u"], w99["release"], 0.9), dev["y"])
    assert dev_recall["recall"] >= 0.99
    assert w99["human_share"] > w90["human_share"] and w99["recall"] > w90["recall"]
