"""The review database: append-only, decisions with who/when/what/model version, exports that feed training, and
nothing lost when the server is killed."""
from __future__ import annotations

import json
import signal
import sqlite3

import pytest

from lexlab.review import dataset
from lexlab.review.store import ReviewStore, export
from review import served


def test_decisions_are_appended_with_who_when_what_and_model(tmp_path):
    store = ReviewStore(served.make_db(tmp_path / "r.db"))
    assert [d["doc_id"] for d in store.queue()] == ["2020도1#0", "2020도2#1", "2020도3#0"]  # most uncertain first
    a = store.record("2020도1#0", "kim", "accept", reason="맞음")
    e = store.record("2020도3#0", "lee", "edit", [{"start": 4, "end": 7}], "대법관이 아니라 당사자")
    r = store.record("2020도1#0", "kim", "reject")
    assert a["spans"] == store.document("2020도1#0")["model_spans"] and r["spans"] == []
    log = store.audit()
    assert [x["seq"] for x in log] == [1, 2, 3] and log[0]["model_version"] == "test@model-1"
    assert log[1]["reviewer"] == "lee" and log[1]["at"].endswith("+00:00") and log[1]["model_p"] == 0.4
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("UPDATE reviews SET action = 'accept' WHERE seq = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM reviews")
    with pytest.raises(ValueError, match="outside"):
        store.record("2020도3#0", "lee", "edit", [{"start": 0, "end": 999}])
    records = {x["id"]: x for x in store.training_records()}
    assert records["2020도1#0"]["label"] == "not"  # the latest decision counts
    assert records["2020도3#0"]["spans"] == [{"start": 4, "end": 7, "kind": "reviewed"}]
    files = export(store, tmp_path / "out")
    docs = dataset.read_documents(files["reviews.jsonl"], 0.1, 0.1)  # reviews feed training as they are
    assert {d["id"]: d["label"] for d in docs} == {"2020도1#0": "not", "2020도3#0": "privileged"}
    assert files["audit.csv"].read_text(encoding="utf-8").count("\n") == 4
    assert len(e) and e["model_spans"] == []


def test_a_decision_survives_the_server_being_killed(tmp_path):
    db = served.make_db(tmp_path / "r.db")
    with served.serving(db) as (url, proc):
        out = served.post(url + "/api/decisions", {"doc_id": "2020도2#1", "reviewer": "park", "action": "edit",
                                                    "spans": [{"start": 5, "end": 18}, {"start": 24, "end": 27}],
                                                    "reason": "이름 누락"})
        assert out["seq"] == 1 and out["next"] == "2020도1#0"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    log = ReviewStore(db).audit()
    assert len(log) == 1 and log[0]["reviewer"] == "park" and log[0]["reason"] == "이름 누락"
    assert [s["start"] for s in log[0]["spans"]] == [5, 24]
    assert json.loads(json.dumps(log[0]))["model_version"] == "test@model-1"
