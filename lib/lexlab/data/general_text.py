"""The "general" side of the mix — and an honest note on what it is.

LegalMidm mixes general-domain Korean text into training so the legal specialist keeps its general ability.
No general Korean corpus installs offline, so the default stand-in is the FSC and PIPC press releases from the
snapshot's ``general`` table (``card-legal-data-press``). They are *government prose*: policy announcements
about finance and privacy, written by regulators. That is more general than statutes and judgments, but it is
NOT general-domain text, and results obtained with it say little about forgetting of everyday Korean. Point
``jsonl=`` at your own corpus (``{"id", "text"}`` per line) or instructions (``{"id", "question", "answer"}``)
to mix in real general data.

General *instructions* for IT are built mechanically from the same press releases (see
``general_instructions``): write the title for a body, and continue a passage with its next sentence. They are
simple self-supervised tasks, not human-written instructions; they exercise instruction following on non-legal
prose, which is all they are for.
"""
from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from lexlab.workbench.io import read_jsonl

TITLE_TASK = "title"
CONTINUE_TASK = "continue"
TASKS = (TITLE_TASK, CONTINUE_TASK)

TITLE_PROMPT = "다음 보도자료 본문에 알맞은 제목을 붙이세요.\n\n{body}"
CONTINUE_PROMPT = "다음 글에 이어질 문장을 쓰세요.\n\n{context}"

_WS = re.compile(r"\s+")
# A sentence ends at ./?/! followed by whitespace; Korean official prose ends sentences with "…다." almost always.
_SENT_END = re.compile(r"(?<=[.?!])\s+")


def normalise(text: str) -> str:
    """Collapse whitespace. The press releases come from PDF extraction with line breaks inside words and
    phrases; one space is the least-wrong reading of a break we cannot classify."""
    return _WS.sub(" ", text or "").strip()


def _strip_prefix_ignoring_space(body: str, prefix: str) -> str | None:
    """``body`` without a leading ``prefix``, where whitespace differences do not count; None if no match."""
    target = [c for c in prefix if not c.isspace()]
    i = 0
    for j, ch in enumerate(body):
        if i == len(target):
            return body[j:].lstrip()
        if ch.isspace():
            continue
        if ch != target[i]:
            return None
        i += 1
    return "" if i == len(target) else None


def body_without_title(title: str, text: str) -> str:
    """The release body with its leading title copies removed.

    Releases open with "제목: <title>" and then the title again as a heading; left in, "write the title" would
    be a copy task.
    """
    body = normalise(text)
    title = normalise(title)
    if not title:
        return body
    for _ in range(3):
        stripped = None
        for prefix in (f"제목: {title}", f"제목 : {title}", title):
            stripped = _strip_prefix_ignoring_space(body, prefix)
            if stripped is not None:
                body = stripped
                break
        if stripped is None:
            break
    return body


def general_texts(
    snapshot=None,
    jsonl: str | Path | None = None,
    split: str = "train",
    max_docs: int | None = None,
    on_error: str = "raise",
) -> list[dict[str, str]]:
    """General text for CPT: ``{"id", "text", "source"}`` dicts.

    From ``jsonl`` (a user's corpus, used whole — it is theirs to split) when given, else from the snapshot's
    ``general`` table (press releases, see the module docstring), restricted to ``split`` by
    ``lexlab.data.splits`` so the held-out general text of the forgetting check is never trained on.
    """
    if jsonl:
        docs = read_text_jsonl(jsonl, on_error=on_error)
        return docs[:max_docs] if max_docs else docs
    if snapshot is None:
        raise ValueError("general_texts needs a snapshot (with a 'general' table) or a jsonl path")
    from lexlab.data import splits

    df = snapshot.general
    df = df[[splits.split_of(splits.general_key(d)) == split for d in df["doc_id"]]]
    docs = []
    for r in df.itertuples():
        body = body_without_title(r.title or "", r.text or "")
        if body:
            docs.append({"id": splits.general_key(r.doc_id), "title": normalise(r.title or ""), "text": body,
                         "source": r.source})
        if max_docs and len(docs) >= max_docs:
            break
    return docs


