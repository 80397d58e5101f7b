"""Multiple choice, scored the way evaluation harnesses score it: no generation, the model's log-likelihood of
each option as the continuation of the prompt, divided by the option's length in characters ("acc_norm"; the
raw-sum "acc" is logged beside it). Length normalisation matters because options differ in length and a longer
option always has a lower total log-probability.

- ``mc_article``: an article's text (heading removed) → which article of the law it is ("「형법」 제347조").
- ``mc_title``: an article's text (heading removed) → its title ("사기").
- ``mc_charge``: a criminal decision's 범죄사실 (or 이유) with the charge and its law names masked → the charge
  (the decision's title), against distractor charges drawn from other criminal decisions.

Distractors are labels (article numbers, titles, charge names), not content, so they may come from any split; the
text the question is about always comes from the evaluation split.
"""
from __future__ import annotations

import hashlib
import re

import pandas as pd

from lexlab.data.text import clean_markup
from lexlab.legalmidm.tasks import (BuildConfig, Example, Task, clip, key_split, register, require_columns, sample, stable_order,
               table)
from lexlab.legalmidm.tasks.qa import strip_heading
from lexlab.legalmidm.tasks.summary import decisions_for_eval

ARTICLE_PROMPT = "다음 내용을 규정한 조문은 무엇인가?\n\n{text}"
TITLE_PROMPT = "「{law}」의 다음 조문에 알맞은 제목은 무엇인가?\n\n{text}"
CHARGE_PROMPT = "다음 판결문에서 ○○로 가려진 죄명은 무엇인가?\n\n{text}"
MASK = "○○"


def pick_distractors(correct: str, pool: list[str], k: int, seed_key: str) -> list[str]:
    """k distinct wrong options, chosen by a hash of the example so every model sees the same ones."""
    pool = sorted({p for p in pool if p and p != correct})
    order = stable_order(pool, int(hashlib.sha1(seed_key.encode()).hexdigest()[:8], 16))
    return [pool[i] for i in order[:k]]


def place(correct: str, distractors: list[str], seed_key: str) -> tuple[list[str], int]:
    """Put the right option at a hash-chosen position so its place carries no signal."""
    pos = int(hashlib.sha1(("pos:" + seed_key).encode()).hexdigest(), 16) % (len(distractors) + 1)
    options = distractors[:pos] + [correct] + distractors[pos:]
    return options, pos


