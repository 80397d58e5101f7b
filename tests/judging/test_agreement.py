"""Cohen's kappa on hand-computed examples, and human labels read from JSONL."""
from __future__ import annotations

import math

import pytest

from lexlab.judging import agreement
from lexlab.workbench.io import ParseError
from testdata import FIXTURES


def test_kappa_of_the_textbook_two_by_two():
    # 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    # p_o = 35/50 = 0.7; A says yes 25/50, B 30/50: p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert agreement.cohen_kappa(a, b) == pytest.approx(0.4)


def test_weighted_kappa_by_hand_on_a_three_point_scale():
    # a = [1, 2, 3, 3], b = [1, 3, 3, 2]. Observed cells (1,1) (2,3) (3,3) (3,2), each 1/4.
    # Marginals: a (1/4, 1/4, 1/2), b (1/4, 1/4, 1/2). Linear weights |i-j|/2:
    # observed disagreement = (1/4)(1/2) + (1/4)(1/2) = 1/4.
    # expected = sum a_i b_j |i-j|/2 = 2 * [a1 b2 (1/2) + a1 b3 (1) + a2 b3 (1/2)]
    #          = 2 * [1/16 * 1/2 + 1/8 * 1 + 1/8 * 1/2] = 2 * [1/32 + 4/32 + 2/32] = 14/32 = 7/16.
    # kappa_linear = 1 - (1/4) / (7/16) = 1 - 4/7 = 3/7.
    a, b = [1, 2, 3, 3], [1, 3, 3, 2]
    assert agreement.cohen_kappa(a, b, weights="linear") == pytest.approx(3 / 7)
    # Unweighted: p_o = 2/4, p_e = 1/16 + 1/16 + 1/4 = 3/8, kappa = (1/2 - 3/8) / (5/8) = 1/5.
    assert agreement.cohen_kappa(a, b) == pytest.approx(0.2)


def test_perfect_and_chance_agreement():
    assert agreement.cohen_kappa([1, 2, 3], [1, 2, 3]) == pytest.approx(1.0)
    assert math.isnan(agreement.cohen_kappa([1, 1], [1, 1]))  # chance agreement is total: kappa undefined
    with pytest.raises(ValueError):
        agreement.cohen_kappa([1], [1, 2])


def test_labels_from_jsonl_pairs_in_either_order_meet_on_one_key():
    pairwise, rubric = agreement.read_labels(FIXTURES / "judging" / "labels.jsonl")
    key = ("summary:2019도1004", "cited", "lead")  # alphabetical: "cited" first
    assert pairwise["kim"][key] == pairwise["lee"][key] == -1  # both prefer "cited", written in opposite orders
    assert rubric["kim"][("summary:2019도1004", "lead", "holding_stated")] == 4
    rows = agreement.agreement_table({key: -1}, pairwise, [-1, 0, 1])
    human = [r for r in rows if r["a"] == "kim" and r["b"] == "lee"][0]
    assert human["n"] == 2 and human["raw"] == 0.5  # they agree on 2019도1004, not on 2019도1014 (tie vs lead)
    judge_kim = [r for r in rows if r["a"] == "judge" and r["b"] == "kim"][0]
    assert judge_kim["n"] == 1 and judge_kim["raw"] == 1.0


@pytest.mark.parametrize("line, field", [
    ('{"id": "1", "annotator": "a", "kind": "stars", "item_id": "i", "label": 1}', "kind"),
    ('{"id": "1", "annotator": "a", "kind": "pairwise", "item_id": "i", "x": "lead", "label": "lead"}', "y"),
    ('{"id": "1", "annotator": "a", "kind": "pairwise", "item_id": "i", "x": "a", "y": "b", "label": "c"}', "label"),
    ('{"id": "1", "annotator": "a", "kind": "rubric", "item_id": "i", "variant": "v", "criterion": "c", '
     '"label": "3"}', "label"),
    ('{"id": "1", "kind": "rubric", "item_id": "i", "label": 3}', "annotator"),
])
def test_a_bad_label_line_names_file_line_and_field(tmp_path, line, field):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"id": "0", "annotator": "a", "kind": "rubric", "item_id": "i", "variant": "v", '
                    '"criterion": "c", "label": 2}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ParseError) as err:
        agreement.read_labels(path)
    assert err.value.field == field and err.value.path == f"{path}:2"
