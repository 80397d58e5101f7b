"""A team's own labelled documents: the hand-written lease clauses load, bad spans are refused by file, line
and field, and the same stage code trains and scores on them."""
from __future__ import annotations

import json

import pytest

from lexlab.clauses import byo, dataset, evaluate
from lexlab.clauses.config import ClauseConfig
from lexlab.workbench.io import ParseError
from testdata import FIXTURES

TRAIN, TEST = FIXTURES / "clauses" / "lease_train.jsonl", FIXTURES / "clauses" / "lease_test.jsonl"


def test_fixture_loads_with_its_spans():
    docs = byo.load_labelled(TRAIN, split="train")
    assert len(docs) == 8 and {d.split for d in docs} == {"train"}
    first = docs[0]
    assert first.text[first.spans[0].start:first.spans[0].end] == "다만, 잔금은 입주일에 지급할 수 있다."
    assert byo.labels_of(docs)[:1] == ["단서"] and set(byo.labels_of(docs)) == {"단서", "해지", "위약금", "준용"}


@pytest.mark.parametrize("spans, field, words", [
    ([{"start": 0, "end": 4, "label": "단서"}, {"start": 2, "end": 6, "label": "단서"}], "spans[1]", "overlaps"),
    ([{"start": 0, "end": 99, "label": "단서"}], "spans[0].end", "outside the text"),
    ([{"start": 0, "end": 3, "label": "환불"}], "spans[0].label", "unknown label '환불'"),
    ([{"start": "0", "end": 3, "label": "단서"}], "spans[0].start", "expected int"),
])
def test_bad_spans_name_file_line_and_field(tmp_path, spans, field, words):
    path = tmp_path / "bad.jsonl"
    good = {"id": "a", "text": "임차인은 지급한다.", "spans": []}
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n"
                    + json.dumps({**good, "id": "b", "spans": spans}, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(ParseError) as err:
        byo.load_labelled(path, labels=["단서", "해지"])
    assert err.value.path == f"{path}:2" and err.value.field == field and words in err.value.message


def test_the_stage_trains_and_scores_on_own_documents():
    cfg = ClauseConfig(data="jsonl", task="span", jsonl_train=str(TRAIN), jsonl_test=str(TEST), models="rules",
                       report_to="none")
    ds = dataset.build(cfg)
    assert len(ds.train) == 8 and len(ds.test) == 3 and set(ds.labels) == {"단서", "해지", "위약금", "준용"}
    result = evaluate.run_model("rules", cfg, ds)
    table = evaluate.per_type_table([result], ds.labels).set_index("type")
    # the rules know the statutes' markers (다만, 준용한다), not a team's own labels
    assert table.loc["단서", "recall"] == 1.0 and table.loc["준용", "f1"] == 1.0
    assert table.loc["해지", "predicted"] == 0 and table.loc["위약금", "recall"] == 0.0
    with pytest.raises(ValueError, match="set task=span"):
        ClauseConfig(data="jsonl", jsonl_train=str(TRAIN))
