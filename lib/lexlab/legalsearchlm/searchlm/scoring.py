"""SEAL-style ranking of the cases that contain a query's generated spans.

For a generated span s with model log-probability ``lp(s)`` (sum over its tokens, true log-probs: the mask does
not renormalise) and corpus frequency ``F(s)`` (FM-index count) in a corpus of ``N`` tokens::

    P(s|q) = exp(lp(s)),   P(s) = F(s) / N
    w(s)   = max(0, log P(s|q) - log P(s) + log(1 - P(s)) - log(1 - P(s|q)))
    score(d) = sum over distinct generated spans s that occur in d of  w(s)

w is SEAL's span weight: how much more likely the model makes the span for this query than the corpus does by
chance — a span the model is sure of and that is rare in the corpus weighs most; a frequent span (피고인,
원심판결) weighs little even when likely. Spans whose count exceeds ``max_span_count`` are not located (their
weight is small and locating them costs time in proportion to their count).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from lexlab.legalsearchlm.searchlm.fm_index import FMIndex


def span_weight(logprob: float, count: int, n_tokens: int) -> float:
    """SEAL's span weight: log-odds of the span under the model vs. a corpus of ``n_tokens`` tokens."""
    p_q = min(math.exp(logprob), 1 - 1e-9)
    p_c = max(count, 1) / max(n_tokens, 1)
    return max(0.0, logprob - math.log(p_c) + math.log1p(-p_c) - math.log1p(-p_q))


def rank_documents(fm: "FMIndex", spans: Sequence, doc_ids: Sequence[str], k: int,
                   max_span_count: int) -> list[tuple[str, float]]:
    """The ``k`` best documents by summed span weight, ties broken by index order."""
    scores: dict[int, float] = {}
    for s in spans:
        if s.count > max_span_count:
            continue
        w = span_weight(s.logprob, s.count, fm.n_tokens)
        if w <= 0:
            continue
        for d in fm.documents(list(s.tokens)).tolist():
            scores[d] = scores.get(d, 0.0) + w
    top = sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:k]
    return [(doc_ids[d], s) for d, s in top]
