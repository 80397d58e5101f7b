"""The gate every generated law-QA item passes before it may become training data.

Generated QA is only useful for training if the answer is what the cited article says. The checks are cheap,
lexical and explainable, so every rejection carries one reason code an engineer can look up:

==========================  ==========================================================================
``empty``                   question or answer missing/blank
``too_short``               answer shorter than ``min_answer_chars`` (after dropping whitespace)
``answer_in_question``      the answer is copied verbatim inside the question: nothing to learn
``duplicate``               passes, but has the same (question, answer) as an item accepted earlier
``unknown_law``             the cited law is not in the snapshot
``unknown_article``         the law exists, the article does not
``deleted_article``         the article exists but is marked deleted
``number_not_in_article``   a number with a unit in the answer ("5천만원", "3년", "100분의 5") or a
                            reference ("제38조", "제2항", "제3호") does not occur, by value and unit, in the
                            article (heading included): the classic LLM hallucination
``low_overlap``             fewer than ``min_containment`` of the answer's character n-grams are in the article
``neighbour_support``       a neighbouring article (±``neighbours`` in the same law) supports the answer at
                            least as well as the cited one: the item does not pin down its reference
==========================  ==========================================================================

Human-written items (FSC interpretations) only go through the structural checks (the first four): their answers
explain the law in the interpreter's own words and cite laws by short names, so article-support checks would
reject them for being human, not for being wrong.

An article's text for these checks is its heading plus body ("형법 제347조(사기) ① 사람을 기망하여…"): a
which-article or title answer names the heading, which is part of the article as printed.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

import pandas as pd

REASONS = (
    "ok", "empty", "too_short", "answer_in_question", "duplicate", "unknown_law", "unknown_article",
    "deleted_article", "number_not_in_article", "low_overlap", "neighbour_support",
)


@dataclass(frozen=True)
class VerifyConfig:
    ngram: int = 3
    min_containment: float = 0.6
    neighbours: int = 2
    min_margin: float = 0.0  # own support must exceed the best neighbour's by more than this
    min_answer_chars: int = 2
    check_numbers: bool = True

    def __post_init__(self):
        if self.ngram < 1:
            raise ValueError(f"ngram must be at least 1, not {self.ngram}")
        if not 0.0 <= self.min_containment <= 1.0:
            raise ValueError(f"min_containment is a share in [0, 1], not {self.min_containment}")
        if self.neighbours < 0 or self.min_answer_chars < 0:
            raise ValueError(f"neighbours and min_answer_chars must be >= 0, not {self.neighbours}, "
                             f"{self.min_answer_chars}")


@dataclass
class Verdict:
    accepted: bool
    reason: str
    containment: float | None = None
    neighbour_best: float | None = None
    detail: str = ""


# -- text normalisation ----------------------------------------------------------------------------------------
_ANNOTATION = re.compile(r"<(?:개정|신설|전문개정|본조신설|제목개정|시행일)[^>]*>|\[(?:본조신설|전문개정|제목개정|종전|시행일)[^\]]*\]")
_DROP = re.compile(r"[\s\"'“”‘’「」『』《》〈〉]+")


def strip_annotations(text: str) -> str:
    """Remove amendment notes like "<개정 2025.12.23>" that are metadata, not law."""
    return re.sub(r"[ \t]+", " ", _ANNOTATION.sub("", text or "")).strip()


def _squash(text: str) -> str:
    # Korean spacing and quote styles vary freely between a paraphrase and its source; n-grams ignore both.
    return _DROP.sub("", text or "")


def char_ngrams(text: str, n: int) -> set[str]:
    s = _squash(text)
    if len(s) < n:
        return {s} if s else set()
    return {s[i : i + n] for i in range(len(s) - n + 1)}


def containment(answer: str, doc_grams: set[str], n: int) -> float:
    """Share of the answer's distinct character n-grams found in the document."""
    grams = char_ngrams(answer, n)
    if not grams:
        return 0.0
    return len(grams & doc_grams) / len(grams)


