"""``iter_jsonl`` reads lazily with ``read_jsonl``'s checks; ``read_jsonl`` is its list plus one warning."""
from __future__ import annotations

import pytest

from lexlab.workbench.io import ParseError, iter_jsonl, read_jsonl


def _write(tmp_path, text: str):
    f = tmp_path / "x.jsonl"
    f.write_text(text, encoding="utf-8")
    return f


def test_iter_jsonl_reads_only_what_is_asked_for(tmp_path):
    f = _write(tmp_path, '{"id": 1, "text": "가"}\n\n{"id": "2", "text": "나"}\nnot json\n')
    rows = iter_jsonl(f)
    assert next(rows) == {"id": "1", "text": "가"}
    assert next(rows) == {"id": "2", "text": "나"}
    with pytest.raises(ParseError) as info:
        next(rows)
    assert info.value.path == f"{f}:4" and info.value.field == "json"


def test_iter_jsonl_skips_into_errors_without_warning(tmp_path, recwarn):
    f = _write(tmp_path, '{"id": "a", "text": "가"}\n{"id": "a", "text": "다시"}\n{"id": "b"}\n')
    errors: list[dict] = []
    assert [r["id"] for r in iter_jsonl(f, on_error="skip", errors=errors)] == ["a"]
    assert [e["field"] for e in errors] == ["id", "text"]
    assert not recwarn.list


def test_iter_jsonl_checks_policy_and_file_on_the_call(tmp_path):
    with pytest.raises(ValueError, match="on_error"):
        iter_jsonl(_write(tmp_path, ""), on_error="ignore")
    with pytest.raises(FileNotFoundError):
        iter_jsonl(tmp_path / "missing.jsonl")


def test_read_jsonl_warns_once_with_the_count(tmp_path):
    f = _write(tmp_path, '{"id": "a", "text": "가"}\nnot json\n[1]\n')
    errors: list[dict] = []
    with pytest.warns(UserWarning, match="skipped 2 bad line") as caught:
        rows = read_jsonl(f, on_error="skip", errors=errors)
    assert len(caught) == 1 and [r["id"] for r in rows] == ["a"] and len(errors) == 2
