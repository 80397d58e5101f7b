"""JSONL input/output, press-release cleaning, and the Source interface."""
from __future__ import annotations

from testdata import FIXTURES
import json

import pytest

from lexlab.data.records import Decision, GeneralDoc
from lexlab.data.sources import JsonlSource, PressSource, clean_press_text, package_path
from lexlab.workbench.io import ParseError, read_jsonl, write_jsonl

DATA = FIXTURES / "data"


def test_read_jsonl_good_file():
    rows = list(read_jsonl(DATA / "jsonl" / "good.jsonl"))
    assert [r["id"] for r in rows] == ["u1", "2"]  # blank line skipped, integer id made a string
    assert rows[0]["title"] == "첫째"


def test_read_jsonl_errors_name_file_line_and_field():
    path = DATA / "jsonl" / "bad.jsonl"
    with pytest.raises(ParseError) as info:
        list(read_jsonl(path))
    assert info.value.path == f"{path}:2" and info.value.field == "text"
    errors: list[dict] = []
    rows = list(read_jsonl(path, on_error="skip", errors=errors))
    assert [r["id"] for r in rows] == ["a"]
    assert [(e["path"].rsplit(":", 1)[1], e["field"]) for e in errors] == [
        ("2", "text"), ("3", "json"), ("4", "id"), ("5", "json"), ("6", "text")]
    assert "duplicate" in errors[2]["error"]


def test_write_jsonl_round_trip(tmp_path):
    recs = [GeneralDoc("d1", "제목", "본문 텍스트", "x"), {"id": "d2", "text": "둘째", "tags": ["가", "나"]}]
    out = tmp_path / "sub" / "out.jsonl"
    assert write_jsonl(recs, out) == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "본문 텍스트" in lines[0]  # Korean written as is, not \u escapes
    assert json.loads(lines[1])["tags"] == ["가", "나"]
    assert not (tmp_path / "sub" / "out.jsonl.tmp").exists()


def test_jsonl_source_general_and_decisions(tmp_path):
    src = JsonlSource(DATA / "jsonl" / "good.jsonl")
    docs = src.load(progress=False)
    assert src.table == "general" and src.name == "jsonl:good.jsonl"
    assert [(d.doc_id, d.source) for d in docs] == [("u1", "jsonl:good.jsonl"), ("2", "jsonl:good.jsonl")]
    f = tmp_path / "dec.jsonl"
    write_jsonl([{"id": "2021도1", "title": "사기", "court": "대법원", "case_type": "형사", "decision_type": "판결",
                  "date": "2021-01-01", "reasoning": "이유", "ref_articles": ["형법 제347조"]},
                 {"id": "2021도2", "title": "사기"}], f)
    errors: list[dict] = []
    decs = JsonlSource(f, table="decisions").load(errors=errors, progress=False)
    assert len(decs) == 1 and isinstance(decs[0], Decision) and decs[0].case_id == "2021도1"
    assert decs[0].source_paths == [str(f)]
    assert errors[0]["field"] == "court"
    with pytest.raises(ValueError):
        JsonlSource(f, table="nope")
    with pytest.raises(FileNotFoundError):
        JsonlSource(tmp_path / "missing.jsonl")


def test_jsonl_source_stops_reading_at_max_items(tmp_path):
    f = tmp_path / "capped.jsonl"
    f.write_text('{"id": "a", "text": "첫째"}\n{"id": "b", "text": "둘째"}\nnot json\n', encoding="utf-8")
    errors: list[dict] = []
    docs = JsonlSource(f).load(on_error="raise", errors=errors, max_items=1, progress=False)
    assert [d.doc_id for d in docs] == ["a"] and errors == []
    with pytest.raises(ParseError):  # the bad line is there: only the cap kept it from being read
        JsonlSource(f).load(on_error="raise", progress=False)


def test_jsonl_source_reports_line_and_record_errors_in_file_order(tmp_path):
    f = tmp_path / "dec.jsonl"
    f.write_text('{"id": "x1", "title": "t"}\nnot json\n{"id": "x2", "title": "t"}\n', encoding="utf-8")
    errors: list[dict] = []
    with pytest.warns(UserWarning, match="skipped 1 bad line"):
        assert JsonlSource(f, table="decisions").load(errors=errors, progress=False) == []
    assert [e["field"] for e in errors] == ["court", "json", "court"]


def test_press_source_cleans_and_refuses_protected():
    src = PressSource("fsc_press", root=DATA / "pkg" / "fsc" / "press_releases")
    (doc,) = src.load(progress=False)
    assert doc.text == "금융위원회는 비대면 실명확인 방식을 허용하기로 하였다.\n앞으로 소비자는 집에서도 계좌를 열 수 있다."
    assert doc.source == "fsc_press" and doc.title == "비대면 계좌개설 허용"
    with pytest.raises(ValueError, match="protected"):
        PressSource("kisa_press")
    errors: list[dict] = []
    pipc = PressSource("pipc_press", root=DATA / "pkg" / "pipc" / "press_releases").load(errors=errors, progress=False)
    assert len(pipc) == 1 and errors[0]["field"] == "text"


def test_clean_press_text_drops_boilerplate():
    raw = "제목: X\n\n첨부파일 (2)\n파일다운로드\n보도자료.hwp\n (1 MB) \n본문\u0001입니다.\n\n\n 12 \n끝."
    assert clean_press_text(raw) == "본문 입니다.\n\n끝."


def test_package_path_errors_are_clear():
    with pytest.raises(FileNotFoundError, match="not found"):
        package_path("no/such/folder")
