"""Spans: the statutes' own markers, the checks every span set passes, BIO tags there and back."""
from __future__ import annotations

from lexlab.clauses.spans import Span, bio_tags, marker_spans, sentences, span_problem, spans_from_tags, trim_offsets

TEXT = "① 사업자는 신고하여야 한다. 다만, 대통령령으로 정하는 경우에는 그러하지 아니하다.\n② 제1항에 관하여는 제5조를 준용한다."


def test_markers_give_a_proviso_and_an_apply_sentence():
    got = marker_spans(TEXT)
    assert [(TEXT[s.start:s.end], s.label) for s in got] == [
        ("다만, 대통령령으로 정하는 경우에는 그러하지 아니하다.", "단서"), ("② 제1항에 관하여는 제5조를 준용한다.", "준용")]
    assert len(sentences(TEXT)) == 3


def test_span_problems_name_the_field():
    ok = [Span(0, 5, "단서"), Span(5, 9, "준용")]
    assert span_problem(ok, 10, ["단서", "준용"]) is None
    assert span_problem([Span(0, 11, "단서")], 10)[0] == "spans[0].end"
    assert span_problem([Span(-1, 3, "단서")], 10)[0] == "spans[0].start"
    assert span_problem([Span(3, 3, "단서")], 10)[0] == "spans[0].start"
    assert span_problem([Span(0, 2, "해지")], 10, ["단서"]) == ("spans[0].label", "unknown label '해지'; known: ['단서']")
    field, message = span_problem([Span(4, 8, "단서"), Span(0, 5, "준용")], 10)
    assert field == "spans[0]" and "overlaps spans[1]" in message


def test_bio_tags_round_trip_through_token_offsets():
    text = "갑은 지급한다. 다만, 을은 면제한다."
    offsets = [(0, 2), (2, 9), (9, 12), (12, 15), (15, 21)]  # tokens carry their leading space
    spans = [Span(9, 21, "단서")]
    trimmed = trim_offsets(text, offsets)
    assert trimmed[2] == (9, 12) and trimmed[3] == (13, 15)
    tags = bio_tags(trimmed, spans)
    assert tags == ["O", "O", "B-단서", "I-단서", "I-단서"]
    assert spans_from_tags(trimmed, tags) == spans
