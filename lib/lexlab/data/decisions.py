"""Court decisions from the precedents package: one markdown file → one ``Decision``.

File shape (law.go.kr export): a front matter block between ``---`` lines whose values may continue on
indented lines (참조조문 and 참조판례 often do), then a body where each section starts with a bare label on its
own flush-left line ("판시사항", "주    문", "이    유", "원심판결", party roles) and its content follows, with
``<br/>`` for line breaks and indented physical lines as soft wraps. 이유 is always the last top-level section;
lower-court criminal judgments structure it further ("범죄사실", "증거의 요지", "법령의 적용", "양형의 이유"),
either as flush-left lines or as ``<br/>``-separated lines, which is why sub-sections are found on logical lines.

The same case can sit in several topic folders; ``load_decisions`` keeps one record per case number and all
of its paths, and links a decision to the lower-instance decisions (원심판결/환송판결/제1심판결) that are also in
the corpus, so retrieval can keep one dispute out of its own candidate list.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from lexlab.data.records import Decision, read_text
from lexlab.data.references import article_keys, extract_citations, normalise_law, parse_references
from lexlab.workbench.io import ParseError, check_on_error, parse_each

REQUIRED_KEYS = ("사건번호", "법원", "사건종류", "선고일자")

# Top-level body labels, compared without spaces. Party-role labels are matched by _PARTY below.
_TOP_LABELS = {
    "판시사항", "판결요지", "결정요지", "주문", "이유", "원심판결", "환송판결", "제1심판결", "원판결", "원심결정",
    "원결정", "원심심결", "원심결", "재심대상판결", "변론종결", "심급", "세목", "청구취지", "청구취지및항소취지",
    "신청취지", "항소취지", "전문", "참조조문", "참조판례",
}
_LOWER_LABELS = ("원심판결", "환송판결", "제1심판결", "원판결", "원심결정", "원결정", "원심심결", "원심결")
# A party-role label is made only of role words ("피고, 피상고인 겸 상고인", "원고(선정당사자), 상고인").
_ROLE = (r"피고인들?|변호인들?|피상고인|상고인|피항소인|항소인|검사|반소원고|반소피고|원고|피고|피신청인|신청인|재항고인|"
         r"항고인|보조참가인|공동소송참가인|독립당사자참가인|참가인|피심판청구인|심판청구인|재심청구인|피청구인|청구인|"
         r"상대방|채무자|채권자|배상신청인|피감호청구인|감호청구인|위반자|피해자|소송대리인|선정당사자|피부착명령청구자|"
         r"부착명령청구자|부대상고인|부대피상고인|부대항소인|부대피항소인|보조참가인")
_PARTY = re.compile(rf"^(?:(?:{_ROLE})|[,()·]|겸|및|의|등)+$")
_ENUM_PREFIX = r"(?:[0-9]+\.|[가-하]\.|[IVXⅠ-Ⅹ]+\.|\(\d+\)|[【\[<〔])?"
_FACTS_HEAD = re.compile(
    rf"^{_ENUM_PREFIX}(?:이법원이인정하는|당원이인정하는|당심이인정하는)?(?:피고인들?\d*(?:,\d+)*의?)?"
    r"범죄사실(?:및증거의요지|과증거의요지)?(?:\(.*\)|주\d+\)|\[.*\])?[】\]>〕]?$")
_APPLIED_HEAD = re.compile(rf"^{_ENUM_PREFIX}법령의적용(?:\(.*\))?[】\]>〕]?$")
_OTHER_HEAD = re.compile(
    rf"^{_ENUM_PREFIX}(?:증거의요지|양형의?이유|양형의이유등|유죄의이유|무죄부분|무죄판단|무죄부분및이유무죄부분|"
    r"이유무죄부분|일부무죄부분|공소기각부분|면소부분|범죄전력|판시전과|배상명령|배상신청각하|배상신청각하부분|"
    r"신상정보등록|신상정보등록및제출의무|결론|항소이유의요지|항소이유에대한판단|직권판단|공소사실의요지|인정근거|"
    r"관계법령|다시쓰는판결이유|파기부분에대하여다시쓰는판결이유|기초사실|판단|쟁점에(?:대한|관한)판단|"
    r"(?:(?:피고인들?|변호인들?)(?:및|과|와)?)+의?주장(?:등)?에(?:대한|관한)판단|무죄및면소부분|"
    r"증거의요지\(.*\)|양형의이유\(.*\)|무죄부분\(.*\))(?:\(.*\))?[】\]>〕]?$")
_APPLIED_END = re.compile(r"^\s*(?:이상의\s*이유로|판사\s|재판장|\[.*(?:일람표|별지).*\]\s*$)")
CASE_NO = re.compile(r"(?<![0-9가-힣])((?:19|20)?\d{2})\s?([가-힣]{1,4})\s?(\d{1,7})(?:-(\d+))?(?![0-9])")


def _plain_section_text(text: str) -> str:
    """Section text as plain lines: <br/> → newline, indentation and tags gone, blank lines dropped.

    Not ``lexlab.data.text.clean_markup``: these are the rules snapshots were built with (changing them would
    move the snapshot hashes); that one cleans snapshot text for models and benchmarks.
    """
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"</?(?:img|span|p|div|b|i|u|sup|sub|font|a)\b[^>]*>", " ", text, flags=re.I)
    text = text.replace("\u00a0", " ")
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def split_front_matter(text: str, path: str) -> tuple[dict[str, str], str]:
    """(front-matter dict, body). Indented lines continue the previous key's value (joined by one space)."""
    if not text.startswith("---"):
        raise ParseError(path, "front_matter", "file does not start with a '---' front matter block")
    end = re.search(r"\n---[ \t]*(?:\n|$)", text[3:])
    if end is None:
        raise ParseError(path, "front_matter", "front matter block is not closed by a '---' line")
    block = text[3:3 + end.start()]
    body = text[3 + end.end():]
    meta: dict[str, str] = {}
    key = None
    for lineno, line in enumerate(block.split("\n")[1:], start=2):
        if not line.strip():
            continue
        # A key is a short name at column 0; anything else (indented text, a lone ",") continues the value.
        m = re.match(r"^([가-힣A-Za-z_][가-힣A-Za-z0-9_]{0,19}):(?:[ \t](.*)|$)", line)
        if m:
            key = m.group(1)
            if key in meta:
                raise ParseError(path, key, f"front-matter key repeated on line {lineno}")
            meta[key] = m.group(2) or ""
        elif key is not None:
            meta[key] = (meta[key].rstrip() + " " + line.strip()).strip()
        else:
            raise ParseError(path, "front_matter", f"line {lineno} is not a 'key: value' line: {line[:60]!r}")
    return {k: v.strip() for k, v in meta.items()}, body


