"""Summary: a decision's 이유 (reasoning) → its 판결요지 (holding summary), scored by ROUGE-L.

Only decisions that carry both sections qualify (in the installed corpus about 1,700, nearly all Supreme Court).
The lead-sentences baseline is strong here on purpose: Supreme Court reasoning often restates the holding early,
and a trained model should be shown against that, not against nothing.
"""
from __future__ import annotations

from lexlab.data.text import clean_markup
from lexlab.legalmidm.tasks import BuildConfig, Example, Task, case_splits, clip, lead, register, require_columns, sample, table

PROMPT = "다음 판결 이유를 읽고 판결요지를 작성하시오.\n\n[이유]\n{reasoning}"


def decisions_for_eval(snapshot, config: BuildConfig, needed: tuple[str, ...]):
    """Decisions in the requested split whose ``needed`` sections are all non-empty, in a seeded order."""
    df = table(snapshot, "decisions")
    require_columns(df, "decisions", ("case_id",) + needed)
    df = df.assign(eval_split=case_splits(df))
    df = df[df["eval_split"] == config.split]
    for col in needed:
        df = df[df[col].map(clean_markup).str.len() > 0]
    return sample(df, "case_id", config)


def build(snapshot, config: BuildConfig) -> list[Example]:
    out = []
    for row in decisions_for_eval(snapshot, config, ("reasoning", "summary")).itertuples():
        reasoning = clip(clean_markup(row.reasoning), config.max_input_chars)
        out.append(Example(
            id=f"summary:{row.case_id}", task="summary", prompt=PROMPT.format(reasoning=reasoning),
            reference=clean_markup(row.summary), source=reasoning, keys=[f"case:{row.case_id}"],
            meta={"case_id": row.case_id},
        ))
    return out


register(Task(
    name="summary", kind="generate", group="summary",
    description="이유 → 판결요지 (court decisions), ROUGE-L",
    build=build, extractive=lambda ex: lead(ex.source, 3), needs=("decisions",),
))
