"""The QA verifier: one accept and one reject case per reason code, on a small hand-written law."""
from __future__ import annotations

import pandas as pd
import pytest

from lexlab.legalmidm.qa.verify import (
    ArticleIndex, VerifyConfig, korean_number, quantities, strip_annotations, verify, verify_items,
)

LAW = "가상시험법"
ARTICLES = [
    ("제1조", "1", "목적", "이 법은 가상자산 시장의 공정한 거래 질서를 확립하고 이용자를 보호함을 목적으로 한다."),
    ("제2조", "2", "정의",
     '이 법에서 "가상자산"이란 경제적 가치를 지닌 것으로서 전자적으로 거래 또는 이전될 수 있는 전자적 증표를 말한다.'),
    ("제3조", "3", "사기",
     "① 이용자를 기망하여 가상자산을 교부받은 자는 10년 이하의 징역 또는 5천만원 이하의 벌금에 처한다. <개정 2025.12.23>\n"
     "② 제1항의 미수범은 처벌한다."),
    ("제4조", "4", "준사기",
     "미성년자의 사리분별력 부족을 이용하여 가상자산을 교부받은 자는 10년 이하의 징역 또는 5천만원 이하의 벌금에 처한다."),
    ("제5조", "5", "", "삭제 <2024.1.1>"),
    ("제6조", "6", "보고", "가상자산사업자는 매 분기 종료 후 45일 이내에 거래 현황을 금융위원회에 보고하여야 한다."),
    ("제6조의2", "6의2", "과징금", "금융위원회는 위반행위로 얻은 이익의 100분의 5에 해당하는 금액을 과징금으로 부과할 수 있다."),
]


@pytest.fixture(scope="module")
def index():
    rows = [
        {"law": LAW, "article": a, "article_no": no, "title": t, "text": txt, "paragraphs": [],
         "deleted": txt.startswith("삭제"), "law_kind": "법률", "source_path": "fixture"}
        for a, no, t, txt in ARTICLES
    ]
    return ArticleIndex(pd.DataFrame(rows))


def item(article, answer, question="이 조문의 내용은 무엇인가?", law=LAW, **kw):
    return {"question": question, "answer": answer, "law": law, "article": article, "source": "test", **kw}


SCAM = "이용자를 기망하여 가상자산을 교부받은 자는 10년 이하의 징역 또는 5천만원 이하의 벌금에 처한다."


def reason(v):
    return (v.accepted, v.reason)


def test_accepts_verbatim_answer_and_is_not_fooled_by_a_shared_penalty(index):
    v = verify(item("제3조", SCAM), index)
    assert reason(v) == (True, "ok") and v.containment == 1.0 and v.neighbour_best < 1.0


def test_accepts_paraphrase_with_other_spacing_and_number_notation(index):
    # spacing differs, and 5천만원 is written as 50,000,000원: same value, same unit
    ans = "이용자를기망하여 가상자산을 교부받은 자는 10년 이하의 징역 또는 50,000,000원 이하의 벌금에 처한다."
    assert reason(verify(item("제3조", ans), index)) == (True, "ok")


def test_accepts_heading_answers_for_which_article_questions(index):
    # "제6조" vs its neighbour "제6조의2": the title makes the difference
    assert reason(verify(item("6", f"{LAW} 제6조(보고)"), index)) == (True, "ok")
    assert reason(verify(item("제6조의2", f"{LAW} 제6조의2(과징금)"), index)) == (True, "ok")


@pytest.mark.parametrize("it,expected", [
    (item("제3조", ""), "empty"),
    (item("제3조", "   ", question="질문"), "empty"),
    (item("제3조", SCAM, question=""), "empty"),
    (item("제3조", "징"), "too_short"),
    (item("제3조", SCAM, question=f"다음 문장이 맞는가? {SCAM}"), "answer_in_question"),
    (item("제3조", SCAM, law="없는법률"), "unknown_law"),
    (item("제99조", SCAM), "unknown_article"),
    (item("제5조", "삭제된 조문의 내용"), "deleted_article"),
    (item("제3조", SCAM.replace("10년", "20년")), "number_not_in_article"),
    (item("제6조", "가상자산사업자는 매 분기 종료 후 30일 이내에 보고하여야 한다."), "number_not_in_article"),
    (item("제6조의2", "이익의 100분의 10에 해당하는 금액을 과징금으로 부과할 수 있다."), "number_not_in_article"),
    (item("제3조", "제2항의 미수범은 처벌한다."), "number_not_in_article"),  # the article says 제1항
    (item("제1조", "피고인은 손해배상 책임을 지며 법원은 원고에게 위자료 지급을 명할 수 있다."), "low_overlap"),
    # The penalty clause alone is word for word in 제4조 too: it does not pin down its article.
    (item("제3조", "10년 이하의 징역 또는 5천만원 이하의 벌금에 처한다."), "neighbour_support"),
])
def test_rejects_with_reason(index, it, expected):
    v = verify(it, index)
    assert not v.accepted and v.reason == expected


