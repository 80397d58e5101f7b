"""Scores: "not found" is wrong, macro-F1 over the three labels, paired difference to the majority, calibration."""
from __future__ import annotations

import pandas as pd
import pytest

from lexlab.caselaw.evaluation import by_category, calibration, macro_f1, summarize


def _rows(system, preds, golds=("파기", "파기", "상고기각", "other")):
    return pd.DataFrame([{"system": system, "id": str(i), "gold": g, "pred": p, "correct": float(p == g),
                          "found": p != "not found", "confidence": 0.9 if p == g else 0.6, "instance": "상고심",
                          "case_type": "형사", "citations": 2, "citations_valid": 2, "citations_dropped": int(i == 0),
                          "citations_relevant": 1} for i, (p, g) in enumerate(zip(preds, golds))])


def test_summary_counts_not_found_as_wrong_and_compares_paired_with_the_majority():
    majority = _rows("majority", ["파기"] * 4)
    vote = _rows("vote", ["파기", "not found", "상고기각", "other"])
    m = summarize(vote, majority, n_boot=200)
    assert m["accuracy"] == 0.75 and m["not_found_rate"] == 0.25
    assert m["accuracy_minus_majority"] == pytest.approx(0.25)
    assert m["citation_validity"] == pytest.approx(8 / 9) and m["citation_relevance"] == 0.5
    assert m["macro_f1"] == pytest.approx(macro_f1(vote["gold"], vote["pred"]))
    assert m["accuracy.ci_low"] <= 0.75 <= m["accuracy.ci_high"]
    assert macro_f1(["파기", "상고기각", "other"], ["파기", "상고기각", "other"]) == 1.0
    assert macro_f1(["파기", "상고기각"], ["파기", "파기"]) == pytest.approx((2 / 3) / 3)


def test_category_and_calibration_tables():
    rows = pd.concat([_rows("majority", ["파기"] * 4), _rows("vote", ["파기", "not found", "상고기각", "other"])])
    table = by_category(rows, "gold").set_index(["system", "gold"])
    assert table.loc[("vote", "파기"), "accuracy"] == 0.5 and table.loc[("vote", "파기"), "not_found"] == 0.5
    cal = calibration(rows[rows["system"] == "vote"], bins=5)
    assert cal["questions"].sum() == 3 and cal["accuracy"].max() == 1.0
