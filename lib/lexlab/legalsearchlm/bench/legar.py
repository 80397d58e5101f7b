"""A LEGAR-BENCH-style case-retrieval benchmark built from the snapshot's criminal decisions.

LEGAR BENCH asks: given one criminal case, find the cases a lawyer would cite beside it. Its *standard* relevance
is "same crime and same provisions"; its *stricter* relevance additionally requires the same legal factors
(see :mod:`lexlab.legalsearchlm.bench.legal_factors`). We rebuild that on the offline corpus:

* candidate pool — every criminal decision (판시사항 + 이유; no title, no 참조조문/참조판례 fields);
* queries — decisions with exactly one charge and at least one *substantive* provision;
* standard relevance — same normalised charge title and at least one shared substantive article, where
  procedure law, the constitution and 형법's general part (제1조–제86조) do not count: every criminal case
  cites 형법 제37조 (concurrent crimes) or 형사소송법, and sharing those says nothing about the dispute;
* a query never counts itself or any decision of its own appeal chain as a candidate (the same dispute at
  another instance would be a trivially "relevant" near-duplicate);
* the query text is the case's 이유 with everything that states the answer removed or masked: the title,
  참조조문, 참조판례, 판시사항, 판결요지, the 법령의 적용/해당법조 part, case numbers, the charge and the names of
  the laws it cites, and article numbers.

Outputs follow IR conventions so any retriever can be scored: ``corpus.jsonl`` and ``queries.jsonl``
(``{"id", "text", ...metadata}``), ``qrels.standard.trec`` / ``qrels.stricter.trec`` (``qid 0 docid rel``).
Because the query's own decision stays in the pool (it is a candidate for *other* queries), each query row
lists ``exclude`` — ids a run must drop for that query; :func:`filter_run` does it.
"""
from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from lexlab.data.text import clean_markup
from lexlab.legalsearchlm.bench import crime_categories as cc
from lexlab.data import references, splits

# ---------------------------------------------------------------------------------------------------------------
# Provisions
# ---------------------------------------------------------------------------------------------------------------

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

_ARTICLE_KEY = re.compile(r"^(?P<law>.+?)\s*제(?P<num>\d+)조(?:의(?P<sub>\d+))?$")


def normalize_article(key: str) -> str | None:
    """"구 증권거래법 제188조의4" / "증권 거래법 제188조의 4" → "증권거래법 제188조의4"; None if not an article key."""
    key = re.sub(r"\s+", " ", (key or "").strip())
    key = re.sub(r"조\s*의\s*(\d+)", r"조의\1", key)
    key = re.sub(r"제\s*(\d+)\s*조", r"제\1조", key)
    m = _ARTICLE_KEY.match(key)
    if not m:
        return None
    law = cc.canonical_law(m.group("law"))
    if not law:
        return None
    return f"{law} 제{m.group('num')}조" + (f"의{m.group('sub')}" if m.group("sub") else "")


def is_substantive(article_key: str) -> bool:
    """Does sharing this provision say two cases are about the same conduct?"""
    m = _ARTICLE_KEY.match(article_key)
    if not m:
        return False
    law = m.group("law")
    if law in PROCEDURAL_LAWS or law in CONSTITUTION:
        return False
    if law == PENAL_CODE and int(m.group("num")) <= PENAL_GENERAL_PART_LAST:
        return False
    return True


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
    for key in _as_list(row.get("ref_articles")):
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


def substantive_articles(articles: Iterable[str]) -> list[str]:
    return [a for a in articles if is_substantive(a)]


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, float) and value != value:  # NaN from parquet
        return []
    if isinstance(value, str):
        return [value] if value else []
    return list(value)


# ---------------------------------------------------------------------------------------------------------------
# Appeal chains
# ---------------------------------------------------------------------------------------------------------------

