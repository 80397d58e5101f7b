"""The Korean CaseHOLD builder: holdings found before their citation, the leak check, hard distractors that are
never the same precedent, a position that carries no signal."""
from __future__ import annotations

import pytest

from judging.decisions import CASES, LEAKING, build
from lexlab.data.snapshot import load_snapshot
from lexlab.judging import casehold


@pytest.fixture(scope="module")
def decisions(tmp_path_factory):
    return load_snapshot(build(tmp_path_factory.mktemp("casehold"))).decisions


def test_a_holding_is_the_sentence_before_its_citation():
    text = "1. 원심은 그렇게 보았다. 2. 사기죄의 기망행위는 신의와 성실의 의무를 저버리는 모든 적극적 또는 소극적 행위를 말한다" \
           "(대법원 2016. 1. 1. 선고 2016도1111 판결 등 참조). 3. 원심은 잘못이다."
    (h,) = casehold.find_holdings("c", text)
    assert h.text.startswith("사기죄의 기망행위는") and h.text.endswith("행위를 말한다")
    assert h.cited == {"2016도1111"}


def test_the_leak_check_drops_a_decision_that_restates_its_holding(decisions):
    items, stats = casehold.build(decisions, split="test", n_options=5)
    test_cases = [c for c in CASES if c[0].startswith("2019")]
    assert stats.questions_considered == len(test_cases) and stats.dropped_leak == 1
    assert LEAKING not in {it.case_id for it in items} and len(items) == len(test_cases) - 1
    for it in items:
        holding = it.options[it.label]
        assert holding not in it.context and casehold.MASK in it.context
        assert casehold.leak_score(holding, it.context) < 0.2
    # with the check off, the leaking item comes back and its score says why it was dropped
    all_items, _ = casehold.build(decisions, split="test", leak_threshold=1.01)
    leaked = next(it for it in all_items if it.case_id == LEAKING)
    assert leaked.leak > 0.9


def test_distractors_are_other_evaluation_decisions_holdings_same_charge_first(decisions):
    items, _ = casehold.build(decisions, split="test")
    by_case = {c[0]: c for c in CASES}
    held_out = {c[3] for c in CASES if c[0].startswith("2019")}  # 2018도 decisions are in train: never options
    for it in items:
        assert len(it.options) == 5 and len(set(it.options)) == 5
        assert set(it.options) <= held_out
        own = by_case[it.case_id]
        assert it.options[it.label] == own[3]
        assert it.cited == [own[4]]
    fraud = next(it for it in items if it.case_id == "2019도1004")
    assert fraud.hard_distractors == 2  # the two other 사기 / 형법 제347조 test decisions; the 횡령 ones fill up


def test_distractors_never_share_the_cited_precedent():
    h = casehold.Holding("q", "같은 판례를 인용한 첫 번째 법리 문장이다 충분히 길게", "", frozenset({"2016도1"}), 0, 0)
    same = casehold.Holding("o1", "전혀 다른 표현이지만 같은 대법원 판례를 인용한 문장이다", "", frozenset({"2016도1"}), 0, 0)
    copy = casehold.Holding("o2", "같은 판례를 인용한 첫 번째 법리 문장이다 충분히 길게!", "", frozenset({"2017도2"}), 0, 0)
    other = casehold.Holding("o3", "업무상횡령죄의 업무는 사실상의 것이어도 된다는 법리이다", "", frozenset({"2017도3"}), 0, 0)
    facts = {c: casehold.CaseFacts("사기", frozenset()) for c in ("q", "o1", "o2", "o3")}
    wrong, hard = casehold.pick_distractors(h, "casehold:q", [same, copy, other], facts, 3, 0)
    assert wrong == [other.text] and hard == 1  # the same precedent and the near-copy are refused


def test_the_right_answers_position_is_spread():
    positions = {casehold.place("r", ["a", "b", "c", "d"], f"casehold:{n}")[1] for n in range(40)}
    assert positions == {0, 1, 2, 3, 4}


def test_the_overlap_baseline_picks_the_option_sharing_most_with_the_context():
    item = casehold.CaseHoldItem("x", "c", "횡령죄의 불법영득의사가 문제된다 [판시]", ["사기죄 기망", "횡령죄 불법영득의사"], 1, [], 0.0)
    assert casehold.overlap_choice(item) == 1


def test_a_distractor_the_context_states_is_refused():
    h = casehold.Holding("q", "정답인 법리 문장으로서 충분히 길게 쓴 것이다", "", frozenset({"2016도1"}), 0, 0)
    seen = casehold.Holding("o1", "문맥에 이미 그대로 나오는 다른 판결의 법리 문장이다", "", frozenset({"2017도2"}), 0, 0)
    other = casehold.Holding("o2", "업무상횡령죄의 업무는 사실상의 것이어도 된다는 법리이다", "", frozenset({"2017도3"}), 0, 0)
    facts = {c: casehold.CaseFacts("사기", frozenset()) for c in ("q", "o1", "o2")}
    context = f"원심은 이렇게 보았다. {seen.text}. [판시](대법원 판결 참조)"
    wrong, _ = casehold.pick_distractors(h, "casehold:q", [seen, other], facts, 2, 0, context, 0.2)
    assert wrong == [other.text]


def test_dates_and_quoted_statutes_do_not_cut_a_holding():
    text = ("구 청소년 보호법(2013. 3. 22. 법률 제11673호로 개정되기 전의 것) 제2조에 의하면 인터넷 사이트 자체도 매체물에 "
            "해당한다(대법원 2007. 6. 14. 선고 2005두4397 판결 등 참조).")
    (h,) = casehold.find_holdings("c", text)
    assert h.text.startswith("구 청소년 보호법(2013. 3. 22.")
    quoted = ("형사소송법 제314조는 \"…증거로 할 수 있다.\"고 규정하고 있는바, 여기서 특히 신빙할 수 있는 상태란 허위개입의 "
              "여지가 거의 없는 것을 말한다(대법원 2006. 9. 28. 선고 2006도3922 판결 등 참조).")
    (q,) = casehold.find_holdings("c", quoted)
    assert q.text.startswith("형사소송법 제314조는")


def test_length_gives_the_answer_away_on_none_of_the_fixture_items(decisions):
    items, _ = casehold.build(decisions, split="test")
    shortest = sum(casehold.length_choice(it) == it.label for it in items)
    assert casehold.length_choice(casehold.CaseHoldItem("x", "c", "", ["aa", "a", "aaa"], 0, [], 0.0)) == 1
    assert casehold.length_choice(casehold.CaseHoldItem("x", "c", "", ["aa", "a", "aaa"], 0, [], 0.0), True) == 2
    assert shortest < len(items)  # the builder does not put the answer in the shortest slot every time
