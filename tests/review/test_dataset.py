"""The review set: inserted personal data labelled exactly, hard negatives unmarked, splits by decision; BYO input."""
from __future__ import annotations

import json
import re

import pytest

from lexlab.review import dataset, pii, triage
from lexlab.workbench.io import ParseError

KW = dict(positive_fraction=0.5, doc_chars=300, passages_per_decision=2, max_decisions=0, dev=0.2, test=0.2, seed=0)


def test_hard_negatives_are_really_unmarked_and_spans_hold_what_was_inserted(decisions):
    docs = dataset.build_review_set(decisions, **KW)
    negatives = [n for d in docs for n in d["negatives"]]
    assert len(negatives) > 20 and {n["kind"] for n in negatives} >= {"official", "case_number", "date", "amount"}
    for d in docs:
        assert (d["label"] == "privileged") == bool(d["spans"])
        for n in d["negatives"]:
            assert not any(s["start"] < n["end"] and n["start"] < s["end"] for s in d["spans"]), (d["id"], n)
        for s in d["spans"]:
            value = d["text"][s["start"]:s["end"]]
            assert value == value.strip() and value
            if s["kind"] in ("rrn", "phone"):
                assert triage.RULES[s["kind"]].fullmatch(value), value
            if s["kind"] == "name":
                assert value[0] in pii.SURNAMES and "공소외 1" not in value
    kinds = {s["kind"] for d in docs for s in d["spans"]}
    assert kinds == set(pii.PERSONAL)


def test_a_name_replaces_every_occurrence_of_its_mask():
    import random

    for seed in range(20):
        doc = dataset.make_document("x", "c", "공소외 1은 진술하였다. 공소외 1의 계좌이다.", True, 0, random.Random(seed))
        if "공소외 1" not in doc["text"]:
            names = {doc["text"][s["start"]:s["end"]] for s in doc["spans"]}
            assert len(doc["spans"]) == 2 and len(names) == 1
            return
    pytest.fail("no seed replaced the mask in place")


def test_splits_are_disjoint_by_decision_and_follow_appeal_chains(decisions):
    docs = dataset.build_review_set(decisions, **KW)
    split_of = {}
    for d in docs:
        assert split_of.setdefault(d["decision"], d["split"]) == d["split"]
    assert split_of["2010도1000"] == split_of["2019노77"]
    assert {"train", "dev", "test"} == set(split_of.values())
    again = dataset.build_review_set(decisions, **KW)
    assert [d["text"] for d in again] == [d["text"] for d in docs]  # seeded


def test_own_jsonl_is_read_and_bad_lines_name_line_and_field(tmp_path, fixtures_dir):
    docs = dataset.read_documents(fixtures_dir / "review" / "good.jsonl", 0.2, 0.2)
    assert [d["label"] for d in docs] == ["privileged", "not", "privileged"]
    assert docs[0]["text"][docs[0]["spans"][0]["start"]:docs[0]["spans"][0]["end"]] == "홍길동"
    assert docs[2]["split"] == "test"
    bad = {"label": {"id": "1", "text": "가", "label": "secret"},
           "spans[0]": {"id": "1", "text": "가나", "label": "privileged", "spans": [{"start": 0, "end": 9}]},
           "spans": {"id": "1", "text": "가나", "label": "not", "spans": [{"start": 0, "end": 1}]}}
    for field, obj in bad.items():
        path = tmp_path / f"bad{len(field)}.jsonl"
        path.write_text(json.dumps({"id": "0", "text": "a", "label": "not"}) + "\n" + json.dumps(obj, ensure_ascii=False)
                        + "\n", encoding="utf-8")
        with pytest.raises(ParseError, match=rf"{path.name}:2.*{re.escape(repr(field))}"):
            dataset.read_documents(path, 0.2, 0.2)