def appeal_chains(decisions: pd.DataFrame) -> dict[str, frozenset[str]]:
    """case_id → every decision of the same dispute (linked by lower_case_ids in either direction, transitively).

    A Supreme Court decision names its 원심 (high court) which names its own 1심: all three are one dispute.
    Links to cases outside ``decisions`` are dropped, so every chain holds only decisions of the table.
    """
    ids = decisions["case_id"].astype(str).tolist()
    known = set(ids)
    links = [(cid, low) for cid, lowers in zip(ids, decisions["lower_case_ids"])
             for low in map(str, _as_list(lowers)) if low in known and low != cid]
    return {cid: frozenset(members) for cid, members in splits.appeal_chains(ids, links).items()}


# ---------------------------------------------------------------------------------------------------------------
# Text: documents and leak-free queries
# ---------------------------------------------------------------------------------------------------------------

# The bench's signature ("대법관 … (재판장) …", "판사 …"): rare names that would let a lexical retriever match
# decisions of the same panel rather than the same kind of case.
_SIGNATURE = re.compile(r"(?:^|\n)[ \t]*(?:대법관|대법원장|판사|재판장\s*판사|재판장)[ \t]+[^\n]{0,120}\s*$")


def _strip_signature(text: str) -> str:
    while True:  # a lower court's panel signs on several lines
        stripped = _SIGNATURE.sub("", text).rstrip()
        if stripped == text.rstrip():
            return stripped
        text = stripped


def document_text(row: Mapping[str, Any]) -> str:
    """A candidate as a retriever sees it: 판시사항 and 이유, nothing from the front matter, no signature."""
    parts = [str(row.get("holdings") or ""), str(row.get("reasoning") or "")]
    return _strip_signature(clean_markup(html=True, text="\n".join(p for p in parts if p.strip())))


# Korean case numbers: year + case-type code + serial ("2006도8568", "2015노1998", "2007고합159").
CASE_NUMBER = re.compile(
    r"(?<!\d)(?:19|20)?\d{2}\s?(?:고합|고단|고정|고약전|고약|노|도|모|오|로|초기|초|감도|감노|감고|재도|재노|재고합|"
    r"재고단|전도|코|보|트|카합|카단|카|가합|가단|가소|나|다|머|두|구합|구단|누|재|크|허|후|헌마|헌바|헌가|형)\s?\d{1,7}(?!\d)"
)
# "(대법원 1997. 4. 17. 선고 96도3377 판결 등 참조)" and similar: in-text 참조판례.
_PRECEDENT_CITATION = re.compile(r"\([^()]*(?:대법원|헌법재판소|법원)[^()]*(?:판결|결정)[^()]*\)")
_ARTICLE_NUMBER = re.compile(r"제\s?\d+\s?조(?:\s?의\s?\d+)?(?:\s?제\s?\d+\s?[항호](?:\s?의\s?\d+)?)*")

MASK_LAW = "[법령]"
MASK_CHARGE = "[죄명]"
MASK_CASE = "[사건번호]"
MASK_ARTICLE = "제○조"


def _flexible(term: str) -> re.Pattern:
    """A pattern for ``term`` that tolerates any whitespace between its characters (the corpus spaces freely)."""
    chars = ["[·ㆍ]" if c in "·ㆍ" else re.escape(c) for c in re.sub(r"\s+", "", term)]
    return re.compile(r"\s*".join(chars))


