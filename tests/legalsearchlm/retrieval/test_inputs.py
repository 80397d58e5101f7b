"""Retrieval inputs that used to give silently wrong results (or tracebacks) are refused with file:line messages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from lexlab import cli
from lexlab.legalsearchlm.retrieval import excluded_ids
from lexlab.workbench.io import ParseError, read_jsonl, read_trec_qrels

CORPUS = [{"id": "d1", "text": "사기 기망 재물"}, {"id": "d2", "text": "절도 재물 타인"}, {"id": "d3", "text": "사기 재물"}]


def _jsonl(path: Path, rows, raw: bytes | None = None) -> str:
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def _retrieve(tmp_path, capsys, *extra, queries=None, corpus=None):
    q = _jsonl(tmp_path / "q.jsonl", queries or [{"id": "q1", "text": "사기 재물"}])
    c = corpus or _jsonl(tmp_path / "c.jsonl", CORPUS)
    rc = cli.main(["retrieve", "--method", "bm25", "--corpus", c, "--queries", q, "--out", str(tmp_path / "r.trec"),
                   "--no-progress", *extra])
    return rc, capsys.readouterr().err


def test_index_of_another_corpus_is_refused(tmp_path, capsys):
    assert _retrieve(tmp_path, capsys, "--index", str(tmp_path / "idx"))[0] == 0
    other = _jsonl(tmp_path / "other.jsonl", [{"id": "x1", "text": "교통 사고"}, {"id": "x2", "text": "사기 재물"}])
    rc, err = _retrieve(tmp_path, capsys, "--index", str(tmp_path / "idx"), corpus=other)
    assert rc == 2 and "was built from another corpus than" in err
    assert _retrieve(tmp_path, capsys, "--index", str(tmp_path / "idx"))[0] == 0  # the same corpus reuses it


@pytest.mark.parametrize("queries, message", [
    ([{"id": "q1", "text": "사기", "exclude": "d1"}], "q.jsonl:1: field 'exclude': expected a list of ids"),
    ([{"id": "q1", "text": "사기"}, {"id": "", "text": "재물"}], "q.jsonl:2: field 'id'"),
    ([{"id": ["a", "b"], "text": "사기"}], "q.jsonl:1: field 'id': expected a string or integer"),
    ([{"id": "a b", "text": "사기"}, {"id": "a_b", "text": "재물"}],
     "q.jsonl:2: field 'id': id 'a_b' is the same in TREC files as 'a b' (first at"),
])
def test_bad_queries_are_reported_with_file_and_line(tmp_path, capsys, queries, message):
    rc, err = _retrieve(tmp_path, capsys, queries=queries)
    assert rc == 2 and message in err


def test_a_string_exclude_never_iterates_characters():
    with pytest.raises(ValueError, match="'exclude' must be a list"):
        excluded_ids({"id": "q1", "exclude": "d1"})
    assert excluded_ids({"id": "q1", "exclude": ["d1"]}) == {"q1", "d1"}


@pytest.mark.parametrize("args, message", [
    (["--k", "0"], "argument --k: must be at least 1"),
    (["--k", "-2"], "argument --k: must be at least 1"),
    (["--opt", "k_one=1.5"], "--opt k_one: not an option of bm25; options: b, k1, method, tokenizer"),
    (["--opt", "k1=abc"], "--opt k1='abc': expected float"),
])
def test_bad_k_and_options(tmp_path, capsys, args, message):
    if args[0] == "--k":
        with pytest.raises(SystemExit):
            _retrieve(tmp_path, capsys, *args)
        assert message in capsys.readouterr().err
    else:
        rc, err = _retrieve(tmp_path, capsys, *args)
        assert rc == 2 and message in err


def test_tracebacks_become_messages(tmp_path, capsys):
    rc, err = _retrieve(tmp_path, capsys, corpus=_jsonl(tmp_path / "bad.jsonl", None, raw=b'{"id": "d1", "text": "\xff"}\n'))
    assert rc == 2 and "bad.jsonl:1: field 'encoding': not UTF-8" in err
    (tmp_path / "outdir").mkdir()
    q = _jsonl(tmp_path / "q.jsonl", [{"id": "q1", "text": "사기"}])
    assert cli.main(["retrieve", "--method", "bm25", "--corpus", _jsonl(tmp_path / "c.jsonl", CORPUS), "--queries", q,
                     "--out", str(tmp_path / "outdir"), "--no-progress"]) == 2
    assert "is a directory" in capsys.readouterr().err
    idx = tmp_path / "idx"
    assert _retrieve(tmp_path, capsys, "--index", str(idx))[0] == 0
    (idx / "retriever.json").write_text("{broken", encoding="utf-8")
    rc, err = _retrieve(tmp_path, capsys, "--index", str(idx))
    assert rc == 2 and "retriever.json: field 'json': corrupt index metadata" in err


def _evaluate(tmp_path, capsys, qrels: str, run: str, *extra):
    (tmp_path / "qrels.trec").write_text(qrels)
    (tmp_path / "run.trec").write_text(run)
    rc = cli.main(["evaluate-run", "--qrels", str(tmp_path / "qrels.trec"), "--run", str(tmp_path / "run.trec"),
                   *extra])
    return rc, capsys.readouterr()


QRELS = "q1 0 d1 1\nq2 0 d2 1\nq3 0 d3 1\n"
RUN = "q1 Q0 d1 1 1.0 t\n"


def test_evaluate_run_says_how_many_queries_it_scores(tmp_path, capsys):
    rc, out = _evaluate(tmp_path, capsys, QRELS, RUN)
    assert rc == 0 and "scoring 1 of 3 qrels queries" in out.err and "--all-qrels scores all 3" in out.err
    rc, out = _evaluate(tmp_path, capsys, QRELS, RUN, "--all-qrels")
    assert rc == 0 and "scoring" not in out.err


@pytest.mark.parametrize("qrels, run, extra, message", [
    ("", RUN, [], "qrels.trec: field 'lines': empty file"),
    (QRELS, "", [], "run.trec: field 'lines': empty file"),
    (QRELS, RUN, ["--metrics", "Foo@5"], "unknown metric 'Foo@5'"),
    (QRELS, RUN, ["--metrics", "P@abc"], "unknown metric 'P@abc'"),
    (QRELS, RUN, ["--json", "/nonexistent-dir/x.json"], "folder /nonexistent-dir does not exist"),
    ("q1 0 d1 1\nq1 0 d1 0\n", RUN, [], "qrels.trec:2: field 'docid': duplicate judgement"),
])
def test_evaluate_run_bad_input_is_a_message(tmp_path, capsys, qrels, run, extra, message):
    rc, out = _evaluate(tmp_path, capsys, qrels, run, *extra)
    assert rc == 2 and message in out.err


def test_readers_report_duplicates_and_encoding(tmp_path):
    (tmp_path / "q.trec").write_text("q1 0 d1 1\nq1 0 d1 0\n")
    with pytest.raises(ParseError, match="duplicate judgement"):
        read_trec_qrels(tmp_path / "q.trec")
    (tmp_path / "x.jsonl").write_bytes(b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "\xc3"}\n')
    with pytest.raises(ParseError, match=r"x.jsonl:2: field 'encoding'"):
        read_jsonl(tmp_path / "x.jsonl")
