"""Reference-based checks: holding coverage by sentence, invented numbers, citation correctness, ROUGE-L."""
from __future__ import annotations

import pytest

from lexlab.judging import reference

REFERENCE = ("[1] 사기죄의 기망행위는 재산상 거래관계에서 신의와 성실의 의무를 저버리는 모든 행위를 말한다. "
             "[2] 편취의 고의는 범행 전후의 재력과 환경 등 객관적 사정을 종합하여 판단한다.")
DECISION = ("피고인은 2019. 3. 5. 피해자로부터 3,000만 원을 받았다. 형법 제347조 제1항을 적용한다. "
            "(대법원 2016. 1. 1. 선고 2016도1111 판결 참조)")


def test_reference_splits_into_its_holdings():
    assert len(reference.split_sentences(REFERENCE)) == 2


def test_coverage_counts_holding_sentences_some_summary_sentence_states():
    one = "원심은 잘못이 있다. 사기죄의 기망행위란 거래관계에서 신의와 성실의 의무를 저버리는 모든 행위이다."
    assert reference.holding_coverage(one, REFERENCE) == (0.5, 2)
    assert reference.holding_coverage(REFERENCE, REFERENCE)[0] == 1.0
    boiler = "원심판결 이유를 기록에 비추어 살펴보면 원심의 판단은 정당하고 법리오해의 위법이 없다."
    assert reference.holding_coverage(boiler, REFERENCE)[0] == 0.0


def test_rouge_l_rewards_boilerplate_that_states_no_holding():
    """The point of the checks: ROUGE-L (characters) gives a holding-free sentence a visible score."""
    boiler = "사기죄의 성립 여부는 재산상 거래관계의 모든 사정을 종합하여 판단하여야 한다는 원심의 판단은 정당하다."
    assert reference.rouge_l(boiler, REFERENCE) > 0.3
    assert reference.holding_coverage(boiler, REFERENCE)[0] == 0.0
    assert reference.rouge_l(REFERENCE, REFERENCE) == pytest.approx(1.0)


def test_invented_numbers_are_compared_by_value_and_unit():
    assert reference.invented_numbers("피해액은 3천만원이다.", DECISION) == []          # 3,000만 원 = 3천만원
    assert reference.invented_numbers("피해액은 5천만원이고 징역 2년이다.", DECISION) == ["2년", "5e+07원"]
    assert reference.invented_numbers("형법 제347조 제1항을 적용한다.", DECISION) == []


def test_citations_are_right_when_the_decision_cites_them():
    n, wrong = reference.wrong_citations("형법 제347조와 대법원 2016도1111 판결에 따른다.", ["형법 제347조"], DECISION)
    assert (n, wrong) == (2, [])
    n, wrong = reference.wrong_citations("형법 제355조와 대법원 2017도9999 판결에 따른다.", ["형법 제347조"], DECISION)
    assert n == 2 and wrong == ["형법 제355조", "2017도9999"]
    # the former version of a law ("구 …") is the same law for this check
    assert reference.wrong_citations("구 형법 제347조에 의하면", ["형법 제347조"], DECISION)[1] == []


def test_a_date_is_not_a_case_number():
    n, wrong = reference.wrong_citations("피고인은 2019년 3월 5일 기망하였다.", [], DECISION)
    assert (n, wrong) == (0, [])
    assert reference.wrong_citations("대법원 2010도 2556 판결", [], DECISION)[1] == ["2010도2556"]