def sentences(text: str, min_chars: int = 10, max_chars: int = 300) -> list[str | None]:
    """Sentence-like pieces of normalised prose, with ``None`` where a piece is not a usable sentence.

    Usable: a sensible length and the declarative ending "다." that Korean official prose uses; headlines,
    bullets and table debris from the PDF extraction fail that test. The ``None`` holes keep positions, so
    callers can ask for sentences that really follow one another.
    """
    return [s if min_chars <= len(s) <= max_chars and s.endswith("다.") else None
            for s in _SENT_END.split(normalise(text))]


def _consecutive(sents: list[str | None], n: int) -> list[str] | None:
    """The first run of ``n`` usable sentences in a row, or None."""
    for i in range(len(sents) - n + 1):
        window = sents[i: i + n]
        if all(window):
            return window  # type: ignore[return-value]
    return None


def general_instructions(
    docs: Iterable[Mapping[str, Any]],
    tasks: Sequence[str] = TASKS,
    max_body_chars: int = 600,
    max_items: int | None = None,
    seed: int = 0,
) -> list[dict[str, str]]:
    """Self-supervised instructions from press releases (or any ``{"id", "title"?, "text"}`` docs).

    - ``title``: body (clipped to ``max_body_chars``, title copies removed) ⇒ the release's title.
    - ``continue``: the first two consecutive declarative sentences ⇒ the sentence that follows them.
    Each doc yields at most one item per task; the list is shuffled with ``seed`` so a cap keeps a task mix.
    Items carry no reference, so every training format renders them as Q ⇒ A.
    """
    unknown = set(tasks) - set(TASKS)
    if unknown:
        raise ValueError(f"unknown general task(s) {sorted(unknown)}; choose from {TASKS}")
    items: list[dict[str, str]] = []
    for doc in docs:
        doc_id = str(doc["id"])
        title = normalise(doc.get("title", "") or "")
        body = body_without_title(title, doc.get("text", ""))
        if TITLE_TASK in tasks and title and len(body) >= 50:
            clipped = body[:max_body_chars].rstrip() + ("…" if len(body) > max_body_chars else "")
            items.append({"id": f"{doc_id}:title", "question": TITLE_PROMPT.format(body=clipped),
                          "answer": title, "reference": "", "source": "general:title"})
        if CONTINUE_TASK in tasks:
            run = _consecutive(sentences(body), 3)
            if run:
                context, target = " ".join(run[:2]), run[2]
                items.append({"id": f"{doc_id}:continue", "question": CONTINUE_PROMPT.format(context=context),
                              "answer": target, "reference": "", "source": "general:continue"})
    random.Random(seed).shuffle(items)
    return items[:max_items] if max_items else items


def read_text_jsonl(path: str | Path, on_error: str = "raise") -> list[dict[str, str]]:
    """A user's own corpus, ``{"id", "text"}`` per line, as ``{"id", "text", "source"}`` dicts.

    Ids need not be unique here: these texts are only mixed into training, never keyed by id.
    """
    rows = read_jsonl(path, ("id", "text"), on_error=on_error, unique_ids=False)
    return [{"id": r["id"], "text": r["text"], "source": f"jsonl:{Path(path).name}"} for r in rows]


def read_instruction_jsonl(path: str | Path, on_error: str = "raise") -> list[dict[str, str]]:
    """A user's general instructions: ``{"id", "question", "answer"}`` or Alpaca-style
    ``{"id", "instruction", "input"?, "output"}`` per line."""
    items = []
    for r in read_jsonl(path, ("id",), on_error=on_error, unique_ids=False):
        qa = _question_answer(r)
        if qa is None:
            if on_error == "raise":
                raise ValueError(f"{path}: record {r['id']!r}: needs 'question'+'answer' or 'instruction'+'output'")
            continue
        items.append({"id": r["id"], "question": str(qa[0]), "answer": str(qa[1]), "reference": "",
                      "source": f"jsonl:{Path(path).name}"})
    return items


def _question_answer(r: Mapping[str, Any]) -> tuple[Any, Any] | None:
    """(question, answer) of one instruction record in either shape, or None when it has neither."""
    if r.get("question") and r.get("answer"):
        return r["question"], r["answer"]
    if r.get("instruction") and r.get("output"):
        return r["instruction"] + (f"\n\n{r['input']}" if r.get("input") else ""), r["output"]
    return None
