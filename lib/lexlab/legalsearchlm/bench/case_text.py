"""What a retriever sees of a case: the candidate document, and the leak-free query text.

The query text is the case's 이유 with everything that states the answer removed or masked: the title,
참조조문, 참조판례, 판시사항, 판결요지, the 법령의 적용/해당법조 part, case numbers, the charge and the names of
the laws it cites, and article numbers. `find_leaks` checks the result; the builder drops a query it flags.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Sequence

from lexlab.data.text import clean_markup
from lexlab.legalsearchlm.bench import crime_categories as cc
from lexlab.legalsearchlm.bench.masking import MASK_CASE, MASK_CHARGE, MASK_LAW, mask_articles
from lexlab.legalsearchlm.bench.provisions import article_law

# The bench's signature ("대법관 … (재판장) …", "판사 …"): rare names that would let a lexical retriever match
# decisions of the same panel rather than the same kind of case.
_SIGNATURE = re.compile(r"(?:^|\n)[ \t]*(?:대법관|대법원장|판사|재판장\s*판사|재판장)[ \t]+[^\n]{0,120}\s*$")

# Korean case numbers: year + case-type code + serial ("2006도8568", "2015노1998", "2007고합159").
CASE_NUMBER = re.compile(
    r"(?<!\d)(?:19|20)?\d{2}\s?(?:고합|고단|고정|고약전|고약|노|도|모|오|로|초기|초|감도|감노|감고|재도|재노|재고합|"
    r"재고단|전도|코|보|트|카합|카단|카|가합|가단|가소|나|다|머|두|구합|구단|누|재|크|허|후|헌마|헌바|헌가|형)\s?\d{1,7}(?!\d)"
)
# "(대법원 1997. 4. 17. 선고 96도3377 판결 등 참조)" and similar: in-text 참조판례.
_PRECEDENT_CITATION = re.compile(r"\([^()]*(?:대법원|헌법재판소|법원)[^()]*(?:판결|결정)[^()]*\)")
# The 법령의 적용 heading of a lower-court judgment, on its own line, up to the next section heading.
_APPLIED_SECTION = re.compile(r"(?:^|\n)[ \t]*법\s?령\s?의\s?적\s?용[ \t]*\n.*?(?=\n[ \t]*(?:양\s?형\s?의\s?이\s?유|"
                              r"무\s?죄\s?부\s?분|배\s?상\s?명\s?령|결\s?론|판사|재판장)|\Z)", re.S)
_SENTENCE_END = re.compile(r"(?<=[다음함됨요])\.(?=\s|$)|\n")


def _strip_signature(text: str) -> str:
    while True:  # a lower court's panel signs on several lines
        stripped = _SIGNATURE.sub("", text).rstrip()
        if stripped == text.rstrip():
            return stripped
        text = stripped


def document_text(row: Mapping[str, Any]) -> str:
    """A candidate as a retriever sees it: 판시사항 and 이유, nothing from the front matter, no signature."""
    parts = [str(row.get("holdings") or ""), str(row.get("reasoning") or "")]
    return _strip_signature(clean_markup("\n".join(p for p in parts if p.strip()), html=True))


def _flexible(term: str) -> re.Pattern:
    """A pattern for ``term`` that tolerates any whitespace between its characters (the corpus spaces freely)."""
    chars = ["[·ㆍ]" if c in "·ㆍ" else re.escape(c) for c in cc.squash(term)]
    return re.compile(r"\s*".join(chars))


def leak_terms(row: Mapping[str, Any], articles: Sequence[str]) -> tuple[list[str], list[str]]:
    """(law names, charge words) that must not appear in this decision's query text."""
    laws = [law for law in map(article_law, articles) if law]
    charges = cc.normalize_title(str(row.get("title") or ""))
    words: list[str] = []
    for ch in charges:
        law = cc.charge_law(ch)
        if law:
            laws.append(law)
        words.extend(t for t in cc.charge_terms(ch) if not cc.charge_law(t))
    # raw title pieces too ("저작권법 위반"), in case normalisation changed their spelling
    for piece in cc.split_charges(str(row.get("title") or "")):
        piece = re.sub(r"\(.*$", "", piece).strip()
        if piece and not cc.charge_law(cc.normalize_charge(piece)):
            words.append(cc.squash(piece))
    words = [w for w in dict.fromkeys(words) if len(w) >= 2]
    return _with_short_names(laws), words


def _with_short_names(laws: Iterable[str]) -> list[str]:
    """Each law with its short names, and the "법" stem of a "…법률" name (texts rarely write "…에 관한 법")."""
    out: list[str] = []
    for law in laws:
        for name in [law, *cc.SHORT_NAMES.get(law, [])]:
            if name not in out:
                out.append(name)
            if name.endswith("법률") and name[:-1] not in out:
                out.append(name[:-1])
    return out