def _is_label(line: str) -> str | None:
    if not line or line[0].isspace() or "<br" in line:
        return None
    key = re.sub(r"\s+", "", line)
    key = re.sub(r"\(?주\d+\)$", "", key)  # footnote marker: "이    유주1)"
    if not key or len(key) > 40:
        return None
    if key in _TOP_LABELS:
        return key
    if _PARTY.match(key) and not re.search(r"\d", key):
        return key
    return None


def split_sections(body: str) -> dict[str, str]:
    """Raw section texts keyed by space-free label; text before the first label goes under "_preamble".

    Everything after the first 이유 label belongs to 이유 (a 파기자판 judgment repeats 주문/이유 inside it).
    Physical lines: a flush-left line starts a new line, an indented one is a soft wrap of the previous.
    """
    sections: dict[str, list[str]] = {"_preamble": []}
    current = "_preamble"
    for line in body.split("\n"):
        if current != "이유":
            label = _is_label(line)
            if label is not None and label not in sections:
                current = label
                sections[current] = []
                continue
        buf = sections[current]
        if line[:1].isspace() and buf:
            buf[-1] = buf[-1].rstrip() + " " + line.strip()
        else:
            buf.append(line)
    return {k: "\n".join(v) for k, v in sections.items()}


def _logical_lines(reasoning: str) -> list[str]:
    return _plain_section_text(reasoning).split("\n") if reasoning else []


def _head_key(line: str) -> str:
    return re.sub(r"\s+", "", line)


def _block(lines: list[str], start_re: re.Pattern, stop: Callable[[str], bool]) -> str:
    """Lines after the first heading matching ``start_re`` up to the next heading (``stop``)."""
    for i, line in enumerate(lines):
        if start_re.match(_head_key(line)):
            return "\n".join(_until(lines[i + 1:], stop)).strip()
    return ""


def _until(lines: list[str], stop: Callable[[str], bool]) -> list[str]:
    """The leading run of ``lines`` before the first one that ``stop`` accepts."""
    out = []
    for line in lines:
        if stop(line):
            break
        out.append(line)
    return out


def _is_heading(line: str) -> bool:
    key = _head_key(line)
    return len(key) <= 60 and bool(_FACTS_HEAD.match(key) or _APPLIED_HEAD.match(key) or _OTHER_HEAD.match(key))


