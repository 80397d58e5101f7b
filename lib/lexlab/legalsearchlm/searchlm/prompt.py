"""The model's input and output as token ids: a window of the (masked) case, then the prompt suffix; a span."""
from __future__ import annotations

import random

PROMPT_SUFFIX = "\n법적 요소:"


def prompt_ids(tokenizer, ids: list[int], max_input_tokens: int, rng: random.Random | None = None) -> list[int]:
    """bos + a window of the (masked, tokenized) case + the prompt suffix: a random window in training, the
    start of the query at test time (``rng=None``)."""
    if len(ids) > max_input_tokens:
        a = rng.randrange(0, len(ids) - max_input_tokens + 1) if rng is not None else 0
        ids = ids[a:a + max_input_tokens]
    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    return bos + list(ids) + suffix_ids(tokenizer)


def suffix_ids(tokenizer) -> list[int]:
    return tokenizer(PROMPT_SUFFIX, add_special_tokens=False)["input_ids"]


def span_token_ids(tokenizer, span: str) -> list[int]:
    """A span as the corpus holds it: preceded by a space, so BPE splits it exactly as in context."""
    return tokenizer(" " + span, add_special_tokens=False)["input_ids"]
