"""Typed records for the legal sources (the error every parser raises is ``lexlab.workbench.io.ParseError``).

Parsers return these dataclasses rather than dicts so that a missing or misspelt field fails where it is made,
not three stages later inside a notebook. ``to_row()`` gives the flat dict that becomes one parquet row; the
column names are the ones fixed in docs/CONTRACTS.md.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from lexlab.workbench.io import ParseError


def read_text(path: str | Path) -> str:
    """A source file's text; a ``ParseError`` on field "encoding" when it is not UTF-8 (the packages are)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ParseError(str(path), "encoding", f"not UTF-8: {e}") from e


def read_json_object(path: str | Path) -> dict:
    """The JSON object stored in ``path``; a ``ParseError`` (field "encoding" or "json") when it is not one.

    Every one-record-per-file source (press releases, law interpretations) starts here, so a bad file is
    reported the same way whichever parser met it.
    """
    spath = str(path)
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise ParseError(spath, "json", f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    check_json_object(spath, data)
    return data


def check_json_object(path: str | Path, data) -> None:
    """Raise ``ParseError`` unless ``data`` (the parsed content of ``path``) is a JSON object."""
    if not isinstance(data, dict):
        raise ParseError(str(path), "json", f"top level is {type(data).__name__}, expected an object")


class _Row:
    def to_row(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass
class Decision(_Row):
    """One court decision (판결/결정), after de-duplication by case number."""

    case_id: str
    title: str
    court: str
    case_type: str
    decision_type: str
    date: str
    ref_articles_raw: str = ""
    ref_cases_raw: str = ""
    ref_articles: list[str] = field(default_factory=list)
    holdings: str = ""
    summary: str = ""
    order: str = ""
    reasoning: str = ""
    facts: str = ""
    applied_law_text: str = ""
    lower_case_ids: list[str] = field(default_factory=list)
    source_paths: list[str] = field(default_factory=list)
    folder: str = ""
    # Case numbers named as the lower instance (원심판결/환송판결/제1심판결), whether or not they are in the corpus;
    # lower_case_ids is the subset that is. Not a snapshot column.
    named_lower_ids: list[str] = field(default_factory=list)

    def to_row(self) -> dict:
        row = super().to_row()
        row.pop("named_lower_ids")
        return row


@dataclass
class StatuteArticle(_Row):
    """One article (조) of a statute or regulation, current text."""

    law: str
    article: str
    article_no: str
    title: str
    text: str
    paragraphs: list[str] = field(default_factory=list)
    deleted: bool = False
    law_kind: str = ""
    source_path: str = ""


@dataclass
class Interpretation(_Row):
    """One FSC law interpretation (법령해석): a question put to the regulator and its answer."""

    doc_id: str
    title: str
    question: str
    answer: str
    reason: str = ""
    related_laws: list[str] = field(default_factory=list)
    source_path: str = ""


@dataclass
class GeneralDoc(_Row):
    """A non-legal-source document: press releases, or a user's own JSONL text."""

    doc_id: str
    title: str
    text: str
    source: str
    source_path: str = ""