_BY_REFERENCE = re.compile(r"(?:원심판결|원심\s?판시|제1심판결).{0,160}(?:기재와\s?같|바와\s?같).{0,80}(?:인용한다|같다)\.?$", re.S)


def extract_facts(reasoning: str) -> str:
    """The 범죄사실 block of a (lower-court criminal) 이유, or "" when it has none.

    An appellate judgment that only incorporates the lower court's findings ("…원심판결의 해당란 기재와 같으므로
    … 그대로 인용한다") has no facts of its own: that sentence is not a statement of facts, so it yields "".
    """
    block = _block(_logical_lines(reasoning), _FACTS_HEAD, _is_heading)
    if len(block) < 400 and _BY_REFERENCE.search(block):
        return ""
    return block


def extract_applied_law(reasoning: str) -> str:
    """The 법령의 적용 part (or, failing a heading, the run starting at a "해당법조" line) of 이유."""
    lines = _logical_lines(reasoning)

    def stop(line: str) -> bool:
        return _is_heading(line) or bool(_APPLIED_END.match(line))

    text = _block(lines, _APPLIED_HEAD, stop)
    if text:
        return text
    for i, line in enumerate(lines):
        if re.search(r"해당\s?법조", line) and len(line) < 80:
            return "\n".join([line] + _until(lines[i + 1:], stop)).strip()
    return ""


def split_case_numbers(value: str) -> list[str]:
    """All case numbers in a 사건번호 value or a 원심판결 line, shorthand expanded.

    "2016고합203, 220(병합)" → ["2016고합203", "2016고합220"]; "2012다56245,56252" likewise.
    """
    out: list[str] = []
    last_prefix = None
    pos = 0
    value = value or ""
    for m in CASE_NO.finditer(value):
        # bare numbers between two full case numbers continue the previous one's year+type
        if last_prefix:
            for bare in re.findall(r"(?<![\d가-힣.])(\d{1,7})(?=\s*(?:\(병합\)|\(분리\)|,|$|\s))", value[pos:m.start()]):
                out.append(last_prefix + bare)
        year, kind, num, dash = m.groups()
        out.append(f"{year}{kind}{num}" + (f"-{dash}" if dash else ""))
        last_prefix = f"{year}{kind}"
        pos = m.end()
    if last_prefix:
        for bare in re.findall(r"(?<![\d가-힣.])(\d{1,7})(?=\s*(?:\(병합\)|\(분리\)|,|$|\s))", value[pos:]):
            out.append(last_prefix + bare)
    seen: set[str] = set()
    return [c for c in out if not (c in seen or seen.add(c))]


def normalise_case_id(value: str) -> str:
    """The dedupe key of a 사건번호: whitespace removed (the value itself is kept as case_id)."""
    return re.sub(r"\s+", "", value or "")


def parse_decision(path: str | Path, text: str | None = None, *, root: str | Path | None = None,
                   known_laws: Iterable[str] | None = None) -> Decision:
    """Parse one decision file. Raises ``ParseError`` naming the path and the field that is wrong."""
    path = Path(path)
    spath = str(path)
    if text is None:
        text = read_text(path)
    meta, body = split_front_matter(text, spath)
    for key in REQUIRED_KEYS:
        if not meta.get(key, "").strip():
            raise ParseError(spath, key, "required front-matter key is missing or empty")
    if not re.search(r"\d", meta["사건번호"]):
        raise ParseError(spath, "사건번호", f"not a case number: {meta['사건번호'][:40]!r}")
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", meta["선고일자"]) and not re.match(r"^\d{4}\.?\s?\d", meta["선고일자"]):
        raise ParseError(spath, "선고일자", f"not a date: {meta['선고일자'][:40]!r}")
    sections = split_sections(body)
    if "주문" not in sections and "이유" not in sections:
        raise ParseError(spath, "body", "neither a 주문 nor an 이유 section was found")
    reasoning_raw = sections.get("이유", "")
    ref_raw = _plain_section_text(meta.get("참조조문", "")).replace("\n", " ")
    refs = parse_references(ref_raw)
    applied = extract_applied_law(reasoning_raw)
    if not refs and applied:
        refs = extract_citations(applied, known_laws=known_laws)
    named_lower: list[str] = []
    for label in _LOWER_LABELS:
        if label in sections:
            named_lower.extend(split_case_numbers(_plain_section_text(sections[label])))
    folder = ""
    if root is not None:
        try:
            folder = str(path.relative_to(root).parts[0])
        except ValueError:
            folder = path.parent.name
    else:
        folder = path.parent.name
    return Decision(
        case_id=meta["사건번호"].strip(),
        title=meta.get("제목", "").strip(),
        court=meta["법원"].strip(),
        case_type=meta["사건종류"].strip(),
        decision_type=meta.get("판결유형", "").strip(),
        date=meta["선고일자"].strip(),
        ref_articles_raw=ref_raw,
        ref_cases_raw=_plain_section_text(meta.get("참조판례", "")).replace("\n", " "),
        ref_articles=article_keys(refs),
        holdings=_plain_section_text(sections.get("판시사항", "")),
        summary=_plain_section_text(sections.get("판결요지", "") or sections.get("결정요지", "")),
        order=_plain_section_text(sections.get("주문", "")),
        reasoning=_plain_section_text(reasoning_raw),
        facts=extract_facts(reasoning_raw),
        applied_law_text=applied,
        source_paths=[spath],
        folder=folder,
        named_lower_ids=[c for c in named_lower if normalise_case_id(c) != normalise_case_id(meta["사건번호"])],
    )