# -- numbers with units --------------------------------------------------------------------------------------------
_UNITS = {
    "원": "원", "년": "년", "개월": "개월", "월": "월", "주": "주", "일": "일", "시간": "시간", "분": "분", "초": "초",
    "세": "세", "명": "명", "인": "인", "퍼센트": "%", "%": "%", "배": "배", "회": "회", "개": "개", "건": "건",
    "층": "층", "㎡": "㎡", "제곱미터": "㎡", "킬로미터": "km", "km": "km", "미터": "m", "킬로그램": "kg", "kg": "kg",
    "톤": "톤", "리터": "l", "장": "장",
}
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUM = r"\d[\d,]*(?:\.\d+)?"
# one number, then optional (multiplier [number]) groups: "1억 5천만", "500만", "2,000" — written so that no two
# ways of matching the same digits exist (a nested "(\d+)+" backtracks exponentially on long digit runs)
_NUM_WORDS = rf"{_NUM}(?:\s?[십백천만억조]+(?:\s?{_NUM})?)*\s?"
_FRACTION = re.compile(r"(?<![\d.])(\d[\d,]*)\s?분의\s?(\d[\d,]*)")
_QUANTITY = re.compile(rf"(?<![\d제.])({_NUM_WORDS})({_UNIT_RE})")
# Cross-references are numbers too: an answer citing "제39조" where the article says "제38조" is as wrong as a
# changed penalty, and a one-digit change barely moves the n-gram overlap.
_CROSS_REF = re.compile(r"제\s?(\d+(?:-\d+)?)\s?(조|항|호)(?:의\s?(\d+))?")
_SMALL = {"십": 10, "백": 100, "천": 1000}
_BIG = {"만": 10**4, "억": 10**8, "조": 10**12}


def korean_number(text: str) -> float:
    """'1억5천만' → 150000000, '5천' → 5000, '2,000' → 2000: the value, whatever the notation."""
    total, section, current = 0.0, 0.0, 0.0
    for tok in re.findall(r"\d[\d,]*(?:\.\d+)?|[십백천만억조]", text.replace(" ", "")):
        if tok in _SMALL:
            section += (current or 1) * _SMALL[tok]
            current = 0.0
        elif tok in _BIG:
            total += (section + current or 1) * _BIG[tok]
            section = current = 0.0
        else:
            current = float(tok.replace(",", ""))
    return total + section + current


def quantities(text: str) -> set[tuple[float, str]]:
    """The (value, unit) pairs a text states, compared by value so "5천만원" matches "50,000,000원";
    fractions "a분의 b" become ("b/a", "분의"); references "제3조의2", "제1항", "제2호" become ("3의2", "조"),
    ("1", "항"), ("2", "호")."""
    text = strip_annotations(text)
    found: set[tuple[Any, str]] = set()
    for m in _FRACTION.finditer(text):
        found.add((f"{m.group(2).replace(',', '')}/{m.group(1).replace(',', '')}", "분의"))
    rest = _FRACTION.sub(" ", text)
    for m in _QUANTITY.finditer(rest):
        found.add((korean_number(m.group(1)), _UNITS[m.group(2)]))
    for m in _CROSS_REF.finditer(text):
        found.add((m.group(1) + (f"의{m.group(3)}" if m.group(3) else ""), m.group(2)))
    return found


# -- the article index -----------------------------------------------------------------------------------------
def _norm_law(name: str) -> str:
    return re.sub(r"[\s「」『』]", "", name or "")


def _norm_article(article: str) -> str:
    """'제347조의2' / '347의2' / '제 347 조의 2' → '347의2'; '제1-1조' → '1-1'."""
    s = re.sub(r"\s", "", str(article or ""))
    m = re.fullmatch(r"제?(\d+(?:-\d+)?)조?(?:의(\d+))?", s)
    if not m:
        return s
    return m.group(1) + (f"의{m.group(2)}" if m.group(2) else "")


def _order_key(article_no: str) -> tuple:
    nums = [int(x) for x in re.findall(r"\d+", str(article_no))]
    return tuple(nums) or (10**9,)


def article_doc(row: Mapping[str, Any]) -> str:
    title = f"({row['title']})" if row.get("title") else ""
    return f"{row['law']} {row['article']}{title} {strip_annotations(row['text'])}"


@dataclass
class _Entry:
    doc: str
    grams: set[str]
    deleted: bool
    position: int
    _quantities: set | None = None

    @property
    def quantities(self) -> set:
        if self._quantities is None:  # many items cite the same article: parse its numbers once
            self._quantities = quantities(self.doc)
        return self._quantities


