"""`lexlab ask` end to end on a fixture snapshot: one question, a batch file, bad input."""
from __future__ import annotations

import json

import pytest
from testdata import FIXTURES

from lexlab.cli import main
from lexlab.workbench.io import read_jsonl

CONTRACT = {"id", "question", "found", "answer", "citations", "retrieved", "flags"}


@pytest.fixture(scope="module")
def snap(tmp_path_factory):
    from lexlab.data.snapshot import build_snapshot
    from lexlab.data.sources import StatutesSource

    root = tmp_path_factory.mktemp("asksnap")
    build_snapshot(root, [StatutesSource(FIXTURES / "data" / "pkg" / "law_api")], version="a1", progress=False)
    return str(root / "a1")


def test_one_question_as_json(snap, capsys):
    rc = main(["ask", "부정한 방법으로 시험에 응시한 자는 어떻게 처벌되나요?", "--snapshot", snap, "--json",
               "--no-progress"])
    out = capsys.readouterr().out.strip().splitlines()
    rec = json.loads(out[-1])
    assert rc == 0 and set(rec) == CONTRACT and rec["found"]
    assert rec["citations"][0]["law"] == "시험법" and rec["citations"][0]["article"] == "제4조"
    assert all(c["article"] != "제3조" for c in rec["retrieved"])  # 제3조 is deleted in the fixture


def test_batch_file_in_batch_file_out(snap, tmp_path, capsys):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text('{"id": "a", "question": "응시자란 무엇인가요?"}\n{"id": "b", "question": "시험법 제2조의2 적용 범위"}\n',
                     encoding="utf-8")
    rc = main(["ask", "--questions", str(qfile), "--out", str(tmp_path / "a.jsonl"), "--snapshot", snap,
               "--threshold", "0", "--no-progress"])
    answers = read_jsonl(tmp_path / "a.jsonl", required=("id", "question"))
    assert rc == 0 and [a["id"] for a in answers] == ["a", "b"] and all(set(a) == CONTRACT for a in answers)
    assert "2 answers" in capsys.readouterr().err


def test_bad_input_is_a_clear_error(snap, tmp_path, capsys):
    qfile = tmp_path / "bad.jsonl"
    qfile.write_text('{"id": "a", "text": "no question field"}\n', encoding="utf-8")
    assert main(["ask", "--questions", str(qfile), "--snapshot", snap, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl" in err and "question" in err
    assert main(["ask", "--snapshot", snap]) == 2  # neither a question nor a file
