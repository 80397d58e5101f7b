"""Numbers in an answer must be in a cited article; failing answers are flagged and withheld by default."""
from __future__ import annotations

from lexlab.ask import guardrails

ARTICLE = "형법 제347조(사기) ① 사람을 기망하여 … 10년 이하의 징역 또는 2천만원 이하의 벌금에 처한다."


def test_numbers_stated_in_the_article_pass_in_any_notation():
    answer, flags = guardrails.check("10년 이하 징역이나 20,000,000원 이하 벌금입니다.", [ARTICLE], "fallback")
    assert flags == [] and answer.startswith("10년")


def test_an_invented_penalty_is_flagged_and_withheld():
    answer, flags = guardrails.check("사기죄는 15년 이하의 징역에 처합니다.", [ARTICLE], "인용 조문")
    assert flags[0] == "number_not_in_citation:15년" and "withheld" in flags
    assert answer == "인용 조문"


def test_withholding_can_be_turned_off_but_the_flag_stays():
    answer, flags = guardrails.check("제350조에 따라 처벌됩니다.", [ARTICLE], "인용 조문", withhold=False)
    assert answer.startswith("제350조") and flags == ["number_not_in_citation:350조"]


def test_every_answer_carries_the_notice_on_one_line():
    assert "\n" not in guardrails.NOTICE and "법률 자문이 아닙니다" in guardrails.NOTICE
    text = guardrails.with_notice("답")
    assert text.splitlines()[-1] == guardrails.NOTICE and guardrails.without_notice(text) == "답"
