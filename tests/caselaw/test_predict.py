"""The vote baseline on a corpus with a known answer, the majority class, and citations dropped when they fail."""
from __future__ import annotations

import pytest

from lexlab.caselaw.answer import AnswerConfig, CaseAnswerer
from lexlab.caselaw.corpus import CaseLaw, Citation
from lexlab.caselaw.outcomes import NOT_FOUND, instance_of, outcome_of
from lexlab.caselaw.predict import Prediction, Question, check_citations, training_majority
from lexlab.caselaw.retrieve import case_retriever

DRUNK_Q = {"id": "2021도45", "case_id": "2021도45", "instance": "상고심",
           "question": "상고심 형사 사건(도로교통법위반(음주운전)). 쟁점: 호흡측정 혈중알코올농도를 위드마크 공식으로 추정. "
           "사실관계: 피고인은 혈중알코올농도 0.08%의 술에 취한 상태로 승용차를 운전하였다."}
LIBEL_Q = {"id": "2021도46", "case_id": "2021도46", "instance": "상고심",
           "question": "상고심 형사 사건(명예훼손). 쟁점: 명예훼손죄 공연성 전파가능성"}


def test_outcome_and_instance_come_from_the_order_and_the_case_number():
    assert outcome_of("상고를 기각한다.") == "상고기각" and outcome_of(None) == "other"
    assert outcome_of("원심판결 중 일부를 파기한다. 나머지 상고를 기각한다.") == "파기"
    assert outcome_of("피고인을 징역 1년에 처한다.") == "other"
    assert instance_of("2019노1", "서울고등법원") == "항소심" and instance_of("(창원)2012노149", "창원지방법원") == "항소심"
    assert instance_of("2019고단1", "서울중앙지방법원") == "제1심" and instance_of("2020도1", "대법원") == "상고심"
    assert training_majority(["파기", "상고기각", "파기"]) == ("파기", pytest.approx(2 / 3))


@pytest.mark.parametrize("method", ["bm25", "lancedb"])
def test_the_vote_of_earlier_precedents_gives_the_known_answer(toy, method):
    """2021도45's issue was dismissed three times before it; the later reversals (2022도1, 2022도2) and its own
    chain's reversal (2019노1), on the same facts, outvote them if the no-future or the chain rule fails."""
    law = CaseLaw(toy)
    options = {"dim": 4} if method == "lancedb" else {}
    answerer = CaseAnswerer(law, case_retriever(method, law, **options), AnswerConfig(k=3, same_instance=False))
    drunk, libel = answerer.answer([DRUNK_Q, LIBEL_Q])
    assert drunk["outcome"] == "상고기각" and libel["outcome"] == "파기"
    for a, banned in ((drunk, {"2021도45", "2019노1", "2022도1", "2022도2"}), (libel, {"2021도46", "2022도1"})):
        cited = {c["case_no"] for c in a["citations"]}
        assert a["found"] and cited and not a["flags"] and 0 < a["confidence"] <= 1
        assert {r["case_no"] for r in a["retrieved"]}.isdisjoint(banned)
        assert all(law.check_citation(c, a["id"]) is None for c in a["citations"])


def test_majority_class_ignores_the_question_and_cites_nothing(toy):
    a = CaseAnswerer(CaseLaw(toy), None, AnswerConfig(generator="majority", majority=("파기", 0.6))).answer([DRUNK_Q])[0]
    assert a["outcome"] == "파기" and a["found"] and a["citations"] == [] and a["retrieved"] == []


def test_a_failing_citation_is_dropped_and_flagged_and_none_left_means_not_found(toy):
    law = CaseLaw(toy)
    q = Question("2021도45", "q", case_id="2021도45")
    good = law.citation("2020도1", "위드마크")
    forged = Citation("2020도2", "대법원", "2020-02-10", "위드마크 공식은 언제나 무효이다.")
    future = law.citation("2022도1", "위드마크")
    pred = check_citations(Prediction("상고기각", "…", 0.9, [good, forged, future]), q, law)
    assert [c.case_no for c in pred.citations] == ["2020도1"] and pred.outcome == "상고기각"
    assert "citation_dropped:2020도2:passage_not_verbatim" in pred.flags
    assert "citation_dropped:2022도1:not_earlier" in pred.flags
    pred = check_citations(Prediction("파기", "…", 0.9, [forged]), q, law)
    assert pred.outcome == NOT_FOUND and "no_citation" in pred.flags


def test_no_earlier_precedent_of_the_instance_is_not_found(toy):
    law = CaseLaw(toy)
    answerer = CaseAnswerer(law, case_retriever("bm25", law), AnswerConfig(k=3))
    a = answerer.answer([{**DRUNK_Q, "instance": "제1심"}])[0]
    assert a["outcome"] == NOT_FOUND and not a["found"] and a["citations"] == []
