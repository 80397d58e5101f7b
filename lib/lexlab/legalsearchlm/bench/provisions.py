"""The provisions a decision rests on, and which of them say what the case is about (LEGAR's standard relevance).

Procedure law, the constitution and 형법's general part (제1조–제86조) do not count as *substantive*: every
criminal case cites 형법 제37조 (concurrent crimes) or 형사소송법, and sharing those says nothing about the dispute.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

import pandas as pd

from lexlab.data import references
from lexlab.legalsearchlm.bench import crime_categories as cc

# Laws whose provisions say how a case is tried, not what was done. Space-free canonical names.
PROCEDURAL_LAWS = frozenset({
    "형사소송법", "형사소송규칙", "민사소송법", "민사집행법", "법원조직법", "군사법원법", "검찰청법",
    "형의실효등에관한법률", "형의집행및수용자의처우에관한법률", "보호관찰등에관한법률", "사면법",
    "소송촉진등에관한특례법", "형사보상및명예회복에관한법률", "형사소송비용등에관한법률", "행정소송법",
    "치료감호등에관한법률", "치료감호법", "즉결심판에관한절차법", "헌법재판소법", "가정폭력범죄의처벌등에관한특례법시행규칙",
})
CONSTITUTION = frozenset({"헌법", "대한민국헌법"})
PENAL_CODE = "형법"
PENAL_GENERAL_PART_LAST = 86  # 형법 제1편 총칙: 제1조–제86조

ARTICLE_KEY = re.compile(r"^(?P<law>.+?)\s*제(?P<num>\d+)조(?:의(?P<sub>\d+))?$")


def normalize_article(key: str) -> str | None:
    """"구 증권거래법 제188조의4" / "증권 거래법 제188조의 4" → "증권거래법 제188조의4"; None if not an article key."""
    key = re.sub(r"\s+", " ", (key or "").strip())
    key = re.sub(r"조\s*의\s*(\d+)", r"조의\1", key)
    key = re.sub(r"제\s*(\d+)\s*조", r"제\1조", key)
    m = ARTICLE_KEY.match(key)
    if not m:
        return None
    law = cc.canonical_law(m.group("law"))
    if not law:
        return None
    return f"{law} 제{m.group('num')}조" + (f"의{m.group('sub')}" if m.group("sub") else "")


def article_law(article_key: str) -> str | None:
    """The law name of a normalised article key ("형법 제347조" → "형법")."""
    m = ARTICLE_KEY.match(article_key)
    return m.group("law") if m else None


def is_substantive(article_key: str) -> bool:
    """Does sharing this provision say two cases are about the same conduct?"""
    m = ARTICLE_KEY.match(article_key)
    if not m:
        return False
    law = m.group("law")
    if law in PROCEDURAL_LAWS or law in CONSTITUTION:
        return False
    if law == PENAL_CODE and int(m.group("num")) <= PENAL_GENERAL_PART_LAST:
        return False
    return True


def substantive_articles(articles: Iterable[str]) -> list[str]:
    return [a for a in articles if is_substantive(a)]


_APPLIED_HEAD = re.compile(r"(?:범죄사실에\s*대한\s*)?해당\s*법조")
_NEXT_ITEM = re.compile(r"(?:\n|<br\s*/?>)\s*\d+\s*\.\s*(?!\s*\d)")


def applied_articles_part(applied_law_text: str) -> str:
    """The "해당법조" item of a 법령의 적용 part: the provisions of the offence, not sentencing mechanics.

    The rest of the part (경합범 가중, 노역장 유치, 집행유예 …) cites 형법 general-part and procedure provisions
    that every case shares; they would be filtered anyway, but cutting them early also avoids picking up
    stray special-law sentencing provisions (e.g. 몰수·추징 clauses) as the "offence".
    """
    text = applied_law_text or ""
    m = _APPLIED_HEAD.search(text)
    if not m:
        return text
    rest = text[m.end():]
    nxt = _NEXT_ITEM.search(rest)
    return rest[: nxt.start()] if nxt else rest


def _extract(text: str, free_text: bool, known_laws: set[str] | None) -> list[str]:
    """Normalised article keys cited in ``text``, through the shared citation scanner (one rule for everyone)."""
    refs = references.parse_references(text, free_text=free_text, known_laws=known_laws)
    out = []
    for key in references.article_keys(refs):
        norm = normalize_article(key)
        if norm and norm not in out:
            out.append(norm)
    return out


def decision_articles(row: Mapping[str, Any], known_laws: set[str] | None = None) -> list[str]:
    """The provisions a decision rests on: its 참조조문, or else the 해당법조 of its 법령의 적용.

    Supreme Court decisions carry 참조조문; lower courts mostly cite only in 법령의 적용 (STACK_NOTES: 114 of 808
    lower-court criminal decisions have 참조조문). For those the snapshot's ``ref_articles`` holds every
    provision of the whole part, sentencing mechanics included (몰수·추징 clauses of special laws, 노역장 유치),
    so we re-read just the 해당법조 item; the snapshot's list is the fallback when that item cannot be found.
    """
    listed: list[str] = []
    for key in as_list(row.get("ref_articles")):
        norm = normalize_article(str(key))
        if norm and norm not in listed:
            listed.append(norm)
    raw = str(row.get("ref_articles_raw") or "").strip()
    if raw:
        return listed or _extract(raw, False, known_laws)
    applied = str(row.get("applied_law_text") or "")
    if applied and _APPLIED_HEAD.search(applied):
        offence = _extract(applied_articles_part(applied), True, known_laws)
        if offence:
            return offence
    return listed


def known_laws(decisions: pd.DataFrame) -> set[str]:
    """Law names the corpus itself spells out in 참조조문 — they let prose extraction cut a name from a phrase."""
    known: set[str] = set()
    if "ref_articles" in decisions.columns:
        for arts in decisions["ref_articles"]:
            for a in as_list(arts):
                m = ARTICLE_KEY.match(str(a).strip())
                if m:
                    known.add(re.sub(r"\s+", "", m.group("law")))
    for title in decisions.get("title", pd.Series(dtype=str)).astype(str):
        for ch in cc.normalize_title(title):
            law = cc.charge_law(ch)
            if law:
                known.add(law)
    return known


def as_list(value: Any) -> list:
    """A list from a parquet cell: None, NaN and "" are empty, a lone string is one item."""
    if value is None:
        return []
    if isinstance(value, float) and value != value:  # NaN from parquet
        return []
    if isinstance(value, str):
        return [value] if value else []
    return list(value)
