"""Bias checks reported beside the judge's scores, so a reader can tell a preference for content from a
preference for a slot, for length, or for the judge's own writing.

- **position bias**: of the single-order answers that named a winner, the share that named the first slot
  (0.5 = none); and the share of pairs whose two orders disagreed (counted as ties).
- **length bias**: Spearman correlation between a pair's length difference (x − y, characters) and the verdict
  (+1 x, −1 y, 0 tie); and, pointwise, between a candidate's length and its mean rubric score.
- **self-preference**: when the judge's own model wrote one of the candidates, how often the judge prefers it
  (ties count half) — beside the same rate from human labels when there are any, since a good candidate *should*
  win; only the gap says the judge favours itself.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
from scipy import stats

from lexlab.judging.llm_judge import PairVerdict


def position_bias(verdicts: Sequence[PairVerdict]) -> dict[str, float]:
    answers = [a for v in verdicts for a in (v.ab, v.ba) if a in ("A", "B")]
    first = sum(a == "A" for a in answers)
    return {
        "first_slot_win_rate": first / len(answers) if answers else math.nan,
        "order_disagreement_rate": (sum(not v.consistent for v in verdicts) / len(verdicts)) if verdicts else math.nan,
        "n_pairs": float(len(verdicts)),
    }


def preference(verdict: PairVerdict) -> int:
    """+1 when x won, −1 when y won, 0 for a tie."""
    return 1 if verdict.winner == verdict.x else -1 if verdict.winner == verdict.y else 0


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rho; NaN when either side is constant or there are fewer than three points."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    return float(stats.spearmanr(a, b).statistic)


def length_bias(verdicts: Sequence[PairVerdict], texts: Mapping[tuple[str, str], str]) -> float:
    """Spearman rho of (len x − len y) against the verdict; ``texts`` maps (item_id, variant) → text."""
    diffs = [len(texts[(v.item_id, v.x)]) - len(texts[(v.item_id, v.y)]) for v in verdicts]
    return spearman(diffs, [preference(v) for v in verdicts])


def self_preference(verdicts: Sequence[PairVerdict], own: set[str],
                    human: Mapping[tuple[str, str, str], str] | None = None) -> dict[str, float]:
    """Win rate of the judge's own variants (``own``) in pairs against another variant, by the judge and, on
    the pairs humans labelled (``human``: (item_id, x, y) → x, y or "tie"), by the humans."""
    judged = [v for v in verdicts if (v.x in own) != (v.y in own)]
    if not judged:
        return {"self_win_rate": math.nan, "human_win_rate": math.nan, "self_pairs": 0.0}

    def rate(pairs: list[tuple[PairVerdict, str]]) -> float:
        wins = [1.0 if w in own else 0.5 if w == "tie" else 0.0 for _, w in pairs]
        return float(np.mean(wins)) if wins else math.nan

    human = human or {}
    labelled = [(v, human[(v.item_id, v.x, v.y)]) for v in judged if (v.item_id, v.x, v.y) in human]
    return {"self_win_rate": rate([(v, v.winner) for v in judged]), "human_win_rate": rate(labelled),
            "self_pairs": float(len(judged))}
