"""The collapse flag: few distinct spans over the queries, or one first span for most of them."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from lexlab.legalsearchlm.searchlm import diagnostics


def test_a_model_with_one_span_for_every_query_is_collapsed():
    same = {f"q{i}": ["사기죄", "형법 제347조"] for i in range(20)}
    stats = diagnostics.collapse(same)
    assert stats["distinct_spans"] == 2 and stats["distinct_spans_per_query"] == pytest.approx(0.1)
    assert stats["top_span"] == "사기죄" and stats["top_span_share"] == 1.0 and stats["collapsed"]
    assert "looks collapsed" in diagnostics.warning("searchlm", stats) and "100 %" in diagnostics.summary(stats)


def test_varied_spans_are_not_collapsed_and_few_queries_are_never_flagged():
    varied = {f"q{i}": [f"span {i}", f"span {i + 1}", "사기죄"] for i in range(20)}
    stats = diagnostics.collapse(varied)
    assert stats["distinct_spans"] == 22 and stats["top_span_share"] == pytest.approx(0.05)
    assert not stats["collapsed"] and diagnostics.warning("searchlm", stats) is None
    # one first span for 11 of 20 queries (> 50 %) flags it, even with many distinct spans
    leading = {q: (["사기죄"] if i < 11 else []) + spans for i, (q, spans) in enumerate(varied.items())}
    assert diagnostics.collapse(leading)["collapsed"]
    few = {f"q{i}": ["사기죄"] for i in range(diagnostics.MIN_QUERIES - 1)}
    assert diagnostics.collapse(few)["top_span_share"] == 1.0 and not diagnostics.collapse(few)["collapsed"]
    assert diagnostics.collapse({})["queries"] == 0 and not diagnostics.collapse({})["collapsed"]


def test_spans_are_read_from_a_searchlm_retriever_or_a_hybrids_part():
    span = SimpleNamespace(text=" 사기죄")
    slm = SimpleNamespace(last_spans={"q": [span]})
    assert diagnostics.spans_by_query(slm) == {"q": [" 사기죄"]}
    assert diagnostics.spans_by_query(SimpleNamespace(parts=[SimpleNamespace(), slm])) == {"q": [" 사기죄"]}
    assert diagnostics.spans_by_query(SimpleNamespace(parts=[])) is None
    assert diagnostics.collapse({"q": [" 사기죄"]})["top_span"] == "사기죄"
