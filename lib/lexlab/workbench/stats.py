"""Intervals, said once: the percentile bootstrap every stage reports (95 %, 2000 resamples, seeded).

Examples (or queries) are resampled with replacement, which is what tells an analyst whether a difference
between two systems on a few hundred items could be luck of the draw. One level and one resample count for the
whole project, so intervals from different stages can be read side by side.
"""
from __future__ import annotations

import math
from typing import Callable, Iterable, Sequence

import numpy as np

LEVEL = 0.95
N_RESAMPLES = 2000


def bootstrap_ci(values: Iterable[float], n_boot: int = N_RESAMPLES, level: float = LEVEL, seed: int = 0,
                 statistic: Callable[[np.ndarray], float] = np.mean) -> tuple[float, float, float]:
    """(point, low, high) of ``statistic`` over examples. NaN for an empty input; a single value gives a
    zero-width interval (there is nothing to resample)."""
    arr = np.asarray(list(values), dtype=float)
    if arr.size == 0:
        return (math.nan, math.nan, math.nan)
    point = float(statistic(arr))
    if arr.size == 1:
        return (point, point, point)
    idx = np.random.default_rng(seed).integers(0, arr.size, size=(n_boot, arr.size))
    stats = arr[idx].mean(axis=1) if statistic is np.mean else np.array([statistic(arr[row]) for row in idx])
    tail = (1 - level) / 2
    low, high = np.quantile(stats, [tail, 1 - tail])
    return (point, float(low), float(high))


def paired_bootstrap(a: Sequence[float], b: Sequence[float], n_boot: int = N_RESAMPLES, seed: int = 0,
                     level: float = LEVEL) -> tuple[float, float, float]:
    """(mean of a − b, low, high) over paired resamples: both systems scored on the same resampled items."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"paired samples must be non-empty and the same length ({a.size} vs {b.size})")
    point, low, high = bootstrap_ci(a - b, n_boot=n_boot, level=level, seed=seed)
    return point, low, high