def mask_text(text: str, laws: Sequence[str], words: Sequence[str], case_ids: Iterable[str] = ()) -> str:
    """Remove precedent citations, mask case numbers, the given law names and charge words, article numbers."""
    text = _PRECEDENT_CITATION.sub(" ", text)
    for cid in case_ids:
        if cid:
            text = _flexible(cid).sub(MASK_CASE, text)
    text = CASE_NUMBER.sub(MASK_CASE, text)
    for law in sorted(set(laws), key=len, reverse=True):
        text = re.compile(r"(?:구\s?)?" + _flexible(law).pattern).sub(MASK_LAW, text)
    for word in sorted(set(words), key=len, reverse=True):
        text = _flexible(word).sub(MASK_CHARGE, text)
    text = mask_articles(text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _remove(text: str, part: str) -> str:
    """Cut ``part`` out of ``text`` (whitespace-insensitively: the snapshot may have re-spaced either)."""
    if not part or not part.strip():
        return text
    if part in text:
        return text.replace(part, " ")
    probe = clean_markup(part, html=True)
    if probe and probe in text:
        return text.replace(probe, " ")
    head = cc.squash(probe)[:40]
    if head:
        m = _flexible(head).search(text)
        if m:  # fall back: drop from where the part starts to the next big heading
            end = re.search(r"\n\s*(?:양\s*형\s*의\s*이\s*유|무\s*죄\s*부\s*분|결\s*론)", text[m.end():])
            return text[: m.start()] + " " + (text[m.end() + end.start():] if end else "")
    return text


def _pieces(value: str, min_chars: int = 30) -> list[str]:
    """Numbered points ("[1] …") of a 판시사항/판결요지, and each of their sentences, long enough to be telling."""
    out = []
    for point in re.split(r"\[\d+\]|\n", clean_markup(value, html=True)):
        point = point.strip()
        cands = [point] + re.split(r"(?<=다)\.\s*|(?<=\))\s*,?\s*(?=\S)", point)
        for c in cands:
            c = c.strip(" .,")
            if len(cc.squash(c)) >= min_chars and c not in out:
                out.append(c)
    return sorted(out, key=len, reverse=True)


def remove_restatements(text: str, fields: Sequence[str], window: int = 25) -> str:
    """Delete what ``text`` repeats of the given fields (판시사항, 판결요지), spacing ignored.

    Whole points and sentences go first; then any sentence of ``text`` that shares a ``window``-character
    stretch with a field (a restated principle with a changed ending, "…하여야 한다" → "…하여야 하므로");
    last, any 40-character stretch of a field still present.
    """
    for value in fields:
        for piece in _pieces(value):
            text = _flexible(piece).sub(" ", text)
    flat_fields = [cc.squash(clean_markup(v, html=True)) for v in fields if v and v.strip()]
    flat_fields = [f for f in flat_fields if len(f) >= window]
    if not flat_fields:
        return text
    text = _drop_sentences_sharing(text, flat_fields, window)
    # Last sweep: a restated passage cut into short quoted sentences escapes the sentence test above.
    for f in flat_fields:
        for i in range(0, max(0, len(f) - 40 + 1), 10):
            piece = f[i:i + 40]
            if piece in cc.squash(text):
                text = _flexible(piece).sub(" ", text)
    return text


def _drop_sentences_sharing(text: str, flat_fields: Sequence[str], window: int) -> str:
    """``text`` without its sentences that share a ``window``-character stretch with one of ``flat_fields``."""
    kept, start = [], 0
    bounds = [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    for end in bounds:
        sentence = text[start:end]
        start = end
        flat = cc.squash(sentence)
        shared = any(flat[i:i + window] in f for f in flat_fields
                     for i in range(0, max(1, len(flat) - window + 1), 3)) if len(flat) >= window else False
        if not shared:
            kept.append(sentence)
    return "".join(kept)


def query_text(row: Mapping[str, Any], articles: Sequence[str], chain: Iterable[str] = ()) -> str:
    """A leak-free description of the case to search with (see the module docstring for what goes)."""
    reasoning = (clean_markup(str(row.get("reasoning") or ""), html=True)
                 or clean_markup(str(row.get("facts") or ""), html=True))
    reasoning = _strip_signature(reasoning)
    reasoning = _remove(reasoning, clean_markup(str(row.get("applied_law_text") or ""), html=True))
    reasoning = _APPLIED_SECTION.sub(" ", reasoning)
    # Supreme Court reasoning often restates 판결요지 verbatim; those are the answer's words, drop them.
    reasoning = remove_restatements(reasoning, [str(row.get("summary") or ""), str(row.get("holdings") or "")])
    laws, words = leak_terms(row, articles)
    ids = [str(row.get("case_id") or ""), *map(str, chain)]
    return mask_text(reasoning, laws, words, ids)


def find_leaks(text: str, row: Mapping[str, Any], articles: Sequence[str]) -> list[str]:
    """Strings of the answer that still occur in a query text (whitespace-insensitive); [] means clean."""
    flat = cc.squash(text).replace("ㆍ", "·")
    leaks = []
    title = cc.squash(str(row.get("title") or ""))
    if title and title in flat:
        leaks.append(f"title:{title}")
    cid = str(row.get("case_id") or "")
    if cid and cc.squash(cid) in flat:
        leaks.append(f"case_id:{cid}")
    if CASE_NUMBER.search(text):
        leaks.append(f"case_number:{CASE_NUMBER.search(text).group(0)}")
    for a in articles:
        law = article_law(a)
        if law and law in flat:
            leaks.append(f"law:{law}")
        if cc.squash(a) in flat:
            leaks.append(f"article:{a}")
    leaks += [f"{name}:{hit}" for name in ("summary", "holdings")
              if (hit := _restated_piece(str(row.get(name) or ""), flat))]
    raw = cc.squash(str(row.get("ref_articles_raw") or ""))
    if len(raw) >= 8 and raw in flat:
        leaks.append("ref_articles_raw")
    for ch in cc.normalize_title(str(row.get("title") or "")):
        leaks += [f"charge:{word}" for word in cc.charge_terms(ch) if word in flat]
    return leaks


def _restated_piece(field_text: str, flat: str) -> str | None:
    """The first 40-character window (or short piece) of a field's points found in the space-free ``flat``."""
    for piece in _pieces(field_text, min_chars=25):
        piece = cc.squash(piece)
        windows = [piece] if len(piece) <= 40 else [piece[i:i + 40] for i in range(0, len(piece) - 39, 10)]
        hit = next((w for w in windows if w in flat), None)
        if hit:
            return hit
    return None
