"""Clause types from the legislature's own article titles: the one table that says which title is which type.

A statute article's heading ``제N조(제목)`` names what the article does. The titles below map to a clause type;
every other title (the long tail: 업무, 감독, 정관 …) is ``other``. Rows are tried top to bottom and the first whose
pattern matches the title (spaces removed) wins, so "벌칙 적용에서 공무원 의제" is 공무원의제, not 벌칙.
시행일 and 경과조치 are in the table but have no articles: the data package's parser stops at 부칙, where they live.
"""
from __future__ import annotations

import re

OTHER = "other"

# (type, title pattern on the title with spaces removed, titles it covers as the legislature writes them)
TITLE_TABLE: tuple[tuple[str, str, str], ...] = (
    ("공무원의제", r"공무원의제", "벌칙 적용에서 공무원 의제, 벌칙 적용 시의 공무원 의제"),
    ("양벌규정", r"^양벌규정$", "양벌규정"),
    ("벌칙", r"^벌칙(등)?$", "벌칙, 벌칙 등"),
    ("과태료", r"^과태료", "과태료, 과태료의 부과기준, 과태료의 부과ㆍ징수 …"),
    ("과징금", r"^과징금", "과징금, 과징금의 부과 및 납부, 과징금의 부과기준 …"),
    ("목적", r"^목적$", "목적"),
    ("정의", r"^(용어의)?정의(등)?$", "정의, 용어의 정의, 정의 등"),
    ("적용범위", r"^적용(범위|대상|배제)", "적용 범위, 적용범위, 적용대상, 적용배제"),
    ("다른법률과의관계", r"(다른법률|다른법령|타법)과의관계", "다른 법률과의 관계"),
    ("준용", r"준용", "준용, 준용규정, 「민법」의 준용 …"),
    ("위임위탁", r"(권한|업무)의(위임|위탁)|^위임|^위탁|^업무의위탁", "권한의 위임ㆍ위탁, 업무의 위탁, 권한의 위임 …"),
    ("규제재검토", r"재검토", "규제의 재검토, 재검토기한"),
    ("고유식별정보", r"고유식별정보|민감정보", "고유식별정보의 처리, 민감정보 및 고유식별정보의 처리"),
    ("청문", r"^청문", "청문"),
    ("수수료", r"^수수료", "수수료"),
    ("미수범", r"^미수(범|$)", "미수범"),
    ("시행일", r"^시행일$", "시행일 (부칙; none parsed)"),
    ("경과조치", r"경과조치", "경과조치 (부칙; none parsed)"),
)
_COMPILED = tuple((t, re.compile(p)) for t, p, _ in TITLE_TABLE)
TYPES: tuple[str, ...] = tuple(dict.fromkeys(t for t, _, _ in TITLE_TABLE))


def clause_type(title: str) -> str:
    """The clause type a title names, ``other`` for the long tail."""
    key = re.sub(r"\s+", "", title or "")
    for kind, pattern in _COMPILED:
        if pattern.search(key):
            return kind
    return OTHER


def title_table() -> list[dict[str, str]]:
    """The mapping as rows (type, pattern, titles) for the notebook and the handoff."""
    return [{"type": t, "pattern": p, "titles": titles} for t, p, titles in TITLE_TABLE]
