"""The model's input and output as token ids: a window of the (masked) case, then the prompt suffix; a span."""
from __future__ import annotations

import random

PROMPT_SUFFIX = "\n법적 요소:"


def prompt_ids(tokenizer, ids: list[int], max_input_tokens: int, rng: random.Random | None = None,
               around: tuple[int, int] | None = None) -> list[int]:
    """bos + a window of the (masked, tokenized) case + the prompt suffix. At test time (``rng=None``) the start
    of the query; in training a random window, one holding the tokens ``around`` = (start, end) when given."""
    if len(ids) > max_input_tokens:
        a = 0
        if rng is not None:
            lo, hi = 0, len(ids) - max_input_tokens
            if around is not None:
                lo, hi = max(lo, around[1] - max_input_tokens), min(hi, around[0])
            a = rng.randint(lo, max(lo, hi))
        ids = ids[a:a + max_input_tokens]
    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    return bos + list(ids) + suffix_ids(tokenizer)


def find_tokens(haystack: list[int], needle: list[int]) -> int | None:
    """Token offset of the first occurrence of ``needle`` in ``haystack`` (None if absent)."""
    import numpy as np

    h = np.asarray(haystack, dtype=np.int32).tobytes()
    n = np.asarray(needle, dtype=np.int32).tobytes()
    i = h.find(n)
    while i >= 0 and i % 4:  # a match must start on a token boundary
        i = h.find(n, i + 1)
    return i // 4 if i >= 0 else None


def suffix_ids(tokenizer) -> list[int]:
    return tokenizer(PROMPT_SUFFIX, add_special_tokens=False)["input_ids"]


def span_token_ids(tokenizer, span: str) -> list[int]:
    """A span as the corpus holds it: preceded by a space, so BPE splits it exactly as in context."""
    return tokenizer(" " + span, add_special_tokens=False)["input_ids"]
