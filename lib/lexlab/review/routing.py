"""Routing: confident "clean" is released, confident "sensitive" withheld, the uncertain go to a human.

A document stage 1 does not pass is released. For the rest, with the ensemble's mean ``p`` and spread ``u``:
released if ``p + k·u < release``, withheld if ``p - k·u >= withhold``, else the human queue. The reviewer is
assumed to catch what is in front of them, so the system's recall counts positives withheld or queued; the
workload is the share of all documents in the queue. ``curve`` sweeps ``release``; ``workload_at`` picks on dev
the highest ``release`` whose recall meets a target and reports what that threshold does on test.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

RELEASED, WITHHELD, HUMAN = "released", "withheld", "human"


def route(passed: Sequence[bool], p: Sequence[float], u: Sequence[float], release: float, withhold: float,
          k: float = 1.0) -> np.ndarray:
    passed, p, u = (np.asarray(x) for x in (passed, p, u))
    out = np.full(p.shape, HUMAN, dtype=object)
    out[p - k * u >= withhold] = WITHHELD
    out[(p + k * u < release) | ~passed.astype(bool)] = RELEASED
    return out


def outcome(routes: Sequence[str], y: Sequence[int]) -> dict[str, float]:
    """Recall (positives not released), precision of what was withheld automatically, and the shares routed."""
    r, y = np.asarray(routes), np.asarray(y, dtype=bool)
    caught = r != RELEASED
    withheld = r == WITHHELD
    return {"recall": float(caught[y].mean()) if y.any() else math.nan,
            "withheld_precision": float(y[withheld].mean()) if withheld.any() else math.nan,
            "human_share": float((r == HUMAN).mean()), "released_share": float((r == RELEASED).mean()),
            "withheld_share": float(withheld.mean())}


def curve(passed, p, u, y, withhold: float, k: float = 1.0, grid: Sequence[float] | None = None) -> list[dict]:
    """``outcome`` at each release threshold of ``grid`` (default: every distinct upper bound, and 0)."""
    ucb = np.asarray(p) + k * np.asarray(u)
    grid = np.unique(np.concatenate([[0.0], ucb, [np.nextafter(ucb.max(), 2.0)]])) if grid is None else grid
    return [{"release": float(t), **outcome(route(passed, p, u, float(t), withhold, k), y)} for t in grid]


def highest_release(passed, p, u, y, withhold: float, recall: float, k: float = 1.0) -> float:
    """The highest release threshold whose recall on these documents is at least ``recall``."""
    best = 0.0
    for row in curve(passed, p, u, y, withhold, k):
        if row["recall"] >= recall - 1e-12:
            best = max(best, row["release"])
    return best


def workload_at(recall: float, dev: dict, test: dict, withhold: float, k: float = 1.0) -> dict[str, float]:
    """Pick ``release`` on dev for ``recall``; ``dev``/``test`` hold ``passed``, ``p``, ``u``, ``y`` arrays."""
    release = highest_release(dev["passed"], dev["p"], dev["u"], dev["y"], withhold, recall, k)
    got = outcome(route(test["passed"], test["p"], test["u"], release, withhold, k), test["y"])
    return {"target_recall": recall, "release": release, **got}
