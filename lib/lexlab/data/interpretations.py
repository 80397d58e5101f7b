"""FSC law interpretations (금융위원회 법령해석): one JSON file → one ``Interpretation``.

The crawler stored ``question`` and ``answer`` fields, but the reasoning (이유) exists only inside ``text``,
which reads "문서번호: …\\n\\n질의요지:\\n…\\n\\n회답:\\n…\\n\\n이유:\\n…" followed, in some files, by the text of the
attached reply form ("[첨부파일: …]"). Where the stored fields are empty the same parts are recovered from
``text`` (and, failing that, from the attached form's own "질의요지 / 회답 / 이유" headings). ``related_laws``
is the crawler's list where present (normalised to "법명 제N조" keys when it parses), else the citations found in
the "해석대상 법령 조문" part or in the question. Abbreviations the FSC uses ("자본시장법", "여전법") are kept as
written: resolving them would need an alias table this module does not pretend to have.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lexlab.data.records import Interpretation, check_json_object, read_json_object
from lexlab.data.references import article_key, parse_references
from lexlab.workbench.io import ParseError, check_on_error, parse_each

_PART = re.compile(r"^(질의요지|회답|이유)\s*:\s*$", re.M)
_ATTACHMENT = re.compile(r"^\[첨부(?:파일)?:", re.M)
_CITED_HEAD = re.compile(r"\n*\s*해석\s?대상\s?법령\s?조문\s?및\s?관련\s?법령\s*:\s*")
# The attached request form: its own headings, including two parts (facts, provisions) that end the question.
_FORM_HEAD = re.compile(r"^\s*(질의요지|회답|이유|법령해석 요청의 원인이 되는|법령해석의 대상이 되는)\s*$", re.M)
_FORM_NOISE = re.compile(r"^\s*(사실관계|법령의 조문 및 관련 법령|법령해석 요청서)\s*$", re.M)
_FORM_NAMES = {"법령해석 요청의 원인이 되는": "사실관계", "법령해석의 대상이 되는": "대상법령"}


def _tidy(text: str) -> str:
    text = (text or "").replace("\u00a0", " ").replace("\r", "")
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip()


def split_parts(text: str) -> dict[str, str]:
    """{"질의요지", "회답", "이유"} → text, from the "X:" headed layout; attachments cut off."""
    head = text
    m = _ATTACHMENT.search(text)
    if m:
        head = text[:m.start()]
    parts: dict[str, str] = {}
    marks = list(_PART.finditer(head))
    for i, mk in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(head)
        parts.setdefault(mk.group(1), _tidy(head[mk.end():end]))
    if any(not parts.get(k) for k in ("질의요지", "회답")) and m:
        form = text[m.start():]
        fmarks = list(_FORM_HEAD.finditer(form))
        for i, mk in enumerate(fmarks):
            end = fmarks[i + 1].start() if i + 1 < len(fmarks) else len(form)
            body = _FORM_NOISE.sub("", form[mk.end():end])
            name = _FORM_NAMES.get(mk.group(1), mk.group(1))
            if not parts.get(name):
                parts[name] = _tidy(body)
    return parts


def parse_interpretation(path: str | Path, data: dict | None = None) -> Interpretation:
    path = Path(path)
    spath = str(path)
    if data is None:
        data = read_json_object(path)
    else:
        check_json_object(path, data)
    doc_id = str(data.get("doc_id") or "").strip()
    if not doc_id:
        raise ParseError(spath, "doc_id", "missing or empty")
    text = data.get("text")
    if text is not None and not isinstance(text, str):
        raise ParseError(spath, "text", f"expected a string, got {type(text).__name__}")
    parts = split_parts(text or "")
    question = _tidy(data.get("question") or "") or parts.get("질의요지", "")
    # Older requests ("pastreq") append the provisions asked about to the question; they are not the question.
    cited_part = parts.get("대상법령", "")
    m = _CITED_HEAD.search(question)
    if m:
        question, cited_part = question[:m.start()].strip(), question[m.end():].strip()
    answer = _tidy(data.get("answer") or "") or parts.get("회답", "")
    if not question:
        raise ParseError(spath, "question", "no question (neither the 'question' field nor a 질의요지 part)")
    if not answer:
        raise ParseError(spath, "answer", "no answer (neither the 'answer' field nor a 회답 part)")
    related = data.get("related_laws") or []
    if not isinstance(related, list):
        raise ParseError(spath, "related_laws", f"expected a list, got {type(related).__name__}")
    entries = [str(x).strip() for x in related if str(x).strip()]
    laws: list[str] = []
    if entries:
        # one string, so that "동법 시행령 제5조" in the crawler's list resolves to the entry before it
        laws = [article_key(r.law, r.article) for r in parse_references(" , ".join(entries))]
        # an entry that is not a parseable citation ("관련 하위규정") is kept as written
        laws += [e for e in entries if not parse_references(e) and not re.match(r"^(?:동|같은)\s?법", e)]
    else:
        laws = [article_key(r.law, r.article) for r in parse_references(cited_part or question, free_text=True)]
    laws = list(dict.fromkeys(laws))
    return Interpretation(
        doc_id=doc_id,
        title=str(data.get("title") or "").strip(),
        question=question,
        answer=answer,
        reason=parts.get("이유", ""),
        related_laws=laws,
        source_path=spath,
    )


def iter_interpretation_files(root: str | Path) -> Iterator[Path]:
    yield from sorted(Path(root).rglob("*.json"))


def load_interpretations(root: str | Path, *, on_error: str = "skip", errors: list | None = None,
                         max_files: int | None = None, progress: bool = True) -> list[Interpretation]:
    from lexlab.workbench.progress import step_bar as tqdm

    check_on_error(on_error)
    files = list(iter_interpretation_files(root))
    if max_files:
        files = files[:max_files]
    out: list[Interpretation] = []
    seen: set[str] = set()
    files = tqdm(files, desc="interpretations", disable=not progress)
    for f, rec in parse_each(files, parse_interpretation, on_error, errors):
        if rec.doc_id in seen:
            if errors is not None:
                errors.append({"path": str(f), "field": "doc_id", "error": f"duplicate doc_id {rec.doc_id!r}"})
            continue
        seen.add(rec.doc_id)
        out.append(rec)
    return out
