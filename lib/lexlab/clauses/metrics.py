"""Precision, recall and F1 per clause type, micro and macro averages, with bootstrap intervals.

Both tasks reduce to counts per example and label: true positives, false positives, false negatives. Article
task: the gold type gets a true positive when predicted, else a false negative, and the predicted type a false
positive. Span task: a predicted span is a true positive only when a gold span has the same start, end and label
(exact match, as CoNLL scores entities). Intervals resample examples (``lexlab.workbench.stats.bootstrap_ci``),
so a type seen in few test examples gets the wide interval it deserves. A label with no prediction has precision
0, and F1 is 0 when precision and recall are.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from lexlab.workbench.stats import bootstrap_ci

TP, FP, FN = 0, 1, 2


def article_counts(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """(examples, labels, 3) counts of one predicted type per example."""
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros((len(gold), len(labels), 3), dtype=np.int32)
    for n, (g, p) in enumerate(zip(gold, pred)):
        if g == p:
            out[n, index[g], TP] += 1
            continue
        out[n, index[g], FN] += 1
        if p in index:
            out[n, index[p], FP] += 1
    return out


def span_counts(gold: Sequence[Sequence], pred: Sequence[Sequence], labels: Sequence[str]) -> np.ndarray:
    """(examples, labels, 3) counts of exactly matching spans; spans of unknown labels are false positives
    nowhere (they cannot be scored against a label)."""
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros((len(gold), len(labels), 3), dtype=np.int32)
    for n, (g, p) in enumerate(zip(gold, pred)):
        g, p = set(g), set(p)
        for span, kind in [*((s, TP) for s in g & p), *((s, FP) for s in p - g), *((s, FN) for s in g - p)]:
            if span.label in index:
                out[n, index[span.label], kind] += 1
    return out


def prf(c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 from summed counts (labels, 3) (or (3,) for one label)."""
    tp, fp, fn = (c[..., k].astype(float) for k in (TP, FP, FN))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        r = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    return p, r, f


def _ci(counts: np.ndarray, statistic: Callable[[np.ndarray], float], seed: int) -> tuple[float, float, float]:
    """Bootstrap over examples: ``statistic`` of the counts summed over a resample of example indices."""
    return bootstrap_ci(np.arange(len(counts)), seed=seed,
                        statistic=lambda idx: statistic(counts[idx.astype(int)].sum(axis=0)))


def per_type(counts: np.ndarray, labels: Sequence[str], seed: int = 0):
    """One row per label: support (gold count), predicted, precision/recall/F1 and their 95 % intervals."""
    import pandas as pd

    rows = []
    for i, label in enumerate(labels):
        c = counts[:, i, :]
        row = {"type": label, "support": int(c[:, TP].sum() + c[:, FN].sum()),
               "predicted": int(c[:, TP].sum() + c[:, FP].sum())}
        for k, name in enumerate(("precision", "recall", "f1")):
            point, low, high = _ci(c, lambda s, k=k: float(prf(s)[k]), seed)
            row.update({name: point, f"{name}_low": low, f"{name}_high": high})
        rows.append(row)
    return pd.DataFrame(rows)


def averages(counts: np.ndarray, labels: Sequence[str], headline: Sequence[str], seed: int = 0) -> dict[str, float]:
    """micro F1 (counts pooled over the ``headline`` labels), macro F1 (their mean F1), micro P and R, each with
    ``_low``/``_high``."""
    cols = [list(labels).index(label) for label in headline]
    if not cols:
        return {}
    sub = counts[:, cols, :]
    stats = {"micro_f1": lambda s: float(prf(s.sum(axis=0))[2]),
             "micro_precision": lambda s: float(prf(s.sum(axis=0))[0]),
             "micro_recall": lambda s: float(prf(s.sum(axis=0))[1]),
             "macro_f1": lambda s: float(prf(s)[2].mean())}
    out = {}
    for name, fn in stats.items():
        out[name], out[f"{name}_low"], out[f"{name}_high"] = _ci(sub, fn, seed)
    return out


def headline_labels(counts: np.ndarray, labels: Sequence[str], min_support: int, exclude: Sequence[str] = ()
                    ) -> tuple[list[str], list[str]]:
    """(labels in the headline, labels left out): a label needs ``min_support`` gold test examples; ``exclude``
    (the ``other`` class) never counts."""
    support = counts[:, :, TP].sum(axis=0) + counts[:, :, FN].sum(axis=0)
    keep = [label for label, n in zip(labels, support) if n >= min_support and label not in exclude]
    return keep, [label for label in labels if label not in keep and label not in exclude]
