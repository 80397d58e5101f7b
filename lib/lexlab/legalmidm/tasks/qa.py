"""Question answering from memory, scored by ROUGE-L.

- ``qa_interp``: an FSC law interpretation's question → its answer, nothing else given.
- ``qa_interp_ref``: the same with the related statutes placed before the question, rendered exactly as the
  ``ref_in_input`` training format renders a reference (``lexlab.legalmidm.formats``), so a model trained that way is
  asked in the shape it learned.
- ``qa_statute``: questions about held-out statute articles (definitions "X"란 … 말한다, and what an article
  provides). The articles are dev/test articles, which QA generation never sees.

Predictions of a model trained with ``ref_in_output`` end in "근거 조문: …"; the evaluator strips that tail before
scoring (``strip_reference_tail``) so all formats are scored on the answer alone.
"""
from __future__ import annotations

import re

from lexlab.legalmidm import formats

from lexlab.data.text import clean_markup
from lexlab.legalmidm.tasks import (BuildConfig, Example, Task, flat, clip, key_split, lead, register, require_columns, sample,
               table)
from lexlab.legalmidm.tasks.mrc import interpretations_for_eval

_ARTICLE_REF = re.compile(r"^\s*(?P<law>.+?)\s*(?P<art>제\s*\d+\s*조(?:\s*의\s*\d+)?)")
_DEFINITION = re.compile(r"[\"“'‘]([^\"”'’\n]{1,30})[\"”'’]\s*(?:이)?란\s+([^\n]{5,300}?말한다)")
_HEADING = re.compile(r"^\s*제\s*\d+(?:-\d+)?\s*조(?:\s*의\s*\d+)?\s*(?:\([^)]*\))?\s*")


def article_no(article: str) -> str:
    """"제2조의3" → "2의3": the contract's ``article_no`` key."""
    return re.sub(r"\s+", "", article).replace("제", "").replace("조", "")


def strip_heading(text: str) -> str:
    """Drop the "제N조(제목)" heading so neither the number nor the title gives an answer away."""
    return _HEADING.sub("", text, count=1).strip()


def reference_text(related_laws, statutes_index: dict, max_chars: int) -> str:
    """Related-law strings → the articles' text where the snapshot has them, else the citation itself."""
    parts = []
    for cite in list(related_laws if related_laws is not None else []):
        cite = str(cite).strip()
        m = _ARTICLE_REF.match(cite)
        text = statutes_index.get((m.group("law").strip(), article_no(m.group("art")))) if m else None
        parts.append(f"{cite}: {strip_heading(text)}" if text else cite)
    return clip("\n".join(parts), max_chars)


def statutes_index(snapshot) -> dict:
    try:
        st = table(snapshot, "statutes")
    except ValueError:
        return {}
    return {(str(r.law), str(r.article_no)): clean_markup(r.text) for r in st.itertuples()}


def build_interp(snapshot, config: BuildConfig, with_ref: bool) -> list[Example]:
    name = "qa_interp_ref" if with_ref else "qa_interp"
    index = statutes_index(snapshot) if with_ref else {}
    out = []
    everything = BuildConfig(split=config.split, n=0, seed=config.seed)  # filter first, then cap at n
    for row in interpretations_for_eval(snapshot, everything, ("question", "answer")).itertuples():
        question = flat(row.question)
        ref = reference_text(getattr(row, "related_laws", None), index, config.max_input_chars) if with_ref else ""
        if with_ref and not ref:
            continue  # an item with nothing to refer to is the no-reference task, not this one
        prompt = f"{formats.REF_INPUT_HEADER}{ref}\n\n{formats.QUESTION_HEADER}{question}" if with_ref else question
        out.append(Example(
            id=f"{name}:{row.doc_id}", task=name, prompt=prompt, reference=flat(row.answer), source=ref,
            keys=[row.eval_key], meta={"doc_id": row.doc_id},
        ))
        if config.n and len(out) >= config.n:
            break
    return out


def statute_question(law: str, article: str, title: str, text: str, max_chars: int) -> tuple[str, str] | None:
    """One (question, answer) from an article: its first definition if it defines terms, else its content."""
    body = strip_heading(text)
    m = _DEFINITION.search(body)
    if m:
        return f"「{law}」에서 \"{m.group(1).strip()}\"이란 무엇을 말하는가?", m.group(2).strip()
    if len(body) < 20:
        return None
    label = f"{article}({title})" if title else article
    return f"「{law}」 {label}은 무엇을 규정하고 있는가?", clip(body, max_chars)


def build_statute(snapshot, config: BuildConfig) -> list[Example]:
    df = table(snapshot, "statutes")
    require_columns(df, "statutes", ("law", "article", "article_no", "text"))
    df = df.assign(eval_key="statute:" + df["law"].astype(str) + ":" + df["article_no"].astype(str))
    df = df[key_split(df["eval_key"]) == config.split]
    if "deleted" in df.columns:
        df = df[~df["deleted"].fillna(False).astype(bool)]
    out = []
    for row in sample(df, "eval_key", BuildConfig(split=config.split, n=0, seed=config.seed)).itertuples():
        qa = statute_question(str(row.law), str(row.article), clean_markup(getattr(row, "title", "")),
                              clean_markup(row.text), config.max_input_chars)
        if qa is None:
            continue
        out.append(Example(
            id=f"qa_statute:{row.law}:{row.article_no}", task="qa_statute", prompt=qa[0], reference=qa[1],
            keys=[row.eval_key], meta={"law": row.law, "article": row.article},
        ))
        if config.n and len(out) >= config.n:
            break
    return out


register(Task(
    name="qa_interp", kind="generate", group="qa",
    description="FSC interpretation: question → answer (no reference), ROUGE-L",
    build=lambda s, c: build_interp(s, c, with_ref=False), needs=("interpretations",),
))
register(Task(
    name="qa_interp_ref", kind="generate", group="qa",
    description="FSC interpretation: related statutes + question → answer, ROUGE-L",
    build=lambda s, c: build_interp(s, c, with_ref=True), extractive=lambda ex: lead(ex.source, 2),
    needs=("interpretations", "statutes"),
))
register(Task(
    name="qa_statute", kind="generate", group="qa",
    description="held-out statute articles: definition / content questions, ROUGE-L",
    build=build_statute, needs=("statutes",),
))
