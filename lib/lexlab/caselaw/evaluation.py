"""Stage 13's scores: outcome accuracy and macro-F1 with bootstrap intervals, citation validity and relevance,
the "not found" rate, per-category rows and calibration bins.

A "not found" answer counts as wrong for accuracy (it predicts no outcome); macro-F1 is over the three outcome
labels. Citation validity re-checks every kept citation (exists, passage verbatim, decided earlier and outside
the appeal chain) and counts the dropped ones from the flags; relevance asks whether the cited case shares a
charge (a part of the title) or a cited statute (참조조문) with the question's case.
"""
from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from lexlab.caselaw.corpus import CaseLaw
from lexlab.caselaw.outcomes import LABELS
from lexlab.workbench.stats import bootstrap_ci, paired_bootstrap


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(list(gold), list(pred), labels=list(LABELS), average="macro", zero_division=0))


def _charges(title: str) -> set[str]:
    return {p.strip() for p in re.split(r"[·,ㆍ]", str(title or "")) if p.strip()}


def relevant(caselaw: CaseLaw, case_id: str, cited: str) -> bool:
    """The cited case shares a charge (title part) or a 참조조문 article with ``case_id``."""
    a, b = caselaw.row(case_id), caselaw.row(cited)
    arts = set(a["ref_articles"] if a["ref_articles"] is not None else []) & \
        set(b["ref_articles"] if b["ref_articles"] is not None else [])
    return bool(arts or _charges(a["title"]) & _charges(b["title"]))


def score_rows(records: Sequence[Mapping], questions: pd.DataFrame, caselaw: CaseLaw, system: str) -> pd.DataFrame:
    """One row per answered question: gold, predicted, correct, confidence, citation counts, its categories."""
    gold = questions.set_index("id")
    rows = []
    for r in records:
        q = gold.loc[r["id"]]
        cites = r["citations"]
        valid = [caselaw.check_citation(c, r["id"]) is None for c in cites]
        rows.append({"system": system, "id": r["id"], "gold": q["outcome"], "pred": r["outcome"],
                     "correct": float(r["outcome"] == q["outcome"]), "found": r["found"],
                     "confidence": r["confidence"], "instance": q["instance"], "case_type": q["case_type"],
                     "citations": len(cites), "citations_valid": sum(valid),
                     "citations_dropped": sum(f.startswith("citation_dropped") for f in r["flags"]),
                     "citations_relevant": sum(relevant(caselaw, r["id"], c["case_no"]) for c in cites)})
    return pd.DataFrame(rows)


def summarize(rows: pd.DataFrame, reference: pd.DataFrame | None = None, n_boot: int = 2000) -> dict[str, float]:
    """Headline metrics of one system's rows (``reference``: the majority rows it is compared with, paired)."""
    acc, lo, hi = bootstrap_ci(rows["correct"], n_boot=n_boot)
    gold, pred = rows["gold"].to_numpy(), rows["pred"].to_numpy()
    f1, f_lo, f_hi = bootstrap_ci(np.arange(len(rows)), n_boot=n_boot,
                                  statistic=lambda i: macro_f1(gold[i.astype(int)], pred[i.astype(int)]))
    n_cites, n_dropped = rows["citations"].sum(), rows["citations_dropped"].sum()
    given = n_cites + n_dropped  # what the generators cited, before the check dropped anything
    out = {"questions": len(rows), "accuracy": acc, "accuracy.ci_low": lo, "accuracy.ci_high": hi,
           "macro_f1": f1, "macro_f1.ci_low": f_lo, "macro_f1.ci_high": f_hi,
           "not_found_rate": float((~rows["found"].astype(bool)).mean()),
           "citations_per_answer": float(rows["citations"].mean()),
           "citation_validity": float(rows["citations_valid"].sum() / given) if given else np.nan,
           "citation_relevance": float(rows["citations_relevant"].sum() / n_cites) if n_cites else np.nan}
    if reference is not None:
        d, d_lo, d_hi = difference(rows, reference, n_boot)
        out.update({"accuracy_minus_majority": d, "accuracy_minus_majority.ci_low": d_lo,
                    "accuracy_minus_majority.ci_high": d_hi})
    return out


def difference(rows: pd.DataFrame, reference: pd.DataFrame, n_boot: int = 2000) -> tuple[float, float, float]:
    """Accuracy of ``rows`` minus that of ``reference`` on the same questions, with its paired interval."""
    ref = reference.set_index("id").loc[rows["id"], "correct"].to_numpy()
    return paired_bootstrap(rows["correct"].to_numpy(), ref, n_boot=n_boot)


def by_category(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """Accuracy and "not found" rate per system and value of ``column`` (instance, case_type, gold)."""
    g = rows.groupby(["system", column])
    table = pd.DataFrame({"questions": g.size(), "accuracy": g["correct"].mean(),
                          "not_found": g["found"].apply(lambda s: 1 - s.astype(float).mean())})
    return table.reset_index()


def calibration(rows: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Answered questions binned by confidence: mean confidence vs accuracy per bin."""
    found = rows[rows["found"].astype(bool)]
    edges = np.linspace(0, 1, bins + 1)
    b = np.clip(np.digitize(found["confidence"], edges[1:-1]), 0, bins - 1)
    g = found.assign(bin=b).groupby("bin")
    return pd.DataFrame({"confidence": g["confidence"].mean(), "accuracy": g["correct"].mean(),
                         "questions": g.size()}).reset_index()