def statutes_for_mc(snapshot, config: BuildConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    st = table(snapshot, "statutes")
    require_columns(st, "statutes", ("law", "article", "article_no", "text"))
    if "deleted" in st.columns:
        st = st[~st["deleted"].fillna(False).astype(bool)]
    st = st.assign(eval_key="statute:" + st["law"].astype(str) + ":" + st["article_no"].astype(str),
                   eval_body=st["text"].map(lambda t: strip_heading(clean_markup(t))))
    st = st[st["eval_body"].str.len() >= 20]
    evaluated = st[key_split(st["eval_key"]) == config.split]
    return st, sample(evaluated, "eval_key", BuildConfig(split=config.split, n=0, seed=config.seed))


def build_article(snapshot, config: BuildConfig) -> list[Example]:
    everything, candidates = statutes_for_mc(snapshot, config)
    by_law = everything.groupby("law")["article"].apply(list).to_dict()
    out = []
    for row in candidates.itertuples():
        label = f"「{row.law}」 {row.article}"
        pool = [f"「{row.law}」 {a}" for a in by_law.get(row.law, [])]
        wrong = pick_distractors(label, pool, config.n_options - 1, row.eval_key)
        if len(wrong) < config.n_options - 1:
            continue
        options, answer = place(label, wrong, row.eval_key)
        out.append(Example(
            id=f"mc_article:{row.law}:{row.article_no}", task="mc_article",
            prompt=ARTICLE_PROMPT.format(text=clip(row.eval_body, config.max_input_chars)),
            options=options, label=answer, keys=[row.eval_key], meta={"law": row.law, "article": row.article},
        ))
        if config.n and len(out) >= config.n:
            break
    return out


def build_title(snapshot, config: BuildConfig) -> list[Example]:
    everything, candidates = statutes_for_mc(snapshot, config)
    require_columns(everything, "statutes", ("title",))
    titled = everything[everything["title"].map(clean_markup).str.len() > 0]
    by_law = titled.groupby("law")["title"].apply(lambda s: [clean_markup(t) for t in s]).to_dict()
    out = []
    for row in candidates.itertuples():
        title = clean_markup(row.title)
        if not title:
            continue
        body = row.eval_body.replace(title, MASK)  # some articles repeat their title in the text
        wrong = pick_distractors(title, by_law.get(row.law, []), config.n_options - 1, row.eval_key)
        if len(wrong) < config.n_options - 1:
            continue
        options, answer = place(title, wrong, row.eval_key)
        out.append(Example(
            id=f"mc_title:{row.law}:{row.article_no}", task="mc_title",
            prompt=TITLE_PROMPT.format(law=row.law, text=clip(body, config.max_input_chars)),
            options=options, label=answer, keys=[row.eval_key], meta={"law": row.law, "article": row.article},
        ))
        if config.n and len(out) >= config.n:
            break
    return out


def single_charge(title: str) -> bool:
    """A title naming one charge: no list separators and no trailing "등" (which means "and others")."""
    title = clean_markup(title)
    return bool(title) and not re.search(r"[,·ㆍ;/]", title) and not title.endswith("등") and len(title) <= 40


def charge_terms(title: str) -> list[str]:
    """The strings that would give a charge away: the title, the law in it, the offence in parentheses."""
    parts = {title}
    m = re.match(r"^(.*?)위반(?:\((.*)\))?$", title)
    if m:
        parts.update(p for p in (m.group(1), m.group(2)) if p)
    inner = re.findall(r"\(([^)]*)\)", title)
    parts.update(inner)
    parts.add(re.sub(r"\(.*?\)", "", title))
    return sorted((p.strip() for p in parts if p and len(p.strip()) >= 2), key=len, reverse=True)


def mask_charge(text: str, title: str, applied_law: str = "") -> str:
    if applied_law:
        text = text.replace(applied_law, "")
    for term in charge_terms(title):
        text = text.replace(term, MASK)
    return text


def build_charge(snapshot, config: BuildConfig) -> list[Example]:
    df = table(snapshot, "decisions")
    require_columns(df, "decisions", ("case_id", "title", "case_type", "reasoning"))
    criminal = df[(df["case_type"].astype(str) == "형사") & df["title"].map(single_charge)]
    pool = criminal["title"].map(clean_markup).value_counts()
    pool = list(pool[pool >= 2].index) or list(pool.index)  # frequent charges make plausible distractors
    cands = decisions_for_eval(snapshot, BuildConfig(split=config.split, n=0, seed=config.seed), ("reasoning",))
    cands = cands[(cands["case_type"].astype(str) == "형사") & cands["title"].map(single_charge)]
    out = []
    for row in cands.itertuples():
        title = clean_markup(row.title)
        facts = clean_markup(getattr(row, "facts", "") or "")
        text = mask_charge(facts or clean_markup(row.reasoning), title,
                           clean_markup(getattr(row, "applied_law_text", "") or ""))
        wrong = pick_distractors(title, pool, config.n_options - 1, f"case:{row.case_id}")
        if len(wrong) < config.n_options - 1:
            continue
        options, answer = place(title, wrong, f"case:{row.case_id}")
        out.append(Example(
            id=f"mc_charge:{row.case_id}", task="mc_charge",
            prompt=CHARGE_PROMPT.format(text=clip(text, config.max_input_chars)),
            options=options, label=answer, keys=[f"case:{row.case_id}"],
            meta={"case_id": row.case_id, "from": "facts" if facts else "reasoning"},
        ))
        if config.n and len(out) >= config.n:
            break
    return out


register(Task(
    name="mc_article", kind="choice", group="mc",
    description="statute text → which article (length-normalised option log-likelihood)",
    build=build_article, needs=("statutes",),
))
register(Task(
    name="mc_title", kind="choice", group="mc",
    description="statute text → which title (length-normalised option log-likelihood)",
    build=build_title, needs=("statutes",),
))
register(Task(
    name="mc_charge", kind="choice", group="mc",
    description="masked criminal judgment → charge (length-normalised option log-likelihood)",
    build=build_charge, needs=("decisions",),
))
