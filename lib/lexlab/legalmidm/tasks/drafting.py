"""Complaint (고소장) and petition (청원서) drafting, and a clearly labelled proxy for them.

No gold complaints or petitions exist in the offline data, so ``draft_complaint`` and ``draft_petition`` read a
user's curated JSONL file (``BuildConfig.data_paths["complaint"]`` / ``["petition"]``), one object per line:

    {"id": "c-0001",                      # required, unique within the file
     "facts": "2024. 3. 2. 피고소인은 …",   # required: the situation the document is drafted from
     "target": "고 소 장\n고소인 …",          # required: the gold document written by a lawyer
     "instruction": "…",                   # optional: replaces the default drafting instruction
     "split": "test"}                      # optional: "dev" or "test"; without it a stable hash of the id decides

Without a file these tasks yield no examples and the evaluator reports them as skipped.

``proxy_facts_drafting`` is NOT the paper's complaint or petition task. It is a stand-in built from real data:
from a lower-court criminal judgment's charge, applied provisions and 주문, draft its 범죄사실 (statement of the
criminal facts) — the part of a complaint that narrates the facts. Report it under its own name only.
"""
from __future__ import annotations

from pathlib import Path

from lexlab.data.text import clean_markup
from lexlab.legalmidm.tasks import BuildConfig, Example, Task, clip, register, sample
from lexlab.legalmidm.tasks.summary import decisions_for_eval
from lexlab.workbench.io import OnError, ParseError, read_jsonl

INSTRUCTIONS = {
    "complaint": "다음 사실관계를 바탕으로 고소장을 작성하시오.",
    "petition": "다음 사실관계를 바탕으로 청원서를 작성하시오.",
}
REQUIRED = ("id", "facts", "target")
PROXY_PROMPT = ("다음 형사 사건의 죄명, 적용 법조와 주문을 바탕으로 범죄사실을 작성하시오.\n\n"
                "죄명: {title}\n적용 법조: {law}\n주문: {order}")


def read_drafting_jsonl(path: str | Path, kind: str, on_error: OnError = "raise") -> list[dict]:
    """Validated rows of a user's drafting file (``lexlab.workbench.io.read_jsonl`` plus this schema's rules);
    a bad row is a ``ParseError`` naming the file, line and field. ``kind`` names the file in a missing-file error."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{kind} drafting data: {path} does not exist")
    return read_jsonl(path, REQUIRED, on_error=on_error, check=_check_row)


def _check_row(where: str, row: dict) -> None:
    for field in REQUIRED:
        if not isinstance(row[field], str):
            raise ParseError(where, field, f"expected a string, got {type(row[field]).__name__}")
    if row.get("split") not in (None, "dev", "test"):
        raise ParseError(where, "split", f"must be 'dev' or 'test', got {row['split']!r}")


def build_user(kind: str):
    name = f"draft_{kind}"

    def build(snapshot, config: BuildConfig) -> list[Example]:
        path = config.data_paths.get(kind)
        if not path:
            return []
        from lexlab.data import splits

        out = []
        for row in read_drafting_jsonl(path, kind):
            split = row.get("split") or splits.split_of(f"user:{kind}:{row['id']}")
            if split != config.split:
                continue
            instruction = row.get("instruction") or INSTRUCTIONS[kind]
            facts = clip(clean_markup(row["facts"]), config.max_input_chars)
            out.append(Example(
                id=f"{name}:{row['id']}", task=name, prompt=f"{instruction}\n\n[사실관계]\n{facts}",
                reference=row["target"].strip(), source=facts, keys=[f"user:{kind}:{row['id']}"],
                meta={"file": str(path)},
            ))
        return sample_examples(out, config)

    return build


def sample_examples(examples: list[Example], config: BuildConfig) -> list[Example]:
    import pandas as pd

    if not examples:
        return examples
    df = pd.DataFrame({"i": range(len(examples)), "id": [e.id for e in examples]})
    return [examples[i] for i in sample(df, "id", config)["i"]]


def build_proxy(snapshot, config: BuildConfig) -> list[Example]:
    df = decisions_for_eval(snapshot, BuildConfig(split=config.split, n=0, seed=config.seed), ("facts", "title"))
    if "court" in df.columns:
        df = df[~df["court"].astype(str).str.contains("대법원")]
    out = []
    for row in df.itertuples():
        law = clean_markup(getattr(row, "applied_law_text", "") or "")
        if not law:
            arts = getattr(row, "ref_articles", None)
            law = ", ".join(map(str, arts)) if arts is not None and len(arts) else ""
        order = clip(clean_markup(getattr(row, "order", "") or ""), 300)
        prompt = PROXY_PROMPT.format(title=clean_markup(row.title), law=clip(law, 400) or "(기재 없음)",
                                     order=order or "(기재 없음)")
        out.append(Example(
            id=f"proxy_facts_drafting:{row.case_id}", task="proxy_facts_drafting", prompt=prompt,
            reference=clean_markup(row.facts), keys=[f"case:{row.case_id}"],
            meta={"case_id": row.case_id, "proxy": "범죄사실 drafting from lower-court judgments"},
        ))
        if config.n and len(out) >= config.n:
            break
    return out


register(Task(
    name="draft_complaint", kind="generate", group="drafting",
    description="complaint drafting from the user's curated JSONL (facts → 고소장), ROUGE-L",
    build=build_user("complaint"), needs=("data_paths:complaint",),
))
register(Task(
    name="draft_petition", kind="generate", group="drafting",
    description="petition drafting from the user's curated JSONL (facts → 청원서), ROUGE-L",
    build=build_user("petition"), needs=("data_paths:petition",),
))
register(Task(
    name="proxy_facts_drafting", kind="generate", group="drafting", proxy=True,
    description="PROXY, not the paper's task: charge + applied law + 주문 → 범죄사실 of lower-court judgments",
    build=build_proxy, needs=("decisions",),
))
