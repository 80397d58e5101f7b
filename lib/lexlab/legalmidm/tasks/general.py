"""General-text check: perplexity on held-out general text, to see what CPT and IT made the model forget.

General text is the snapshot's ``general`` table: by default a stand-in, not general-domain text (see
``lexlab.data.general_text``); a user who has a general corpus loads it as JSONL into the snapshot.
Besides token perplexity (comparable only between models sharing a tokenizer) the evaluator logs bits per
character, which compares across tokenizers.
"""
from __future__ import annotations

from lexlab.data.text import clean_markup
from lexlab.legalmidm.tasks import BuildConfig, Example, Task, clip, key_split, register, require_columns, sample, table


def build(snapshot, config: BuildConfig) -> list[Example]:
    df = table(snapshot, "general")
    require_columns(df, "general", ("doc_id", "text"))
    df = df.assign(eval_key="general:" + df["doc_id"].astype(str))
    df = df[(key_split(df["eval_key"]) == config.split) & (df["text"].map(clean_markup).str.len() >= 50)]
    return [
        Example(id=f"general_ppl:{row.doc_id}", task="general_ppl",
                text=clip(clean_markup(row.text), config.max_input_chars), keys=[row.eval_key],
                meta={"source": getattr(row, "source", "")})
        for row in sample(df, "eval_key", config).itertuples()
    ]


register(Task(
    name="general_ppl", kind="perplexity", group="general",
    description="perplexity on held-out general text (see lexlab.data.general_text for what it is)",
    build=build, needs=("general",),
))
