"""Statutes and regulations from the law_api package: one markdown file → its articles (조).

Two layouts occur. Acts and decrees put each article under a ``### 제N조(제목)`` heading; administrative rules
(감독규정, 시행세칙, 지침) write ``제1-1조(목적) 이 규정은 …`` inline at the start of a line. Chapter lines
("제2장 …") sit between articles and are not article text. Supplementary provisions (부칙) and annexed tables
(별표) follow the last article; they are not articles of the current text and are left out. A deleted article
keeps its number with a body of "삭제 <date>" and is marked ``deleted`` rather than dropped, so article
numbering (and the "neighbouring article" checks built on it) stays intact.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lexlab.data.decisions import split_front_matter
from lexlab.data.records import StatuteArticle, read_text
from lexlab.workbench.io import ParseError, check_on_error, parse_each

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚"
_HASH_ARTICLE = re.compile(r"^###\s*제\s?(\d+(?:-\d+)?)\s?조(?:\s?의\s?(\d+))?\s*(?:\((.*)\))?\s*(.*)$")
# Inline heading: needs a "(제목)" or a "삭제" right after the number, so that prose lines that start with
# "제6조의 규정에 의한 …" are not taken for headings.
_INLINE_ARTICLE = re.compile(r"^제\s?(\d+(?:-\d+)?)\s?조(?:의(\d+))?\s*"
                             r"(?:\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*(.*)|(삭제.*))$")
_CHAPTER = re.compile(r"^\s*제\s?\d+(?:-\d+)?\s?(?:편|장|절|관)(?:의\d+)?(?:\s|$)")
_END = re.compile(r"^(?:###\s*(?:부칙|별표|별지|서식|부록)|부\s?칙(?:\s|$|〈|<|\())")
_DELETED = re.compile(r"^[<〈(]?\s*삭\s?제(?:\s|[<〈(>〉)]|$)")


def _is_deleted(title: str, body: str) -> bool:
    body = body.strip()
    return title.strip() == "삭제" or (len(body) < 60 and bool(_DELETED.match(body)))


def split_paragraphs(body: str) -> list[str]:
    """Paragraphs (항) of an article body: each starts with ①…; items (호) stay inside their paragraph."""
    lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
    if not lines:
        return []
    paras: list[list[str]] = []
    for ln in lines:
        if ln[0] in _CIRCLED or not paras:
            paras.append([ln])
        else:
            paras[-1].append(ln)
    return ["\n".join(p) for p in paras]


def parse_statute(path: str | Path, text: str | None = None) -> list[StatuteArticle]:
    """Every article of one statute file, in file order. ``ParseError`` names the path and field."""
    path = Path(path)
    spath = str(path)
    if text is None:
        text = read_text(path)
    meta, body = split_front_matter(text, spath)
    law = _law_name(meta, body, spath)
    articles = [_article(block, law, meta, spath) for block in _article_blocks(body)]
    if not articles:
        raise ParseError(spath, "articles", "no article headings ('### 제N조(…)' or '제N-M조(…)') found")
    return articles


def _law_name(meta: dict, body: str, spath: str) -> str:
    """The law's name: front matter 제목, else the file's '# ' title."""
    law = (meta.get("제목") or "").strip()
    if not law:
        m = re.search(r"^#\s+(.+)$", body, re.M)
        law = m.group(1).strip() if m else ""
    if not law:
        raise ParseError(spath, "제목", "no law name in front matter (제목) or as a '# ' title")
    return law


def _article_blocks(body: str) -> Iterator[dict]:
    """The articles of a statute body in file order, as {num, sub, title, inline, lines}; scanning stops at the
    supplementary parts (부칙, 별표, …), and chapter headings are left out."""
    # One style per file: in a '###' file a body line may itself start "제419조(…를 제외한다)는 …".
    hash_style = any(_HASH_ARTICLE.match(ln.strip()) for ln in body.split("\n") if ln.startswith("###"))
    current: dict | None = None
    for line in body.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("# ") and not stripped.startswith("###"):
            continue
        if _END.match(stripped) and not line[:1].isspace():
            break
        m = _HASH_ARTICLE.match(stripped)
        if m is None and not hash_style and not line[:1].isspace():
            m = _INLINE_ARTICLE.match(stripped)
        if m or stripped.startswith("###"):  # an article heading, or another ### block that ends the article
            if current is not None:
                yield current
            current = _block(m) if m else None
            continue
        if current is None or (_CHAPTER.match(stripped) and not line[:1].isspace()):
            continue
        current["lines"].append(stripped)
    if current is not None:
        yield current


def _block(m: re.Match) -> dict:
    rest = (m.group(4) or "") + (m.group(5) if m.re is _INLINE_ARTICLE and m.group(5) else "")
    return {"num": m.group(1), "sub": m.group(2), "title": (m.group(3) or "").strip(), "inline": rest.strip(),
            "lines": []}


def _article(block: dict, law: str, meta: dict, spath: str) -> StatuteArticle:
    raw = "\n".join(block["lines"]).strip()
    if block["inline"]:
        raw = (block["inline"] + ("\n" + raw if raw else "")).strip()
    paragraphs = split_paragraphs(raw)
    num, sub = block["num"], block["sub"]
    return StatuteArticle(
        law=law,
        article=f"제{num}조" + (f"의{sub}" if sub else ""),
        article_no=num + (f"의{sub}" if sub else ""),
        title=block["title"],
        text="\n".join(paragraphs),
        paragraphs=paragraphs,
        deleted=_is_deleted(block["title"], raw),
        law_kind=meta.get("법령구분", "").strip(),
        source_path=spath,
    )


def iter_statute_files(root: str | Path) -> Iterator[Path]:
    yield from sorted(Path(root).rglob("*.md"))


def dedupe_articles(articles: Iterable[StatuteArticle]) -> list[StatuteArticle]:
    """One row per (law, article_no): the same act filed under two topic folders is kept once (first path)."""
    seen: dict[tuple[str, str], StatuteArticle] = {}
    for a in articles:
        seen.setdefault((a.law, a.article_no), a)
    return list(seen.values())


def load_statutes(root: str | Path, *, on_error: str = "skip", errors: list | None = None,
                  max_files: int | None = None, progress: bool = True) -> list[StatuteArticle]:
    """Articles of every statute file under ``root`` (see ``load_decisions`` for on_error/errors)."""
    from lexlab.workbench.progress import step_bar as tqdm

    check_on_error(on_error)
    files = list(iter_statute_files(root))
    if max_files:
        files = files[:max_files]
    out: list[StatuteArticle] = []
    bar = tqdm(files, desc="statutes", disable=not progress)
    for _, articles in parse_each(bar, parse_statute, on_error, errors):
        out.extend(articles)
    return dedupe_articles(out)
