"""The split rules: stable hashing and appeal chains kept in one split."""
from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from lexlab.data import splits


def test_split_of_is_stable_and_roughly_proportional():
    assert splits.split_of("case:2020도1234") == splits.split_of("case:2020도1234")
    got = Counter(splits.split_of(f"statute:형법:{i}") for i in range(3000))
    assert 0.07 < got["dev"] / 3000 < 0.13 and 0.07 < got["test"] / 3000 < 0.13
    assert splits.split_of("x", dev=0, test=0) == "train"
    with pytest.raises(ValueError):
        splits.split_of("x", dev=0.8, test=0.8)


def test_case_split_keeps_appeal_chain_together():
    # find ids whose own splits differ, then link them: the chain must take the Supreme Court's split
    ids = [f"2020도{i}" for i in range(200)]
    own = {c: splits.split_of(splits.case_key(c)) for c in ids}
    top = next(c for c in ids if own[c] == "test")
    lows = [c for c in ids if own[c] == "train"][:2]
    df = pd.DataFrame({"case_id": [top, lows[0], lows[1]], "court": ["대법원", "서울고등법원", "서울중앙지방법원"],
                       "date": ["2021-01-01", "2020-06-01", "2019-01-01"],
                       "lower_case_ids": [[lows[0]], [lows[1]], []]})
    assert splits.case_split(df).tolist() == ["test", "test", "test"]
    alone = pd.DataFrame({"case_id": lows, "court": ["대법원"] * 2, "date": ["x", "y"], "lower_case_ids": [[], []]})
    assert splits.case_split(alone).tolist() == ["train", "train"]


def test_a_law_its_decree_and_its_rules_are_one_family():
    family = {splits.law_family(x) for x in ("근로기준법", "근로기준법 시행령", "근로기준법 시행규칙")}
    assert family == {"근로기준"}
    assert splits.law_family("금융기관 검사 및 제재에 관한 규정 시행세칙") == splits.law_family("금융기관검사및제재에관한규정")
    assert splits.law_family("형법") != splits.law_family("근로기준법")
    assert splits.law_family_key("상법 시행령") == splits.law_family_key("상법")
