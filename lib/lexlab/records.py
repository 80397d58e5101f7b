"""Typed records for the legal sources, and the one error every parser raises.

Parsers return these dataclasses rather than dicts so that a missing or misspelt field fails where it is made,
not three stages later inside a notebook. ``to_row()`` gives the flat dict that becomes one parquet row; the
column names are the ones fixed in docs/CONTRACTS.md.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


class ParseError(ValueError):
    """A source file that cannot be read as what it claims to be.

    Carries the file and the field so that a skip report (or a crash) points a person straight at the bad
    input instead of at a stack trace.
    """

    def __init__(self, path: str, field: str, message: str):
        self.path = str(path)
        self.field = field
        self.message = message
        super().__init__(f"{self.path}: field {field!r}: {message}")

    def as_dict(self) -> dict:
        return {"path": self.path, "field": self.field, "error": self.message}


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
