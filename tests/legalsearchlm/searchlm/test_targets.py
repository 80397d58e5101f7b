"""The discriminative target filter: general provisions out, spans in one case or in too many cases out."""
from __future__ import annotations

import pytest

from lexlab.legalsearchlm.searchlm.elements import Element
from lexlab.legalsearchlm.searchlm.targets import (SpanCounter, TargetFilter, filter_elements, filter_targets,
                                                   is_general_provision)

DOCS = [
    "피고인은 형법 제347조 사기죄로 기소되었다. 형사소송법 제364조 제6항에 의하여 파기한다.",
    "형법 제347조 사기죄가 성립한다. 형사소송법 제364조 제6항 적용.",
    "근로기준법 제36조 위반 임금 체불. 형사소송법 제364조 제4항 기각.",
    "근로기준법 제36조 위반 퇴직금 미지급. 형사소송법 제364조 제4항 기각.",
    "저작권법 제136조 위반 저작물 복제. 형사소송법 제364조 제4항 기각. 형법 제37조 경합범.",
]


@pytest.mark.parametrize("span, general", [
    ("형사소송법 제364조", True), ("형법 제37조", True), ("형법 제86조", True), ("근로기준법 제1조", True),
    ("헌법 제12조", True), ("형법 제347조", False), ("근로기준법 제36조", False),
    ("구 증권거래법 제188조의4 제1항", False), ("사기죄", False), ("임금 체불", False),
])
def test_general_provisions(span: str, general: bool):
    assert is_general_provision(span) is general


def test_span_counter_counts_documents_not_occurrences():
    c = SpanCounter(DOCS)
    assert c.df("형사소송법 제364조") == 5
    assert c.documents("형법 제347조") == {0, 1}
    assert c.df("저작권법 제136조") == 1
    assert c.df("없는 구절") == 0 and c.df("") == 0
    assert c.idf("저작권법 제136조") > c.idf("형법 제347조") > c.idf("형사소송법 제364조")


def test_filter_keeps_recurring_substantive_elements_rarest_first():
    c = SpanCounter(DOCS)
    els = [Element("형사소송법 제364조", "statute", 9.0),   # procedural: out
           Element("형법 제37조", "statute", 8.0),          # 형법 총칙: out
           Element("근로기준법 제36조", "statute", 7.0),     # 2 cases: kept
           Element("형사소송법 제364조 제4항", "statute", 6.0),  # procedural with a paragraph: out
           Element("저작권법 제136조", "statute", 5.0),      # only its own case: out (min_df=2)
           Element("위반", "concept", 4.0)]                # in 3 of 5 cases: out with max_df=0.5
    kept = filter_elements(els, c, TargetFilter(max_df=0.5))
    assert [e.text for e in kept] == ["근로기준법 제36조"]
    # A case whose every element is filtered keeps its non-general ones (rarest first) unless fallback is off.
    only_bad = [els[0], els[4], els[5]]
    assert [e.text for e in filter_elements(only_bad, c, TargetFilter(max_df=0.5))] == ["저작권법 제136조", "위반"]
    assert filter_elements(only_bad, c, TargetFilter(max_df=0.5, fallback=False)) == []
    # Without the general-provision rule and with a loose df cap, frequency alone decides, rarest first.
    loose = filter_elements(els, c, TargetFilter(drop_general=False, max_df=5, min_df=1))
    # 형법 제37조 and 저작권법 제136조 are both in one case; the case's own priority breaks the tie.
    assert [e.text for e in loose][:2] == ["형법 제37조", "저작권법 제136조"]
    assert "형사소송법 제364조" in [e.text for e in loose]


def test_filter_targets_caps_and_validates():
    targets = [[Element("형법 제347조", "statute", 1.0), Element("사기죄", "charge", 1.0)]] * 2
    out = filter_targets(targets, DOCS, {"max_elements": 1, "max_df": 0.9})
    assert [len(x) for x in out] == [1, 1]
    with pytest.raises(ValueError, match="min_df"):
        TargetFilter(min_df=0)
    with pytest.raises(ValueError, match="max_df"):
        TargetFilter(max_df=0)
