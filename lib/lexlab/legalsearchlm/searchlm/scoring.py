"""Ranking the cases that contain a query's generated spans: SEAL's span weight, saturated per case.

For a generated span s with model log-probability ``lp(s)`` (sum over its tokens, true log-probs: the mask does
not renormalise) and corpus frequency ``F(s)`` (FM-index count) in a corpus of ``N`` tokens::

    P(s|q) = exp(lp(s)),   P(s) = F(s) / N
    w(s)   = max(0, log P(s|q) - log P(s) + log(1 - P(s)) - log(1 - P(s|q)))

w is SEAL's span weight: how much more likely the model makes the span for this query than the corpus does by
chance — a span the model is sure of and that is rare in the corpus weighs most; a frequent span (피고인,
원심판결) weighs little even when likely.

A case's score sums, over the distinct generated spans it contains, w(s) times a BM25-style saturation of how
often it contains the span (tf), normalised by the case's length ``|d|`` (tokens) against the mean ``avgdl``::

    score(d) = sum_s  w(s) * tf(s,d) * (k1 + 1) / (tf(s,d) + k1 * (1 - b + b * |d| / avgdl))

``k1 = 0`` is SEAL's intersective scoring (each span counts once, whatever the case's length). The saturation is
our change, not the papers': LEGAR cases are long (8,600 characters on average) and vary in length, and a plain
sum lets long cases, which contain many spans by chance, crowd out the relevant ones. With the query cases' own
elements (the oracle bound, ``benchmarks/searchlm_oracle.py``) it lifts test P@5 from 0.244 to 0.316 (0.344
without the target filter; tuned BM25: 0.328);
the defaults (``SPAN_K1``, ``SPAN_B``) are chosen there on the dev split. Spans whose count exceeds
``max_span_count`` are not located (their weight is small and locating them costs time in proportion to their
count).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

if TYPE_CHECKING:
    from lexlab.legalsearchlm.searchlm.fm_index import FMIndex

SPAN_K1 = 20.0  # chosen on dev: by the oracle and by the trained model (benchmarks/results/searchlm_dev_grid.json)
SPAN_B = 1.0


def span_weight(logprob: float, count: int, n_tokens: int) -> float:
    """SEAL's span weight: log-odds of the span under the model vs. a corpus of ``n_tokens`` tokens."""
    p_q = min(math.exp(logprob), 1 - 1e-9)
    p_c = max(count, 1) / max(n_tokens, 1)
    return max(0.0, logprob - math.log(p_c) + math.log1p(-p_c) - math.log1p(-p_q))


def saturate(tf: np.ndarray, doc_len: np.ndarray, avgdl: float, k1: float, b: float) -> np.ndarray:
    """BM25's term-frequency saturation with length normalisation (1 for every case containing it at k1 = 0)."""
    tf = np.asarray(tf, dtype=float)
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * np.asarray(doc_len, dtype=float) / avgdl))


def case_scores(lengths: np.ndarray, hits: Iterable[tuple[np.ndarray, np.ndarray, float]], k1: float,
                b: float) -> np.ndarray:
    """Every case's score from ``hits`` = (cases holding a span, how often each holds it, the span's weight)."""
    avgdl = float(lengths.mean())
    scores = np.zeros(len(lengths))
    for docs, tf, w in hits:
        if w > 0:
            scores[docs] += w * saturate(tf, lengths[docs], avgdl, k1, b)
    return scores


def span_scores(fm: "FMIndex", spans: Sequence, max_span_count: int, k1: float = SPAN_K1,
                b: float = SPAN_B) -> np.ndarray:
    """Every case's saturated, length-normalised span weight (module docstring). A span generated twice counts
    once, with its better log-probability."""
    best: dict[tuple, object] = {}
    for s in spans:
        if s.count <= max_span_count and (s.tokens not in best or best[s.tokens].logprob < s.logprob):
            best[s.tokens] = s
    hits = ((*fm.term_frequencies(list(t)), span_weight(s.logprob, s.count, fm.n_tokens)) for t, s in best.items())
    return case_scores(fm.doc_lengths, hits, k1, b)


def add_normalised(scores: np.ndarray, extra: np.ndarray, weight: float) -> np.ndarray:
    """``scores / max(scores) + weight * extra / max(extra)``: two scores of different scales on one (each part
    left out when it is all zero)."""
    out = np.zeros_like(scores, dtype=float)
    for part, w in ((scores, 1.0), (extra, weight)):
        top = float(part.max()) if len(part) else 0.0
        if top > 0 and w > 0:
            out += w * part / top
    return out


def top_k(scores: np.ndarray, doc_ids: Sequence[str], k: int) -> list[tuple[str, float]]:
    """The ``k`` best-scoring documents with a score above 0, ties by index."""
    hit = np.flatnonzero(scores > 0)
    top = hit[np.lexsort((hit, -scores[hit]))][:k]
    return [(doc_ids[d], float(scores[d])) for d in top]


def rank_documents(fm: "FMIndex", spans: Sequence, doc_ids: Sequence[str], k: int, max_span_count: int,
                   k1: float = SPAN_K1, b: float = SPAN_B) -> list[tuple[str, float]]:
    """The ``k`` best documents by `span_scores`; ties by index."""
    return top_k(span_scores(fm, spans, max_span_count, k1, b), doc_ids, k)