def test_number_check_can_be_switched_off_and_thresholds_matter(index):
    wrong_number = item("제3조", SCAM.replace("10년", "20년"))
    assert verify(wrong_number, index, VerifyConfig(check_numbers=False)).accepted
    half = item("제1조", "이 법은 가상자산 시장의 질서를 확립하고 소비자 피해를 예방하며 분쟁을 신속히 해결한다.")
    own = verify(half, index, VerifyConfig(min_containment=0.0)).containment
    assert 0.2 < own < 0.9
    assert verify(half, index, VerifyConfig(min_containment=own - 0.01)).accepted
    assert verify(half, index, VerifyConfig(min_containment=own + 0.01)).reason == "low_overlap"


def test_margin_against_neighbours(index):
    ans = "미성년자의 사리분별력 부족을 이용하여 가상자산을 교부받은 자"
    v = verify(item("제4조", ans), index)
    assert v.accepted
    strict = VerifyConfig(min_margin=v.containment - v.neighbour_best + 0.01)
    assert verify(item("제4조", ans), index, strict).reason == "neighbour_support"
    # with no neighbours considered, the shared penalty clause is accepted
    shared = item("제3조", "10년 이하의 징역 또는 5천만원 이하의 벌금에 처한다.")
    assert verify(shared, index, VerifyConfig(neighbours=0)).accepted


def test_human_items_get_structural_checks_only(index):
    human = {"question": "가상자산사업자의 보고 의무가 있는가?", "answer": "있습니다. 관련 규정에 따라 보고하여야 합니다.",
             "law": "", "article": "", "human": True, "source": "interpretation"}
    assert reason(verify(human, index)) == (True, "ok")
    assert verify({**human, "answer": ""}, index).reason == "empty"


def test_verify_items_keeps_rejects_counts_reasons_and_flags_duplicates(index):
    items = [item("제3조", SCAM), item("제3조", SCAM), item("제99조", SCAM), item("제2조", "")]  # 3rd: worse fault first
    rep = verify_items(items, index)
    assert [it["verdict"]["reason"] for it in rep.accepted] == ["ok"]
    assert [it["verdict"]["reason"] for it in rep.rejected] == ["duplicate", "unknown_article", "empty"]
    assert rep.counts == {"ok": 1, "duplicate": 1, "unknown_article": 1, "empty": 1}
    table = rep.table(by="source")
    assert table["n"].sum() == 4 and set(table["reason"]) == set(rep.counts)
    with pytest.raises(ValueError, match="ngram"):
        verify_items(items, index, VerifyConfig(ngram=2))


def test_index_validates_its_input():
    with pytest.raises(ValueError, match="text"):
        ArticleIndex(pd.DataFrame([{"law": LAW, "article": "제1조", "article_no": "1", "title": ""}]))


@pytest.mark.parametrize("text,value", [
    ("5천만", 5e7), ("1억5천만", 1.5e8), ("1억 5천만", 1.5e8), ("2,000", 2000), ("300만", 3e6), ("10", 10), ("1.5", 1.5),
])
def test_korean_number(text, value):
    assert korean_number(text) == value


def test_quantities_ignore_article_numbers_and_amendment_dates():
    q = quantities("제3조제1항에 따라 3년 이하의 징역 또는 1천만원 이하의 벌금 <개정 2025.12.23> 100분의 5")
    assert q == {(3.0, "년"), (1e7, "원"), ("5/100", "분의"), ("3", "조"), ("1", "항")}
    assert quantities("제2조의3 제 4 호") == {("2의3", "조"), ("4", "호")}
    assert strip_annotations("처한다. <개정 2025.12.23>") == "처한다."
    # a long digit run without a unit must not blow up the regex (it once backtracked exponentially)
    assert quantities("번호 " + "1" * 200 + " 끝") == set()


def test_config_refuses_impossible_settings():
    for bad in (dict(ngram=0), dict(min_containment=1.5), dict(min_containment=-0.1), dict(neighbours=-1),
                dict(min_answer_chars=-1)):
        with pytest.raises(ValueError):
            VerifyConfig(**bad)
