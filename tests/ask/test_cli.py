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


@pytest.mark.parametrize("question", ["What is the punishment for fraud?",
                                      "<div><p>What is the punishment for fraud?</p></div>"])
def test_an_english_or_markup_question_is_not_found(snap, question, capsys):
    """They used to get found:true citing an unrelated article."""
    assert main(["ask", question, "--snapshot", snap, "--json", "--threshold", "0", "--no-progress"]) == 0
    rec = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert not rec["found"] and "not_found:not_korean" in rec["flags"] and not rec["citations"]


def test_markup_around_a_question_does_not_change_its_answer(snap, capsys):
    plain = "부정한 방법으로 시험에 응시한 자는 어떻게 처벌되나요?"
    for q in (plain, f"<p><b>{plain}</b></p>"):
        assert main(["ask", q, "--snapshot", snap, "--json", "--no-progress"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.strip().splitlines()[-2:])
    assert first["citations"] == second["citations"] and first["found"]


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_non_finite_threshold_is_refused(snap, value, capsys):
    """--threshold nan disabled "not found" (a weather question was answered)."""
    assert main(["ask", "오늘 날씨는?", "--snapshot", snap, f"--threshold={value}", "--no-progress"]) == 2
    assert "threshold must be a finite number" in capsys.readouterr().err


def test_json_output_parses_on_first_use(snap, tmp_path, monkeypatch, capsys):
    """"calibrating…" went to stdout before the JSON."""
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path / "fresh-work"))
    assert main(["ask", "응시자란 무엇인가요?", "--snapshot", snap, "--json"]) == 0
    json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("content, message", [("", "holds no question"),
                                              ('{"id": "a", "question": ["a", "list"]}\n', "must be text")])
def test_an_empty_file_or_a_list_question_is_refused(snap, tmp_path, content, message, capsys):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text(content, encoding="utf-8")
    assert main(["ask", "--questions", str(qfile), "--snapshot", snap, "--no-progress"]) == 2
    assert message in capsys.readouterr().err


def test_another_snapshot_with_the_same_version_name_gets_its_own_index(tmp_path, capsys):
    """--snapshot of a second snapshot named like the first silently used the first one's cached index."""
    from lexlab.data.snapshot import build_snapshot
    from lexlab.data.sources import JsonlSource, StatutesSource

    law_api = StatutesSource(FIXTURES / "data" / "pkg" / "law_api")
    build_snapshot(tmp_path / "one", [law_api], version="same", progress=False)
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"id": "x", "law": "우주법", "article": "제1조", "article_no": "1", "title": "목적",
                                 "text": "제1조(목적) 이 법은 달 착륙선의 등록 절차를 정한다."}, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    from lexlab.ask.statute_index import load_statute_index

    first = load_statute_index(str(tmp_path / "one" / "same"), progress=False)
    build_snapshot(tmp_path / "two", [law_api, JsonlSource(extra, table="statutes")], version="same", progress=False)
    second = load_statute_index(str(tmp_path / "two" / "same"), progress=False)
    assert first.source != second.source and len(second) == len(first) + 1


def test_ask_with_its_index_built_needs_no_lock(snap, monkeypatch, capsys):
    """A read-only LEXLAB_WORK crashed `ask` creating a lock even with its index built (root ignores file modes,
    so the lock is made to fail the way a read-only directory fails it)."""
    import filelock

    assert main(["ask", "응시자란 무엇인가요?", "--snapshot", snap, "--json", "--no-progress"]) == 0

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(filelock, "FileLock", read_only)
    assert main(["ask", "응시자란 무엇인가요?", "--snapshot", snap, "--json", "--no-progress"]) == 0


def test_lay_routing_options_reach_the_retriever(snap, capsys):
    rc = main(["ask", "응시자란 무엇인가요?", "--snapshot", snap, "--json", "--no-progress", "--lay-weight", "0",
               "--lay-below", "2"])
    assert rc == 0 and set(json.loads(capsys.readouterr().out.strip().splitlines()[-1])) == CONTRACT
    assert main(["ask", "응시자란 무엇인가요?", "--snapshot", snap, "--no-progress", "--lay-weight", "-1"]) == 2
    assert "lay_weight" in capsys.readouterr().err
