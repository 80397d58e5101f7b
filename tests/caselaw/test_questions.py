"""Questions carry no answer: markers, outcome sentences and the 주문 are removed, and the leak is measured."""
from __future__ import annotations

from lexlab.caselaw import questions
from lexlab.caselaw.questions import build_questions, leak_of, question_text


def test_a_question_keeps_the_issue_and_facts_but_not_the_outcome(toy):
    row = toy.set_index("case_id").loc["2021도45"].to_dict() | {"case_id": "2021도45"}
    text, source = question_text(row)
    assert source == "holdings" and "위드마크" in text and "술에 취한 상태" in text and text.startswith("상고심")
    assert "(적극)" not in text and "기각" not in text and row["order"] not in text
    assert leak_of(text, row["order"]) is None


def test_without_holdings_the_question_is_the_grounds_of_appeal_not_the_judgment(toy):
    row = toy.set_index("case_id").loc["2020도11"].to_dict() | {"case_id": "2020도11"}
    text, source = question_text(row)
    assert source == "grounds" and "잘못되었다고 주장" in text
    assert "정당" not in text and "이유 없다" not in text


def test_leak_of_names_each_kind_of_leak():
    assert leak_of("원심판결을 파기한다는 취지", "") == "outcome_word:파기"
    assert leak_of("공연성의 의미(소극)", "") == "marker"
    assert leak_of("피고인을 징역 1년에 처한다 라고 하였다", "피고인을 징역 1년에 처한다") == "order_verbatim"
    assert leak_of("공연성의 의미", "상고를 기각한다.") is None


def test_the_measured_leak_is_zero_and_a_leaking_question_is_dropped_not_asked(toy, monkeypatch):
    asked, stats = build_questions(toy)
    assert stats["leak_rate"] == 0 and stats["leaked_dropped"] == 0 and len(asked) == len(toy)
    orders = toy.set_index("case_id").loc[asked["id"], "order"]
    assert all(leak_of(q, o) is None for q, o in zip(asked["question"], orders))
    monkeypatch.setattr(questions, "strip_outcome", lambda text: text)  # if masking ever misses …
    asked, stats = build_questions(toy)
    assert stats["leaked_dropped"] >= 6 and stats["leak_rate"] == 0  # … the leak check still stops it
