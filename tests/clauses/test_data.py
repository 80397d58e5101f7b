"""The statute data set: the title is the label and never the input; a law family never spans two splits."""
from __future__ import annotations

import re
from collections import defaultdict

import pytest

from lexlab.clauses import data
from lexlab.clauses.types import OTHER, clause_type
from lexlab.data import splits


def _article(law, no, title, text, deleted=False):
    return {"law": law, "article_no": no, "title": title, "text": text, "deleted": deleted}


def test_title_is_the_label_and_is_stripped_from_the_input():
    arts = [_article("근로기준법", "1", "목적", "제1조(목적) 이 법은 근로조건의 기준을 정함을 목적으로 한다."),
            _article("근로기준법", "2", "정의", "(정의) ① 이 법에서 사용하는 용어의 뜻은 다음과 같다."),
            _article("근로기준법", "3", "삭제", "삭제 <2020. 1. 1.>", deleted=True),
            _article("근로기준법", "4", "", "제목 없는 조문"),
            _article("근로기준법", "5", "준용", "제3조제1항에 관하여는 제2조를 준용한다.")]
    got = data.statute_examples(arts)
    assert [(e.label, e.text) for e in got] == [
        ("목적", "이 법은 근로조건의 기준을 정함을 목적으로 한다."),
        ("정의", "① 이 법에서 사용하는 용어의 뜻은 다음과 같다."),
        ("준용", "제3조제1항에 관하여는 제2조를 준용한다.")]  # a body that starts with a reference keeps it
    assert got[0].title == "목적" and got[0].id == "근로기준법:1"


def test_one_table_maps_titles_to_types_and_the_tail_to_other():
    assert clause_type("벌칙") == "벌칙" and clause_type("벌칙 적용에서 공무원 의제") == "공무원의제"
    assert clause_type("권한의 위임ㆍ위탁") == "위임위탁" and clause_type("적용 범위") == "적용범위"
    assert clause_type("「민법」의 준용") == "준용" and clause_type("정관") == OTHER
    rare = data.group_rare([data.Example("a", "x", "벌칙"), data.Example("b", "y", "목적"),
                            data.Example("c", "z", "목적")], min_articles=2)
    assert [e.label for e in rare] == [OTHER, "목적", "목적"]


def test_split_follows_the_law_family():
    arts = [_article(law, str(i), "벌칙", f"{law} 제{i}조 위반은 벌금에 처한다.")
            for law in ("근로기준법", "근로기준법 시행령", "근로기준법 시행규칙", "상법", "상법 시행령") for i in range(3)]
    got = data.statute_examples(arts, dev=0.3, test=0.3)
    by_family = defaultdict(set)
    for e in got:
        by_family[e.group].add(e.split)
        assert e.split == splits.split_of(splits.law_family_key(e.id.split(":")[0]), dev=0.3, test=0.3)
    assert set(by_family) == {"근로기준", "상"} and all(len(s) == 1 for s in by_family.values())


@pytest.mark.data
def test_installed_statutes_no_law_in_two_splits_and_no_title_in_the_input():
    examples = data.statute_examples(data.load_statute_articles("package"))
    assert len(examples) > 10_000
    seen_law, seen_family = defaultdict(set), defaultdict(set)
    for e in examples:
        seen_law[e.id.rsplit(":", 1)[0]].add(e.split)
        seen_family[e.group].add(e.split)
        assert not re.match(r"^\s*(###\s*)?제\s?\d+(-\d+)?\s?조(의\d+)?\s*\(", e.text), e.id
        assert not e.text.startswith(f"({e.title})"), e.id
    assert all(len(s) == 1 for s in seen_law.values()) and all(len(s) == 1 for s in seen_family.values())
    assert {s for v in seen_family.values() for s in v} == {"train", "dev", "test"}
    counts = data.type_counts(data.group_rare(examples, 20))
    assert counts.loc["벌칙", "all"] >= 100 and counts.index[0] == OTHER
