"""The answers being judged: case summaries (이유 → 판결요지) of the evaluation split's decisions.

Summarisers are a small registry (``SUMMARISERS``), one function each, plus models:

- ``lead``: the first three sentences of 이유 — stage 06's extractive baseline;
- ``cited``: the sentences of 이유 that restate a precedent's holding before citing it (what a lawyer skims for),
  up to three, else the lead — an extractive summariser that knows where holdings are;
- local models (any spec ``lexlab.models.naming.resolve_model`` takes; ``auto`` finds ``work/models/*/final``):
  greedy generation through the model's chat template;
- API models (``api_models``): the judge's endpoint as a summariser, which is what self-preference needs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from lexlab.data.splits import case_split
from lexlab.data.text import clean_markup
from lexlab.judging.casehold import find_holdings, seeded_order
from lexlab.judging.reference import split_sentences
from lexlab.workbench import paths

PROMPT = "다음 판결 이유를 읽고 판결요지를 작성하시오.\n\n[이유]\n{reasoning}"


def lead(reasoning: str, k: int = 3) -> str:
    return " ".join(split_sentences(reasoning)[:k])


def cited(reasoning: str, k: int = 3) -> str:
    holdings = find_holdings("", reasoning)
    return " ".join(f"{h.text}." for h in holdings[:k]) if holdings else lead(reasoning, k)


SUMMARISERS: dict[str, Callable[[str], str]] = {"lead": lead, "cited": cited}


def check_variants(names: Sequence[str]) -> None:
    unknown = sorted(set(names) - set(SUMMARISERS))
    if unknown:
        raise ValueError(f"JudgeConfig.variants: unknown summariser(s) {unknown}; known: {sorted(SUMMARISERS)}")


def clip_sentences(text: str, max_chars: int) -> str:
    """At most ``max_chars`` characters, cut after the last sentence end that fits (else hard)."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    cut = head.rfind("다.")
    return head[:cut + 2] if cut > max_chars // 2 else head


def summary_items(decisions: pd.DataFrame, split: str, n: int, max_source_chars: int, seed: int = 0) -> pd.DataFrame:
    """The decisions to summarise: the split's decisions with 이유 and 판결요지, ``n`` of them in a seeded order.
    Columns: item_id, case_id, source (clipped 이유), reference (판결요지), evidence (what a number or a citation
    may truthfully come from), ref_articles."""
    df = decisions.assign(eval_split=case_split(decisions))
    df = df[df["eval_split"] == split].assign(reasoning_c=lambda d: d["reasoning"].map(clean_markup),
                                              summary_c=lambda d: d["summary"].map(clean_markup))
    df = df[(df["reasoning_c"].str.len() > 0) & (df["summary_c"].str.len() > 0)]
    df = df.iloc[seeded_order(df["case_id"], seed)]
    df = df.head(n) if n else df
    evidence = df["reasoning_c"] + "\n" + df["summary_c"] + "\n" + df["order"].map(clean_markup) + "\n" + \
        df["ref_cases_raw"].map(clean_markup)
    return pd.DataFrame({"item_id": "summary:" + df["case_id"], "case_id": df["case_id"],
                         "source": df["reasoning_c"].map(lambda t: clip_sentences(t, max_source_chars)),
                         "reference": df["summary_c"], "evidence": evidence,
                         "ref_articles": df["ref_articles"].map(list)}).reset_index(drop=True)


def discover_models(limit: int) -> list[str]:
    """Every trained model under ``work/models/`` (a ``final/`` directory), newest first, at most ``limit``."""
    root = paths.work_dir("models")
    finals = sorted((p for p in root.glob("*/final") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    return [p.parent.name for p in finals[:limit]]


def resolve_models(specs: Sequence[str], limit: int) -> list[str]:
    out: list[str] = []
    for spec in specs:
        for name in (discover_models(limit) if spec == "auto" else [spec]):
            if name not in out:
                out.append(name)
    return out


def render(tokenizer, user: str) -> list[int]:
    """A prompt as the model was tuned to read it: its chat template, else a plain frame after BOS."""
    if getattr(tokenizer, "chat_template", None):
        from lexlab.models.families import apply_chat_template

        text = apply_chat_template(tokenizer, [{"role": "user", "content": user}], add_generation_prompt=True)
        return tokenizer(text, add_special_tokens=False)["input_ids"]
    return tokenizer(f"질문: {user}\n답변: ", add_special_tokens=True)["input_ids"]


def pad_id(tokenizer) -> int:
    return next((int(t) for t in (tokenizer.pad_token_id, tokenizer.eos_token_id) if t is not None), 0)


def model_summaries(spec: str, sources: Sequence[str], max_new_tokens: int, max_context_tokens: int) -> list[str]:
    """Greedy summaries by a local model (prompt cut from the left to fit its context)."""
    from lexlab.models.generation import DecodeOptions, HFGenerator
    from lexlab.models.hf import load_model

    model, tokenizer, _ = load_model(spec)
    model.eval()
    budget = max(16, max_context_tokens - max_new_tokens)
    ids = [render(tokenizer, PROMPT.format(reasoning=s))[-budget:] for s in sources]
    return HFGenerator(model, tokenizer, pad_id(tokenizer)).generate(
        ids, DecodeOptions(max_new_tokens=max_new_tokens), desc=f"summaries: {Path(spec).name}")


def api_summaries(client, sources: Sequence[str]) -> list[str]:
    """Summaries by a model behind an OpenAI-compatible endpoint (cached like every request of the client)."""
    out = client.map_text([[{"role": "user", "content": PROMPT.format(reasoning=s)}] for s in sources],
                          desc=f"summaries: {client.model}")
    return ["" if isinstance(o, Exception) else o for o in out]


def all_summaries(cfg, sources: Sequence[str], models: Sequence[str], with_api: bool) -> dict[str, list[str]]:
    """Every candidate's summaries of ``sources``, keyed by candidate name: the extractive variants, the local
    ``models`` (``model:<spec>``, as ``resolve_models`` gives them) and, when a judge endpoint is configured (``with_api``), the API models (``api:<name>``)."""
    from lexlab.models.llm_client import LLMClient
    from lexlab.workbench.progress import step_bar

    summaries = {v: [SUMMARISERS[v](s) for s in sources] for v in cfg.variants}
    for spec in step_bar(models, desc="model summaries"):
        summaries[f"model:{spec}"] = model_summaries(spec, sources, cfg.max_new_tokens, cfg.max_context_tokens)
    for name in cfg.api_models if with_api else ():
        client = LLMClient(base_url=cfg.judge_base_url or None, model=name, api_key_env=cfg.judge_key_env)
        summaries[f"api:{name}"] = api_summaries(client, sources)
    return summaries