def iter_decision_files(root: str | Path) -> Iterator[Path]:
    """Decision files under ``root`` in a stable order (sorted), so snapshots are reproducible."""
    yield from sorted(Path(root).rglob("*.md"))


def dedupe_decisions(decisions: Iterable[Decision]) -> list[Decision]:
    """One record per case number. The first file (sorted path order) wins, the others add their paths.

    When copies differ, the longest 이유 wins: some folders hold truncated exports of the same case.
    """
    by_id: dict[str, Decision] = {}
    for d in decisions:
        key = normalise_case_id(d.case_id)
        kept = by_id.get(key)
        if kept is None:
            by_id[key] = d
            continue
        paths = kept.source_paths + [p for p in d.source_paths if p not in kept.source_paths]
        if len(d.reasoning) > len(kept.reasoning):
            d.source_paths = [d.source_paths[0]] + [p for p in paths if p != d.source_paths[0]]
            d.folder = kept.folder
            by_id[key] = d
        else:
            kept.source_paths = paths
    return list(by_id.values())


def link_appeal_chains(decisions: list[Decision]) -> int:
    """Fill ``lower_case_ids`` with named lower-instance cases that are in the corpus. Returns links made."""
    index: dict[str, str] = {}
    for d in decisions:
        for c in split_case_numbers(d.case_id) or [d.case_id]:
            index.setdefault(normalise_case_id(c), d.case_id)
        index.setdefault(normalise_case_id(d.case_id), d.case_id)
    links = 0
    for d in decisions:
        found = []
        for c in d.named_lower_ids:
            target = index.get(normalise_case_id(c))
            if target and target != d.case_id and target not in found:
                found.append(target)
        d.lower_case_ids = found
        links += bool(found)
    return links


def known_law_names(decisions: Iterable[Decision], extra: Iterable[str] = ()) -> set[str]:
    """Law names cited in 참조조문 across the corpus, plus ``extra`` (statute titles): a gazetteer for prose."""
    names = {normalise_law(x) for x in extra}
    for d in decisions:
        if not d.ref_articles_raw.strip():
            continue  # names read out of prose are guesses; only curated 참조조문 lists feed the gazetteer
        for key in d.ref_articles:
            names.add(key.split(" ", 1)[0])
    return {n for n in names if len(n) >= 2}


def load_decisions(root: str | Path, *, on_error: str = "skip", errors: list | None = None,
                   max_files: int | None = None, progress: bool = True,
                   known_laws: Iterable[str] | None = None) -> list[Decision]:
    """Parse, dedupe and link every decision under ``root``.

    on_error="skip": a bad file is recorded in ``errors`` (dicts with path/field/error) and skipped;
    "raise": the first ``ParseError`` propagates. Lower-court decisions often lack 참조조문 and cite provisions
    only in prose; those are extracted with a gazetteer of law names built from the other decisions, so the
    corpus is parsed in two passes (the second only re-reads the prose part of decisions without 참조조문).
    """
    from lexlab.workbench.progress import step_bar as tqdm

    check_on_error(on_error)
    files = list(iter_decision_files(root))
    if max_files:
        files = files[:max_files]
    files = tqdm(files, desc="decisions", disable=not progress)
    parsed = [d for _, d in parse_each(files, lambda f: parse_decision(f, root=root), on_error, errors)]
    gazetteer = known_law_names(parsed, known_laws or ())
    for d in parsed:
        if not d.ref_articles_raw.strip() and d.applied_law_text:
            d.ref_articles = article_keys(extract_citations(d.applied_law_text, known_laws=gazetteer))
    decisions = dedupe_decisions(parsed)
    link_appeal_chains(decisions)
    return decisions