class ArticleIndex:
    """All articles of the snapshot (every split: existence and neighbours are facts about the law, not data)."""

    def __init__(self, statutes: pd.DataFrame, ngram: int = 3):
        missing = {"law", "article", "article_no", "title", "text"} - set(statutes.columns)
        if missing:
            raise ValueError(f"statutes table lacks field(s) {sorted(missing)}")
        self.ngram = ngram
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._order: dict[str, list[str]] = {}
        rows = statutes.to_dict("records")
        by_law: dict[str, list[dict]] = {}
        for row in rows:
            by_law.setdefault(_norm_law(row["law"]), []).append(row)
        for law, law_rows in by_law.items():
            law_rows.sort(key=lambda r: _order_key(r["article_no"]))
            self._order[law] = []
            for pos, row in enumerate(law_rows):
                key = _norm_article(row["article_no"] or row["article"])
                doc = article_doc(row)
                self._entries[(law, key)] = _Entry(doc, char_ngrams(doc, ngram), bool(row.get("deleted", False)), pos)
                self._order[law].append(key)

    def has_law(self, law: str) -> bool:
        return _norm_law(law) in self._order

    def get(self, law: str, article: str) -> _Entry | None:
        return self._entries.get((_norm_law(law), _norm_article(article)))

    def neighbours(self, law: str, article: str, k: int) -> list[_Entry]:
        law_n = _norm_law(law)
        entry = self.get(law, article)
        if entry is None or k <= 0:
            return []
        order = self._order[law_n]
        lo, hi = max(0, entry.position - k), min(len(order), entry.position + k + 1)
        return [self._entries[(law_n, order[i])] for i in range(lo, hi) if i != entry.position]

    def __len__(self) -> int:
        return len(self._entries)


# -- verification ----------------------------------------------------------------------------------------------
def _structural(item: Mapping[str, Any], cfg: VerifyConfig) -> Verdict | None:
    q, a = str(item.get("question") or "").strip(), str(item.get("answer") or "").strip()
    if not q or not a:
        return Verdict(False, "empty")
    if len(_squash(a)) < cfg.min_answer_chars:
        return Verdict(False, "too_short", detail=a)
    if len(_squash(a)) >= 8 and _squash(a) in _squash(q):
        return Verdict(False, "answer_in_question")
    return None


def verify(item: Mapping[str, Any], index: ArticleIndex, cfg: VerifyConfig = VerifyConfig()) -> Verdict:
    """Accept or reject one item, with the first failing check as its reason."""
    bad = _structural(item, cfg)
    if bad is not None:
        return bad
    if item.get("human"):
        return Verdict(True, "ok", detail="human-written: structural checks only")
    law, article = item.get("law") or "", item.get("article") or ""
    if not index.has_law(law):
        return Verdict(False, "unknown_law", detail=law)
    entry = index.get(law, article)
    if entry is None:
        return Verdict(False, "unknown_article", detail=f"{law} {article}")
    if entry.deleted:
        return Verdict(False, "deleted_article", detail=f"{law} {article}")
    answer = str(item["answer"])
    if cfg.check_numbers:
        extra = quantities(answer) - entry.quantities
        if extra:
            shown = ", ".join(f"{v:g}{u}" if isinstance(v, float) else f"{v}{u}" for v, u in sorted(extra, key=str))
            return Verdict(False, "number_not_in_article", detail=shown)
    own = containment(answer, entry.grams, cfg.ngram)
    if own < cfg.min_containment:
        return Verdict(False, "low_overlap", containment=round(own, 4))
    others = [containment(answer, nb.grams, cfg.ngram) for nb in index.neighbours(law, article, cfg.neighbours)]
    best = max(others, default=0.0)
    if own - best <= cfg.min_margin:
        return Verdict(False, "neighbour_support", containment=round(own, 4), neighbour_best=round(best, 4))
    return Verdict(True, "ok", containment=round(own, 4), neighbour_best=round(best, 4))


@dataclass
class VerifyReport:
    accepted: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def table(self, by: str = "backend") -> pd.DataFrame:
        """Counts of items per (``by``, reason), accepted ones under reason "ok"."""
        rows = [{by: it.get(by, ""), "reason": it["verdict"]["reason"]} for it in self.accepted + self.rejected]
        if not rows:
            return pd.DataFrame(columns=[by, "reason", "n"])
        return pd.DataFrame(rows).value_counts([by, "reason"]).rename("n").reset_index()


def verify_items(
    items: Iterable[Mapping[str, Any]], index: ArticleIndex, cfg: VerifyConfig = VerifyConfig()
) -> VerifyReport:
    """Verify a pool; an item that passes but repeats an accepted (question, answer) is a ``duplicate``.

    Every item comes back (accepted or rejected) with a ``verdict`` dict, so rejects can be inspected.
    """
    if index.ngram != cfg.ngram:
        raise ValueError(f"index built with ngram={index.ngram}, config asks for {cfg.ngram}")
    report = VerifyReport()
    seen: set[tuple[str, str]] = set()
    for item in items:
        key = (_squash(str(item.get("question") or "")), _squash(str(item.get("answer") or "")))
        verdict = verify(item, index, cfg)
        if verdict.accepted:
            if key in seen:
                verdict = Verdict(False, "duplicate")
            seen.add(key)
        out = {**item, "verdict": {k: v for k, v in asdict(verdict).items() if v not in (None, "")}}
        (report.accepted if verdict.accepted else report.rejected).append(out)
        report.counts[verdict.reason] += 1
    return report
