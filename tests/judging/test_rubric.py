"""Rubric files: the shipped ones load, the judge's answer is validated against them, and a malformed file is an
error naming the file and the field."""
from __future__ import annotations

import pydantic
import pytest

from lexlab.judging.rubric import RUBRIC_DIR, load_rubric, parse_rubric
from lexlab.workbench.io import ParseError
from testdata import FIXTURES


@pytest.mark.parametrize("name", sorted(p.stem for p in RUBRIC_DIR.glob("*.yaml")))
def test_every_shipped_rubric_loads_with_an_anchor_per_point(name):
    rubric = load_rubric(name)
    assert rubric.criteria and rubric.scale[0] == 1
    for c in rubric.criteria:
        assert sorted(c.anchors) == list(rubric.scale) and all(c.anchors.values())


def test_case_summary_rubric_has_the_legal_teams_criteria():
    assert load_rubric("case_summary").names == ["holding_stated", "key_facts_kept", "no_invented_facts",
                                                 "neutral_tone"]


def test_answer_model_accepts_scores_in_the_scale_and_refuses_others():
    rubric = load_rubric("ask_answer")
    model = rubric.answer_model()
    good = {"scores": {n: 3 for n in rubric.names}, "reasons": {n: "조문 인용" for n in rubric.names}}
    assert model.model_validate(good).scores.correct_in_substance == 3
    for bad in ({**good, "scores": {**good["scores"], "says_not_found": 4}},      # above the scale
                {**good, "scores": {"correct_in_substance": 3}},                   # a criterion missing
                {"scores": good["scores"]}):                                       # no reasons
        with pytest.raises(pydantic.ValidationError):
            model.model_validate(bad)


@pytest.mark.parametrize("file, field, words", [
    ("anchor_missing.yaml", "criteria[0].anchors", "do not match the scale"),
    ("bad_scale.yaml", "scale", "consecutive integers"),
])
def test_a_malformed_rubric_file_names_file_and_field(file, field, words):
    path = FIXTURES / "judging" / file
    with pytest.raises(ParseError) as err:
        load_rubric(str(path))
    assert err.value.field == field and str(path) in str(err.value) and words in str(err.value)


@pytest.mark.parametrize("raw, field", [
    ({"scale": [1, 2], "criteria": []}, "name"),
    ({"name": "x", "scale": [1, 2], "criteria": []}, "criteria"),
    ({"name": "x", "scale": [1, 2], "criteria": [{"name": "a", "question": "q", "anchors": {1: "", 2: "b"}}]},
     "criteria[0].anchors.1"),
    ({"name": "x", "scale": [1, 2], "criteria": [{"name": "a", "anchors": {1: "a", 2: "b"}}]}, "criteria[0].question"),
    ({"name": "x", "scale": [1, 2], "criteria": [{"name": "a", "question": "q", "anchors": {1: "a", 2: "b"}}] * 2},
     "criteria"),
])
def test_each_missing_or_bad_field_is_named(raw, field):
    with pytest.raises(ParseError) as err:
        parse_rubric(raw, "r.yaml")
    assert err.value.field == field


def test_an_unknown_rubric_name_lists_the_known_ones():
    with pytest.raises(ParseError, match="case_summary"):
        load_rubric("no_such_rubric")
