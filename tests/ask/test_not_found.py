"""The "not found" decision and its calibration on dev questions."""
from __future__ import annotations

import pytest

from lexlab.ask.not_found import Calibration, calibrate, decide


def test_decide_names_its_reason():
    assert decide(5.0, True, 1.0) == "unknown_law"
    assert decide(0.5, False, 1.0) == "low_confidence"
    assert decide(1.0, False, 1.0) is None


def test_calibrate_takes_the_highest_threshold_within_the_false_not_found_target():
    conf = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 2, 3]
    answerable = [True] * 10 + [False] * 3
    cal = calibrate(conf, [False] * 13, answerable, max_false_not_found=0.2)
    # thresholds 3 leaves 2/10 answerable below it (1, 2): allowed; 4 would drop 3/10
    assert cal.threshold == 3
    assert cal.dev_false_not_found == pytest.approx(0.2) and cal.dev_caught == pytest.approx(2 / 3)


def test_unknown_law_counts_in_both_rates():
    cal = calibrate([5, 5, 5, 5], [True, False, True, False], [True, True, False, False], 0.5)
    assert cal.dev_false_not_found == 0.5 and cal.dev_caught >= 0.5


def test_calibration_needs_both_kinds_and_round_trips(tmp_path):
    with pytest.raises(ValueError, match="answerable and unanswerable"):
        calibrate([1, 2], [False, False], [True, True])
    cal = calibrate([3, 2, 1], [False] * 3, [True, True, False], 0.0)
    assert Calibration.load(cal.save(tmp_path / "c.json")) == cal
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.json"):
        Calibration.load(tmp_path / "bad.json")


@pytest.mark.parametrize("question, reason", [
    ("What is the punishment for fraud?", "not_korean"), ("What does 형법 say about fraud?", "not_korean"),
    ("<b>hello</b>", "not_korean"), ("사기죄의 처벌은?", None), ("CCTV 설치 기준은?", None),
])
def test_a_question_that_is_not_korean_is_out_of_scope(question, reason):
    from lexlab.ask import not_found

    assert not_found.out_of_scope(not_found.clean_question(question)) == reason


def test_markup_is_not_part_of_the_question():
    from lexlab.ask.not_found import clean_question

    assert clean_question('<div class="q"><p>사기죄의 <b>처벌</b>은?</p></div><script>var x=1;</script>') == \
        "사기죄의 처벌 은?"
    assert clean_question("**사기죄**의 `처벌`은? [링크](https://x.y/z) &nbsp;") == "사기죄 의 처벌 은? 링크"
