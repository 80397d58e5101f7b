"""SEAL-style span weights and the document ranking built on them."""
from __future__ import annotations

import math

import pytest

from lexlab.legalsearchlm.searchlm.decoding import Span
from lexlab.legalsearchlm.searchlm.fm_index import FMIndex
from lexlab.legalsearchlm.searchlm.scoring import rank_documents, span_weight


def test_span_weight_prefers_likely_and_rare_spans():
    n = 1000
    assert span_weight(math.log(0.5), 1, n) > span_weight(math.log(0.5), 100, n)  # rarer weighs more
    assert span_weight(math.log(0.5), 10, n) > span_weight(math.log(0.05), 10, n)  # likelier weighs more
    assert span_weight(math.log(0.001), 500, n) == 0.0  # less likely than chance: no weight
    p_q, p_c = 0.5, 10 / n
    expected = math.log(p_q) - math.log(p_c) + math.log1p(-p_c) - math.log1p(-p_q)
    assert span_weight(math.log(p_q), 10, n) == pytest.approx(expected)


def test_rank_documents_sums_weights_over_the_documents_holding_each_span():  # k1 = 0: SEAL's plain sum
    fm = FMIndex.from_documents([[5, 6, 7], [5, 6, 9], [8, 9, 7], [5, 6, 7]], vocab_size=10)
    ids = ["a", "b", "c", "d"]
    common = Span(tokens=(5, 6), logprob=math.log(0.5), count=fm.count([5, 6]))
    rare = Span(tokens=(6, 7), logprob=math.log(0.5), count=fm.count([6, 7]))
    ranked = rank_documents(fm, [common, rare], ids, k=10, max_span_count=100, k1=0.0)
    w_common = span_weight(common.logprob, common.count, fm.n_tokens)
    w_rare = span_weight(rare.logprob, rare.count, fm.n_tokens)
    assert ranked == [("a", w_common + w_rare), ("d", w_common + w_rare), ("b", w_common)]  # ties by index order
    assert rank_documents(fm, [common, rare], ids, k=1, max_span_count=100, k1=0.0) == ranked[:1]
    assert rank_documents(fm, [common, rare], ids, k=10, max_span_count=2, k1=0.0) == [("a", w_rare), ("d", w_rare)]


def test_saturation_normalises_by_case_length_and_k1_zero_is_the_plain_sum():
    # The span (5, 6) once in a short case and once in a long one; twice in a case of average length.
    fm = FMIndex.from_documents([[5, 6, 1], [5, 6] + [1] * 20, [5, 6, 5, 6, 1, 1, 1, 1, 1, 1], [2, 3]],
                                vocab_size=10)
    ids = ["short", "long", "twice", "none"]
    span = Span(tokens=(5, 6), logprob=math.log(0.5), count=fm.count([5, 6]))
    ranked = rank_documents(fm, [span], ids, k=10, max_span_count=100, k1=20.0, b=1.0)
    assert [d for d, _ in ranked] == ["short", "twice", "long"]  # "none" holds no span: not ranked
    w = span_weight(span.logprob, span.count, fm.n_tokens)
    avgdl = fm.doc_lengths.mean()
    assert dict(ranked)["short"] == pytest.approx(w * 21 / (1 + 20 * 3 / avgdl))
    plain = rank_documents(fm, [span], ids, k=10, max_span_count=100, k1=0.0, b=1.0)
    assert [s for _, s in plain] == pytest.approx([w, w, w])  # k1 = 0: each case holding the span counts it once
    assert [d for d, _ in plain] == ["short", "long", "twice"]  # ties by index order
