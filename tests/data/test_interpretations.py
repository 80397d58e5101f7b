"""FSC law interpretations: stored fields, the text's 질의요지/회답/이유 parts, and the attached-form fallback."""
from __future__ import annotations

from testdata import FIXTURES
import json
from pathlib import Path

import pytest

from lexlab.data.interpretations import load_interpretations, parse_interpretation, split_parts
from lexlab.workbench.io import ParseError

INTERP = FIXTURES / "data" / "pkg" / "fsc" / "law_interpretations"


def test_fields_and_reason_from_text():
    x = parse_interpretation(INTERP / "100.json")
    assert x.doc_id == "법령해석_100"
    assert x.question == "카드사가 부가서비스를 축소할 수 있는지 여부"
    assert x.answer == "일정 요건을 갖추면 축소할 수 있습니다."
    assert x.reason.startswith("□ 여신전문금융업법 제24조의2 제3항")
    assert "첨부" not in x.reason and "중복된" not in x.reason  # the attachment is cut off
    # crawler list: abbreviation expanded, "동법" resolved across entries, an unparseable entry kept as written
    assert x.related_laws == ["여신전문금융업법 제24조의2", "여신전문금융업법시행령 제6조의8", "관련 하위규정"]


def test_empty_fields_recovered_from_attached_form():
    x = parse_interpretation(INTERP / "pastreq_7.json")
    assert x.question == "ㅇ 투자계약증권을 판별하는 기준"
    assert x.answer.startswith("ㅇ 이익획득 목적")
    assert x.reason == "ㅇ 자본시장법 제4조 제6항의 정의에 따릅니다."
    assert x.related_laws == ["자본시장과금융투자업에관한법률 제4조"]


def test_cited_provisions_split_off_the_question():
    x = parse_interpretation(INTERP / "pastreq_8.json")
    assert x.question == "대부업 등록 요건"
    assert x.related_laws == ["대부업등의등록및금융이용자보호에관한법률 제3조"]
    assert x.reason == ""


def test_bad_files_reported():
    errors: list[dict] = []
    xs = load_interpretations(INTERP, errors=errors, progress=False)
    assert sorted(x.doc_id for x in xs) == ["법령해석_100", "법령해석_pastreq_7", "법령해석_pastreq_8"]
    assert {(Path(e["path"]).name, e["field"]) for e in errors} == {("broken.json", "json"),
                                                                   ("no_answer.json", "answer")}
    with pytest.raises(ParseError):
        load_interpretations(INTERP, on_error="raise", progress=False)


def test_wrong_types_and_duplicates(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(["not", "an", "object"]), encoding="utf-8")
    with pytest.raises(ParseError, match="expected an object"):
        parse_interpretation(tmp_path / "a.json")
    good = json.loads((INTERP / "100.json").read_text(encoding="utf-8"))
    (tmp_path / "b.json").write_text(json.dumps({**good, "related_laws": "형법"}), encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_interpretation(tmp_path / "b.json")
    assert info.value.field == "related_laws"
    d = tmp_path / "dup"
    d.mkdir()
    for name in ("1.json", "2.json"):
        (d / name).write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    errors: list[dict] = []
    assert len(load_interpretations(d, errors=errors, progress=False)) == 1
    assert errors[0]["field"] == "doc_id" and "duplicate" in errors[0]["error"]


def test_split_parts():
    parts = split_parts("문서번호: 1\n\n질의요지:\n묻는다\n\n회답:\n답한다\n\n이유:\n왜냐하면\n")
    assert parts == {"질의요지": "묻는다", "회답": "답한다", "이유": "왜냐하면"}
