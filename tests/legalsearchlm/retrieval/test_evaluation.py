"""Per-category tables and the out-of-distribution breakdown."""
from __future__ import annotations


def test_ood_breakdown_weights_categories_by_queries():
    import pandas as pd

    from lexlab.legalsearchlm.retrieval.evaluation import ood_breakdown, p5_by_category

    t = pd.DataFrame({"n": [4, 2, 2, 8], "P@5": [0.5, 0.2, 0.0, 0.3]}, index=["지식재산", "노동", "사기", "ALL"])
    rows = {r["scored on"]: r for r in ood_breakdown({"slm": t}, {"slm": "지식재산"})}
    assert rows["trained category"]["P@5"] == 0.5 and rows["trained category"]["n"] == 4
    assert rows["other categories"]["n"] == 4 and abs(rows["other categories"]["P@5"] - 0.1) < 1e-12
    assert list(p5_by_category({"slm": t, "bm25": t}).columns) == ["n", "slm", "bm25"]
