"""Oracle ranking with a query's own spans, and span diversity."""
from __future__ import annotations

import pytest

from lexlab.legalsearchlm.searchlm.oracle import oracle_run, rank_by_spans, span_diversity
from lexlab.legalsearchlm.searchlm.targets import SpanCounter

DOCS = ["근로기준법 제36조 임금 체불 형사소송법 제364조", "근로기준법 제36조 퇴직금 형사소송법 제364조",
        "형법 제347조 사기죄 형사소송법 제364조", "형법 제347조 사기죄 기망", "저작권법 제136조 복제"]
IDS = ["w1", "w2", "f1", "f2", "c1"]


@pytest.mark.parametrize("scoring", ["count", "idf", "seal"])
def test_rank_by_spans_prefers_cases_sharing_more_and_rarer_spans(scoring: str):
    c = SpanCounter(DOCS)
    hits = rank_by_spans(["형법 제347조", "사기죄", "기망"], c, IDS, k=3, scoring=scoring)
    assert [d for d, _ in hits][:2] == ["f2", "f1"]  # f2 matches all three spans
    assert all(d not in {"w1", "w2", "c1"} for d, _ in hits)


def test_idf_outweighs_a_frequent_span():
    c = SpanCounter(DOCS)
    hits = rank_by_spans(["형사소송법 제364조", "복제"], c, IDS, k=5, scoring="idf")
    assert hits[0][0] == "c1"  # the rare span beats the one in three cases


def test_oracle_run_excludes_the_query_and_its_chain():
    c = SpanCounter(DOCS)
    queries = [{"id": "w1", "exclude": ["w2"]}, {"id": "f1"}]
    run = oracle_run({"w1": ["근로기준법 제36조"], "f1": ["사기죄"]}, c, IDS, queries, k=5)
    assert run["w1"] == []
    assert [d for d, _ in run["f1"]] == ["f2"]


def test_span_diversity():
    d = span_diversity({"q1": ["형사소송법 제364조", "사기죄"], "q2": ["형사소송법 제364조", "임금"],
                        "q3": ["저작권 침해"]})
    assert d["distinct_spans"] == 4 and d["spans"] == 5
    assert d["top_span_is_global_top"] == pytest.approx(2 / 3)
    assert d["general_provision_share"] == pytest.approx(2 / 5)
    assert d["distinct_top5_sets"] == 3
    assert span_diversity({})["spans"] == 0
