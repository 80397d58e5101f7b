"""Agreement with humans: labels read from JSONL, Cohen's kappa (unweighted and weighted), raw agreement;
judge vs each human, and human vs human where two people labelled the same thing.

A label file has one object per line (``lexlab.workbench.io.read_jsonl``: a bad line names file, line and field)::

    {"id": "l1", "annotator": "kim", "kind": "pairwise", "item_id": "summary:2000다20670",
     "x": "lead", "y": "cited", "label": "cited"}            # the better one's variant name, or "tie"
    {"id": "l2", "annotator": "kim", "kind": "rubric", "item_id": "summary:2000다20670",
     "variant": "lead", "criterion": "holding_stated", "label": 3}

Pairwise labels are put on an ordinal scale per unordered pair (−1: the alphabetically first variant is better,
0: tie, +1: the other), so a weighted kappa gives a tie half the penalty of the opposite verdict. The review app
has no label store in this tree yet; its export only needs to write this format.
"""
from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path
from typing import Hashable, Literal, Mapping, Sequence

import numpy as np

from lexlab.workbench.io import ParseError, read_jsonl

Weights = Literal["none", "linear", "quadratic"]
Labels = dict[str, dict[Hashable, int]]  # annotator → key → ordinal label


def cohen_kappa(a: Sequence[int], b: Sequence[int], categories: Sequence[int] | None = None,
                weights: Weights = "none") -> float:
    """Cohen's kappa of two raters' labels of the same items; ``weights`` linear/quadratic for ordinal scales
    (disagreement weighted by |i − j| or its square over the scale's span). NaN when chance agreement is total."""
    if len(a) != len(b) or not len(a):
        raise ValueError(f"kappa needs two equally long, non-empty label lists ({len(a)} vs {len(b)})")
    cats = sorted(set(categories or []) | set(a) | set(b))
    index = {c: i for i, c in enumerate(cats)}
    observed = np.zeros((len(cats), len(cats)))
    for x, y in zip(a, b):
        observed[index[x], index[y]] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices(observed.shape)
    span = max(len(cats) - 1, 1)
    w = {"none": (i != j).astype(float), "linear": np.abs(i - j) / span, "quadratic": ((i - j) / span) ** 2}[weights]
    disagreement_expected = float((w * expected).sum())
    if disagreement_expected == 0:
        return math.nan
    return 1.0 - float((w * observed).sum()) / disagreement_expected


def agreement(a: Mapping[Hashable, int], b: Mapping[Hashable, int], categories: Sequence[int] | None = None) -> dict:
    """Raw agreement, Cohen's kappa and quadratic-weighted kappa over the keys both raters labelled."""
    common = sorted(set(a) & set(b), key=str)
    if not common:
        return {"n": 0, "raw": math.nan, "kappa": math.nan, "weighted_kappa": math.nan}
    la, lb = [a[k] for k in common], [b[k] for k in common]
    return {"n": len(common), "raw": float(np.mean([x == y for x, y in zip(la, lb)])),
            "kappa": cohen_kappa(la, lb, categories), "weighted_kappa": cohen_kappa(la, lb, categories, "quadratic")}


def pair_key(item_id: str, x: str, y: str, winner: str) -> tuple[tuple[str, str, str], int]:
    """An unordered pair's key and its ordinal verdict: −1 first (alphabetical) variant better, 0 tie, +1 second."""
    first, second = sorted((x, y))
    return (item_id, first, second), (-1 if winner == first else 1 if winner == second else 0)


def _check(where: str, obj: dict) -> None:
    kind = obj.get("kind")
    need = {"pairwise": ("x", "y"), "rubric": ("variant", "criterion")}.get(kind)
    if need is None:
        raise ParseError(where, "kind", f"must be 'pairwise' or 'rubric', got {kind!r}")
    for key in need:
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise ParseError(where, key, f"missing or empty (needed by kind {kind!r})")
    label = obj.get("label")
    if kind == "pairwise" and label not in (obj["x"], obj["y"], "tie"):
        raise ParseError(where, "label", f"must be {obj['x']!r}, {obj['y']!r} or 'tie', got {label!r}")
    if kind == "rubric" and type(label) is not int:
        raise ParseError(where, "label", f"a rubric label is an integer score, got {label!r}")


def read_labels(path: str | Path) -> tuple[Labels, Labels]:
    """(pairwise, rubric) labels per annotator from a JSONL file. Rubric keys are (item_id, variant,
    criterion); pairwise keys as ``pair_key``."""
    pairwise: Labels = {}
    rubric: Labels = {}
    for obj in read_jsonl(path, required=("id", "annotator", "item_id", "kind", "label"), check=_check):
        if obj["kind"] == "pairwise":
            key, value = pair_key(obj["item_id"], obj["x"], obj["y"], obj["label"])
            pairwise.setdefault(obj["annotator"], {})[key] = value
        else:
            rubric.setdefault(obj["annotator"], {})[(obj["item_id"], obj["variant"], obj["criterion"])] = obj["label"]
    return pairwise, rubric


def agreement_table(judge: Mapping[Hashable, int], humans: Labels, categories: Sequence[int] | None = None
                    ) -> list[dict]:
    """Rows of ``agreement``: the judge against each human, then every two humans."""
    rows = [{"a": "judge", "b": name, **agreement(judge, labels, categories)} for name, labels in sorted(humans.items())]
    for (n1, l1), (n2, l2) in combinations(sorted(humans.items()), 2):
        rows.append({"a": n1, "b": n2, **agreement(l1, l2, categories)})
    return rows