def leak_terms(row: Mapping[str, Any], articles: Sequence[str]) -> tuple[list[str], list[str]]:
    """(law names, charge words) that must not appear in this decision's query text."""
    laws: list[str] = []
    for a in articles:
        m = _ARTICLE_KEY.match(a)
        if m:
            laws.append(m.group("law"))
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
            words.append(re.sub(r"\s+", "", piece))
    all_laws: list[str] = []
    for law in laws:
        for name in [law, *cc.SHORT_NAMES.get(law, [])]:
            if name not in all_laws:
                all_laws.append(name)
            if name.endswith("법률"):  # texts also write "…에 관한 법" rarely; cover the "법" stem
                stem = name[:-1]
                if stem not in all_laws:
                    all_laws.append(stem)
    words = [w for w in dict.fromkeys(words) if len(w) >= 2]
    return all_laws, words


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
    text = _ARTICLE_NUMBER.sub(MASK_ARTICLE, text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _remove(text: str, part: str) -> str:
    """Cut ``part`` out of ``text`` (whitespace-insensitively: the snapshot may have re-spaced either)."""
    if not part or not part.strip():
        return text
    if part in text:
        return text.replace(part, " ")
    probe = clean_markup(html=True, text=part)
    if probe and probe in text:
        return text.replace(probe, " ")
    head = re.sub(r"\s+", "", probe)[:40]
    if head:
        m = _flexible(head).search(text)
        if m:  # fall back: drop from where the part starts to the next big heading
            end = re.search(r"\n\s*(?:양\s*형\s*의\s*이\s*유|무\s*죄\s*부\s*분|결\s*론)", text[m.end():])
            return text[: m.start()] + " " + (text[m.end() + end.start():] if end else "")
    return text


# The 법령의 적용 heading of a lower-court judgment, on its own line, up to the next section heading.
_APPLIED_SECTION = re.compile(r"(?:^|\n)[ \t]*법\s?령\s?의\s?적\s?용[ \t]*\n.*?(?=\n[ \t]*(?:양\s?형\s?의\s?이\s?유|"
                              r"무\s?죄\s?부\s?분|배\s?상\s?명\s?령|결\s?론|판사|재판장)|\Z)", re.S)


def _pieces(value: str, min_chars: int = 30) -> list[str]:
    """Numbered points ("[1] …") of a 판시사항/판결요지, and each of their sentences, long enough to be telling."""
    out = []
    for point in re.split(r"\[\d+\]|\n", clean_markup(html=True, text=value)):
        point = point.strip()
        cands = [point] + re.split(r"(?<=다)\.\s*|(?<=\))\s*,?\s*(?=\S)", point)
        for c in cands:
            c = c.strip(" .,")
            if len(re.sub(r"\s+", "", c)) >= min_chars and c not in out:
                out.append(c)
    return sorted(out, key=len, reverse=True)


_SENTENCE_END = re.compile(r"(?<=[다음함됨요])\.(?=\s|$)|\n")


def remove_restatements(text: str, fields: Sequence[str], window: int = 25) -> str:
    """Delete what ``text`` repeats of the given fields (판시사항, 판결요지), spacing ignored.

    Whole points and sentences go first; then any sentence of ``text`` that shares a ``window``-character
    stretch with a field (a restated principle with a changed ending, "…하여야 한다" → "…하여야 하므로").
    """
    for value in fields:
        for piece in _pieces(value):
            text = _flexible(piece).sub(" ", text)
    flat_fields = [re.sub(r"\s+", "", clean_markup(html=True, text=v)) for v in fields if v and v.strip()]
    flat_fields = [f for f in flat_fields if len(f) >= window]
    if not flat_fields:
        return text
    kept, start = [], 0
    bounds = [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    for end in bounds:
        sentence = text[start:end]
        start = end
        flat = re.sub(r"\s+", "", sentence)
        shared = any(flat[i:i + window] in f for f in flat_fields
                     for i in range(0, max(1, len(flat) - window + 1), 3)) if len(flat) >= window else False
        if not shared:
            kept.append(sentence)
    text = "".join(kept)
    # Last sweep: a restated passage cut into short quoted sentences escapes the sentence test above.
    for f in flat_fields:
        for i in range(0, max(0, len(f) - 40 + 1), 10):
            piece = f[i:i + 40]
            if piece in re.sub(r"\s+", "", text):
                text = _flexible(piece).sub(" ", text)
    return text


def query_text(row: Mapping[str, Any], articles: Sequence[str], chain: Iterable[str] = ()) -> str:
    """A leak-free description of the case to search with (see the module docstring for what goes)."""
    reasoning = clean_markup(html=True, text=str(row.get("reasoning") or "")) or clean_markup(html=True, text=str(row.get("facts") or ""))
    reasoning = _strip_signature(reasoning)
    reasoning = _remove(reasoning, clean_markup(html=True, text=str(row.get("applied_law_text") or "")))
    reasoning = _APPLIED_SECTION.sub(" ", reasoning)
    # Supreme Court reasoning often restates 판결요지 verbatim; those are the answer's words, drop them.
    reasoning = remove_restatements(reasoning, [str(row.get("summary") or ""), str(row.get("holdings") or "")])
    laws, words = leak_terms(row, articles)
    ids = [str(row.get("case_id") or ""), *map(str, chain)]
    return mask_text(reasoning, laws, words, ids)


def find_leaks(text: str, row: Mapping[str, Any], articles: Sequence[str]) -> list[str]:
    """Strings of the answer that still occur in a query text (whitespace-insensitive); [] means clean."""
    flat = re.sub(r"\s+", "", text).replace("ㆍ", "·")
    leaks = []
    title = re.sub(r"\s+", "", str(row.get("title") or ""))
    if title and title in flat:
        leaks.append(f"title:{title}")
    cid = str(row.get("case_id") or "")
    if cid and re.sub(r"\s+", "", cid) in flat:
        leaks.append(f"case_id:{cid}")
    if CASE_NUMBER.search(text):
        leaks.append(f"case_number:{CASE_NUMBER.search(text).group(0)}")
    for a in articles:
        m = _ARTICLE_KEY.match(a)
        if m and m.group("law") in flat:
            leaks.append(f"law:{m.group('law')}")
        if re.sub(r"\s+", "", a) in flat:
            leaks.append(f"article:{a}")
    for field_name in ("summary", "holdings"):
        hit = None
        for piece in _pieces(str(row.get(field_name) or ""), min_chars=25):
            piece = re.sub(r"\s+", "", piece)
            windows = [piece] if len(piece) <= 40 else [piece[i:i + 40] for i in range(0, len(piece) - 39, 10)]
            hit = next((w for w in windows if w in flat), None)
            if hit:
                break
        if hit:
            leaks.append(f"{field_name}:{hit}")
    raw = re.sub(r"\s+", "", str(row.get("ref_articles_raw") or ""))
    if len(raw) >= 8 and raw in flat:
        leaks.append("ref_articles_raw")
    for ch in cc.normalize_title(str(row.get("title") or "")):
        for word in cc.charge_terms(ch):
            if word in flat:
                leaks.append(f"charge:{word}")
    return leaks


# ---------------------------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class Benchmark:
    """Everything one build produced; :func:`export` writes it, :func:`load_benchmark` reads it back."""

    corpus: pd.DataFrame                       # id, text, title, court, category, charges, articles
    queries: pd.DataFrame                      # id, text, charge, category, articles, exclude, split, ...
    qrels: dict[str, dict[str, int]]           # standard relevance
    qrels_stricter: dict[str, dict[str, int]] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def _split_map(decisions: pd.DataFrame, test_fraction: float) -> dict[str, str]:
    """case_id → "dev"/"test" for benchmark queries, from lexlab.data.splits (stable hash, appeal-chain aware).

    The benchmark has no training split (retrievers train on the candidate pool, never on query texts), so
    every query is dev or test: ``splits.case_split`` with dev = 1 - test_fraction. A chain shares one split,
    so a query never sits in test while its lower-court twin tunes a retriever in dev.
    """
    if not 0.0 <= test_fraction <= 1.0:
        raise ValueError(f"test_fraction must be in [0, 1], got {test_fraction}")
    result = splits.case_split(decisions, dev=1.0 - test_fraction, test=test_fraction)
    return {str(c): ("test" if s == "test" else "dev") for c, s in zip(decisions["case_id"], result)}


def _project_split_map(decisions: pd.DataFrame) -> dict[str, str]:
    """The project-wide train/dev/test of each case (what LegalMidm training may use), kept as metadata."""
    return {str(c): s for c, s in zip(decisions["case_id"], splits.case_split(decisions))}


def standard_relevance(
    query: Mapping[str, Any],
    candidates: pd.DataFrame,
    *,
    title_match: str = "exact",
) -> list[str]:
    """Ids of candidates relevant to ``query`` under the standard rule.

    ``query`` needs ``charge`` (one normalised charge), ``articles`` (substantive) and ``exclude``;
    ``candidates`` needs ``id``, ``charges`` (tuple of normalised charges) and ``articles`` (substantive).
    ``title_match="exact"``: the candidate's whole normalised title is that one charge (the paper's single-crime
    reading); ``"contains"``: the charge is among the candidate's charges.
    """
    if title_match not in ("exact", "contains"):
        raise ValueError(f"title_match must be 'exact' or 'contains', not {title_match!r}")
    q_arts = set(query["articles"])
    excluded = set(query.get("exclude") or ()) | {query["id"]}
    out = []
    for cid, charges, arts in zip(candidates["id"], candidates["charges"], candidates["articles"]):
        if cid in excluded:
            continue
        same = tuple(charges) == (query["charge"],) if title_match == "exact" else query["charge"] in charges
        if same and q_arts & set(arts):
            out.append(cid)
    return out


def build_benchmark(
    decisions: pd.DataFrame,
    *,
    annotator: Any = None,
    max_queries: int = 0,
    seed: int = 0,
    title_match: str = "exact",
    min_query_chars: int = 200,
    test_fraction: float = 0.5,
    criminal_only: bool = True,
    split_of: Mapping[str, str] | None = None,
    progress: bool = True,
) -> Benchmark:
    """Build corpus, queries and qrels from a snapshot's ``decisions`` table (CONTRACTS.md columns).

    ``annotator`` (see :mod:`lexlab.legalsearchlm.bench.legal_factors`) turns on stricter relevance; without one only standard qrels
    are made. ``max_queries`` > 0 keeps a seeded random subset of queries (stratified by nothing: the
    category table shows what was kept). Queries are split dev/test by lexlab.data.splits with ``test_fraction``;
    ``split_of`` (case_id → "dev"/"test") overrides that (tests).
    """
    from tqdm.auto import tqdm

    t0 = time.time()
    need = ["case_id", "title", "case_type", "reasoning", "lower_case_ids"]
    missing = [c for c in need if c not in decisions.columns]
    if missing:
        raise KeyError(f"decisions table lacks column(s) {missing} (see docs/CONTRACTS.md, snapshot.decisions)")
    df = decisions.drop_duplicates("case_id").reset_index(drop=True)
    # splits over the whole table (as every other stage computes them), before narrowing to criminal cases
    splits_map = dict(split_of) if split_of is not None else _split_map(df, test_fraction)
    project_split = {} if split_of is not None else _project_split_map(df)
    if criminal_only:
        df = df[df["case_type"].astype(str).str.strip() == "형사"].reset_index(drop=True)
    chains = appeal_chains(df)

    known = _known_laws(df)
    rows = df.to_dict("records")
    corpus_rows, skipped = [], Counter()
    arts_by_id: dict[str, list[str]] = {}
    for row in tqdm(rows, desc="candidates", disable=not progress, mininterval=2.0):
        cid = str(row["case_id"])
        text = document_text(row)
        if not text:
            skipped["empty_document"] += 1
            continue
        arts = decision_articles(row, known)
        arts_by_id[cid] = arts
        charges = cc.normalize_title(str(row.get("title") or ""))
        corpus_rows.append({
            "id": cid, "text": text, "title": str(row.get("title") or ""), "court": str(row.get("court") or ""),
            "charges": charges, "category": cc.category_of(charges[0]) if len(charges) == 1 else
            ("+".join(sorted({cc.category_of(c) for c in charges})) if charges else cc.OTHER),
            "articles": substantive_articles(arts), "project_split": project_split.get(cid, ""),
        })
    corpus = pd.DataFrame(corpus_rows)
    if corpus.empty:
        raise ValueError("no criminal decisions with text in the decisions table: nothing to build")

    query_rows, reasons = [], Counter()
    for row in tqdm(rows, desc="queries", disable=not progress, mininterval=2.0):
        cid = str(row["case_id"])
        if cid not in arts_by_id:
            continue
        charges = cc.normalize_title(str(row.get("title") or ""))
        if len(charges) != 1:
            reasons["not_single_charge"] += 1
            continue
        sub = substantive_articles(arts_by_id[cid])
        if not sub:
            reasons["no_substantive_article"] += 1
            continue
        chain = chains.get(cid, frozenset({cid}))
        text = query_text(row, arts_by_id[cid], chain)
        if len(text) < min_query_chars:
            reasons["query_text_too_short"] += 1
            continue
        if find_leaks(text, row, arts_by_id[cid]):  # the masking missed something: never ship that query
            reasons["leak_not_removable"] += 1
            continue
        query_rows.append({
            "id": cid, "text": text, "charge": charges[0], "category": cc.category_of(charges[0]),
            "articles": sub, "exclude": sorted(chain), "court": str(row.get("court") or ""),
            "project_split": project_split.get(cid, ""), "split": splits_map.get(cid, "dev"),
        })
    queries = pd.DataFrame(query_rows)
    qrels: dict[str, dict[str, int]] = {}
    if not queries.empty:
        by_charge: dict[str, pd.DataFrame] = {}
        for q in queries.to_dict("records"):
            key = q["charge"]
            if key not in by_charge:
                mask = corpus["charges"].map(lambda cs, k=key: k in cs)
                by_charge[key] = corpus.loc[mask, ["id", "charges", "articles"]]
            rel = standard_relevance(q, by_charge[key], title_match=title_match)
            if rel:
                qrels[q["id"]] = {d: 1 for d in rel}
            else:
                reasons["no_relevant_candidate"] += 1
        queries = queries[queries["id"].isin(qrels)].reset_index(drop=True)
    if max_queries and len(queries) > max_queries:
        queries = queries.sample(n=max_queries, random_state=seed).sort_values("id").reset_index(drop=True)
        qrels = {q: qrels[q] for q in queries["id"]}

    stricter: dict[str, dict[str, int]] = {}
    strict_stats: dict[str, Any] = {}
    if annotator is not None and not queries.empty:
        from lexlab.legalsearchlm.bench import legal_factors as factors

        stricter, strict_stats = factors.stricter_qrels(queries, corpus, qrels, df, annotator, progress=progress)

    n_rel = [len(v) for v in qrels.values()]
    stats = {
        "decisions": int(len(decisions)),
        "candidates": int(len(corpus)),
        "queries": int(len(queries)),
        "queries_dev": int((queries["split"] == "dev").sum()) if len(queries) else 0,
        "queries_test": int((queries["split"] == "test").sum()) if len(queries) else 0,
        "mean_relevant_per_query": float(sum(n_rel) / len(n_rel)) if n_rel else 0.0,
        "median_relevant_per_query": float(pd.Series(n_rel).median()) if n_rel else 0.0,
        "query_skips": dict(reasons),
        "candidate_skips": dict(skipped),
        "appeal_chains_multi": int(sum(1 for c in set(chains.values()) if len(c) > 1)),
        "title_match": title_match,
        "test_fraction": test_fraction,
        "build_seconds": round(time.time() - t0, 2),
        **strict_stats,
    }
    return Benchmark(corpus=corpus, queries=queries, qrels=qrels, qrels_stricter=stricter, stats=stats)


def _known_laws(df: pd.DataFrame) -> set[str]:
    """Law names the corpus itself spells out in 참조조문 — they let prose extraction cut a name from a phrase."""
    known: set[str] = set()
    if "ref_articles" in df.columns:
        for arts in df["ref_articles"]:
            for a in _as_list(arts):
                m = _ARTICLE_KEY.match(str(a).strip())
                if m:
                    known.add(re.sub(r"\s+", "", m.group("law")))
    for title in df.get("title", pd.Series(dtype=str)).astype(str):
        for ch in cc.normalize_title(title):
            law = cc.charge_law(ch)
            if law:
                known.add(law)
    return known


# ---------------------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------------------

def category_table(bench: Benchmark) -> pd.DataFrame:
    """Queries, candidates (single-charge of that category) and relevant-per-query by category."""
    q = bench.queries
    rows = []
    cats = list(cc.CATEGORY_NAMES) + [cc.OTHER]
    for cat in cats:
        qs = q[q["category"] == cat] if len(q) else q
        rel = [len(bench.qrels.get(i, {})) for i in qs["id"]] if len(qs) else []
        strict = [len(bench.qrels_stricter.get(i, {})) for i in qs["id"] if i in bench.qrels_stricter] if len(qs) else []
        cand = int((bench.corpus["category"] == cat).sum())
        if not len(qs) and not cand:
            continue
        rows.append({
            "category": cat, "queries": int(len(qs)), "candidates": cand,
            "dev": int((qs["split"] == "dev").sum()) if len(qs) else 0,
            "test": int((qs["split"] == "test").sum()) if len(qs) else 0,
            "mean_relevant": round(sum(rel) / len(rel), 2) if rel else 0.0,
            "stricter_queries": len(strict),
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------------------
# IR-standard files
# ---------------------------------------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def write_jsonl(rows: Iterable[Mapping[str, Any]], path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
            n += 1
    return n


def trec_id(x: str) -> str:
    """An id as TREC files spell it: whitespace runs become "_" ("2014노3509, 2014노3721(병합)" is one case).

    The same rule as ``lexlab.legalsearchlm.retrieval.trec_id``, so runs and qrels agree; JSONL files keep the original id.
    """
    return re.sub(r"\s+", "_", str(x).strip())


def write_qrels(qrels: Mapping[str, Mapping[str, int]], path: Path) -> int:
    """TREC qrels: ``qid 0 docid relevance`` per line (what trec_eval, ranx and pyserini read)."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for qid in sorted(qrels):
            for did in sorted(qrels[qid]):
                fh.write(f"{trec_id(qid)} 0 {trec_id(did)} {int(qrels[qid][did])}\n")
                n += 1
    return n


def read_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 4:
                raise ValueError(f"{path}:{lineno}: qrels line needs 4 fields (qid 0 docid rel), got {line!r}")
            out[parts[0]][parts[2]] = int(parts[3])
    return dict(out)


def export(bench: Benchmark, out_dir: str | Path) -> dict[str, Path]:
    """Write the benchmark in IR-standard files under ``out_dir``; returns name → path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "corpus": out / "corpus.jsonl", "queries": out / "queries.jsonl",
        "qrels": out / "qrels.standard.trec", "qrels_stricter": out / "qrels.stricter.trec",
        "categories": out / "categories.csv", "stats": out / "stats.json",
    }
    write_jsonl(bench.corpus.to_dict("records"), files["corpus"])
    write_jsonl(bench.queries.to_dict("records"), files["queries"])
    write_qrels(bench.qrels, files["qrels"])
    write_qrels(bench.qrels_stricter, files["qrels_stricter"])
    category_table(bench).to_csv(files["categories"], index=False)
    files["stats"].write_text(json.dumps(bench.stats, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return files


def load_benchmark(out_dir: str | Path) -> Benchmark:
    """Read an exported benchmark back (any retriever's evaluation can start from the directory alone)."""
    out = Path(out_dir)
    if not (out / "queries.jsonl").exists():
        raise FileNotFoundError(f"{out}/queries.jsonl missing: build the benchmark first (notebook 08)")
    corpus = pd.read_json(out / "corpus.jsonl", lines=True, dtype={"id": str})
    queries = pd.read_json(out / "queries.jsonl", lines=True, dtype={"id": str})
    strict_path = out / "qrels.stricter.trec"
    stats_path = out / "stats.json"
    original = {trec_id(i): i for i in [*corpus["id"], *queries["id"]]}

    def untrec(qrels: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        return {original.get(q, q): {original.get(d, d): r for d, r in docs.items()} for q, docs in qrels.items()}

    return Benchmark(
        corpus=corpus, queries=queries, qrels=untrec(read_qrels(out / "qrels.standard.trec")),
        qrels_stricter=untrec(read_qrels(strict_path)) if strict_path.exists() else {},
        stats=json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {},
    )


def filter_run(run: Mapping[str, Mapping[str, float]], queries: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Drop, per query, the documents it must not be credited or penalised for (itself, its appeal chain)."""
    exclude = {str(q): set(map(str, ex)) | {str(q)} for q, ex in zip(queries["id"], queries["exclude"])}
    return {q: {d: s for d, s in docs.items() if d not in exclude.get(q, {q})} for q, docs in run.items()}
