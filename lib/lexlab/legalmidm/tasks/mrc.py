"""Machine reading comprehension: answer from a given text, scored by ROUGE-L.

- ``mrc_interp``: an FSC interpretation's 이유 (reasoning) + its question → its 회답 (answer).
- ``mrc_decision``: a decision's 판시사항 (issues) + 이유 → its 판결요지.

The difference from QA and summary is that the text holding the answer is in the prompt; these tasks measure
reading, not recall.
"""
from __future__ import annotations

from lexlab.data.text import clean_markup
from lexlab.legalmidm.tasks import BuildConfig, Example, Task, flat, clip, key_split, lead, register, require_columns, sample, table
from lexlab.legalmidm.tasks.summary import decisions_for_eval

INTERP_PROMPT = "[이유]\n{reason}\n\n[질의]\n{question}\n\n위 이유를 근거로 질의에 회답하시오."
DECISION_PROMPT = "[판시사항]\n{holdings}\n\n[이유]\n{reasoning}\n\n위 판시사항과 이유를 읽고 판결요지를 작성하시오."


def interpretations_for_eval(snapshot, config: BuildConfig, needed: tuple[str, ...]):
    df = table(snapshot, "interpretations")
    require_columns(df, "interpretations", ("doc_id",) + needed)
    df = df.assign(eval_key="interp:" + df["doc_id"].astype(str))
    df = df[key_split(df["eval_key"]) == config.split]
    for col in needed:
        df = df[df[col].map(clean_markup).str.len() > 0]
    return sample(df, "eval_key", config)


def build_interp(snapshot, config: BuildConfig) -> list[Example]:
    out = []
    for row in interpretations_for_eval(snapshot, config, ("question", "answer", "reason")).itertuples():
        reason = clip(flat(row.reason), config.max_input_chars)
        out.append(Example(
            id=f"mrc_interp:{row.doc_id}", task="mrc_interp",
            prompt=INTERP_PROMPT.format(reason=reason, question=flat(row.question)),
            reference=flat(row.answer), source=reason, keys=[row.eval_key], meta={"doc_id": row.doc_id},
        ))
    return out


def build_decision(snapshot, config: BuildConfig) -> list[Example]:
    out = []
    half = max(config.max_input_chars // 2, 1)
    for row in decisions_for_eval(snapshot, config, ("holdings", "reasoning", "summary")).itertuples():
        # The two inputs share the budget, so the prompt is no longer than summary's.
        holdings = clip(clean_markup(row.holdings), half)
        reasoning = clip(clean_markup(row.reasoning), config.max_input_chars - len(holdings))
        out.append(Example(
            id=f"mrc_decision:{row.case_id}", task="mrc_decision",
            prompt=DECISION_PROMPT.format(holdings=holdings, reasoning=reasoning),
            reference=clean_markup(row.summary), source=reasoning, keys=[f"case:{row.case_id}"],
            meta={"case_id": row.case_id},
        ))
    return out


register(Task(
    name="mrc_interp", kind="generate", group="mrc",
    description="FSC interpretation: 이유 + 질의 → 회답, ROUGE-L",
    build=build_interp, extractive=lambda ex: lead(ex.source, 2), needs=("interpretations",),
))
register(Task(
    name="mrc_decision", kind="generate", group="mrc",
    description="decision: 판시사항 + 이유 → 판결요지, ROUGE-L",
    build=build_decision, extractive=lambda ex: lead(ex.source, 3), needs=("decisions",),
))
