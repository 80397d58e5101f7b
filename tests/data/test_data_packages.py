"""One pass over the installed Korean data packages: the snapshot's counts must land in the expected ranges.

Ranges, not exact numbers, so a data release that adds a few files does not fail CI; the figures come from
STACK_NOTES (3,395 precedent files, 3,306 case numbers of which two differ only in spacing, 2,560 criminal;
241 statute files; 4,466 interpretations, 85 of which lack a question or an answer).
"""
from __future__ import annotations

from collections import Counter

import pytest

pytest.importorskip("card_legal_data")

from lexlab.data.snapshot import build_snapshot, load_snapshot  # noqa: E402


@pytest.mark.data
def test_snapshot_of_installed_packages(tmp_path):
    m = build_snapshot(tmp_path, version="data", progress=False)
    src = m["by_source"]
    assert src["precedents"]["files"] == pytest.approx(3395, abs=50)
    assert src["law_api"]["files"] == pytest.approx(241, abs=10)
    assert src["fsc_interpretations"]["files"] == pytest.approx(4466, abs=50)
    counts = m["counts"]
    assert 3250 <= counts["decisions"] <= 3320  # deduped by case number across folders
    dec = m["by_type"]["decisions"]
    assert 2500 <= dec["case_type"]["형사"] <= 2600
    assert dec["in_several_folders"] >= 80
    assert 350 <= dec["criminal_with_facts"] <= 480
    assert 1600 <= dec["with_summary_and_reasoning"] <= 1800
    assert dec["with_lower_case_ids"] >= 550
    assert 15000 <= counts["statutes"] <= 25000
    assert 4300 <= counts["interpretations"] <= 4466
    assert 1800 <= counts["general"] <= 2100
    # nothing silently dropped: every file is a record or a reported skip
    skipped = Counter(s["source"] for s in m["skipped"])
    assert src["fsc_interpretations"]["records"] + skipped["fsc_interpretations"] == src["fsc_interpretations"]["files"]
    assert all(s["path"] and s["field"] and s["error"] for s in m["skipped"])

    snap = load_snapshot(tmp_path)
    st = snap.statutes.set_index(["law", "article"])
    assert st.loc[("형법", "제347조"), "title"] == "사기"
    assert {"제1조", "제372조"} <= set(snap.statutes.query("law == '형법'")["article"])
    d = snap.decisions
    assert d["case_id"].is_unique
    crim_lower = d[(d["case_type"] == "형사") & (d["court"] != "대법원")]
    # lower courts rarely fill 참조조문 but their 법령의 적용 part yields citations
    assert (crim_lower["ref_articles"].map(len) > 0).mean() > 0.6
    linked = set(x for xs in d["lower_case_ids"] for x in xs)
    assert linked <= set(d["case_id"])
