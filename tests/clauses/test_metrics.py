"""Precision/recall/F1 against numbers worked out by hand."""
from __future__ import annotations

import pytest

from lexlab.clauses import metrics
from lexlab.clauses.spans import Span

LABELS = ["벌칙", "목적", "other"]


def test_article_scores_match_the_hand_computed_example():
    gold = ["벌칙", "벌칙", "목적", "other", "other"]
    pred = ["벌칙", "목적", "목적", "벌칙", "other"]
    # 벌칙: tp 1, fp 1 (the 'other' called 벌칙), fn 1 → P 1/2, R 1/2, F1 1/2
    # 목적: tp 1, fp 1, fn 0 → P 1/2, R 1, F1 2/3;  other: tp 1, fp 0, fn 1 → P 1, R 1/2, F1 2/3
    counts = metrics.article_counts(gold, pred, LABELS)
    table = metrics.per_type(counts, LABELS).set_index("type")
    assert table.loc["벌칙", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.5, 0.5, 0.5])
    assert table.loc["목적", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.5, 1.0, 2 / 3])
    assert table.loc["other", "support"] == 2 and table.loc["목적", "predicted"] == 2
    assert table.loc["벌칙", "f1_low"] <= 0.5 <= table.loc["벌칙", "f1_high"]
    avg = metrics.averages(counts, LABELS, ["벌칙", "목적"])
    # micro over 벌칙+목적: tp 2, fp 2, fn 1 → P 1/2, R 2/3, F1 4/7; macro (1/2 + 2/3) / 2
    assert avg["micro_f1"] == pytest.approx(4 / 7) and avg["macro_f1"] == pytest.approx(7 / 12)
    assert avg["micro_precision"] == pytest.approx(0.5) and avg["micro_recall"] == pytest.approx(2 / 3)


def test_spans_count_only_exact_matches():
    gold = [[Span(0, 5, "단서"), Span(6, 9, "준용")], [Span(1, 4, "단서")]]
    pred = [[Span(0, 5, "단서"), Span(6, 8, "준용")], []]
    counts = metrics.span_counts(gold, pred, ["단서", "준용"])
    table = metrics.per_type(counts, ["단서", "준용"]).set_index("type")
    assert table.loc["단서", ["precision", "recall"]].tolist() == pytest.approx([1.0, 0.5])
    assert table.loc["준용", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.0, 0.0, 0.0])


def test_headline_leaves_out_rare_types_and_other():
    counts = metrics.article_counts(["벌칙"] * 3 + ["목적", "other"], ["벌칙"] * 5, LABELS)
    assert metrics.headline_labels(counts, LABELS, min_support=2, exclude=("other",)) == (["벌칙"], ["목적"])
