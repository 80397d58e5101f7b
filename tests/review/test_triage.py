"""Stage 1: the recall threshold is the highest that keeps the target recall on dev; the rules see the forms."""
from __future__ import annotations

import numpy as np
import pytest

from lexlab.review import dataset, triage


@pytest.mark.parametrize("target", [0.5, 0.9, 0.99, 1.0])
def test_threshold_keeps_the_recall_and_is_the_highest_that_does(target):
    rng = np.random.default_rng(0)
    y = rng.random(500) < 0.3
    scores = np.where(y, rng.beta(5, 2, 500), rng.beta(2, 5, 500))
    t = triage.threshold_for_recall(scores, y, target)
    assert (scores[y] >= t).mean() >= target
    higher = np.sort(scores[y])[np.sort(scores[y]) > t]
    if higher.size:
        assert (scores[y] >= higher[0]).mean() < target  # any higher cut loses the target


def test_threshold_needs_positives():
    with pytest.raises(ValueError, match="no positives"):
        triage.threshold_for_recall([0.1, 0.2], [0, 0], 0.99)


def test_rules_find_the_forms_and_pass_officials():
    text = ("피해자 김민수(850312-1234567)는 서울특별시 강남구 테헤란로 152에 살고 010-1234-5678로 연락하였으며 "
            "국민은행 123456-01-123456 계좌를 썼다. 재판장 판사 이을동, 2019도1234, 형법 제347조 제1항, 금 5,000,000원.")
    kinds = {h["kind"]: text[h["start"]:h["end"]] for h in triage.rule_hits(text)}
    assert kinds["rrn"] == "850312-1234567" and kinds["phone"] == "010-1234-5678"
    assert kinds["account"].endswith("123456-01-123456") and "테헤란로 152" in kinds["address"]
    assert kinds["private_name"].startswith("피해자 김민수")
    official = "재판장 판사 이을동이 2019. 3. 1. 2019도1234 사건을 선고하였다. 형법 제347조 제1항, 금 5,000,000원."
    assert triage.rule_hits(official) == []


def test_triage_on_dev_reaches_its_recall(decisions):
    docs = dataset.build_review_set(decisions, positive_fraction=0.5, doc_chars=300, passages_per_decision=2,
                                    max_decisions=0, dev=0.3, test=0.2, seed=1)
    train, dev = dataset.by_split(docs, "train"), dataset.by_split(docs, "dev")
    model = triage.Triage().fit([d["text"] for d in train], dataset.labels(train))
    scores = model.scores([d["text"] for d in dev])
    model.set_threshold(scores, dataset.labels(dev), 0.99)
    assert triage.recall_and_pass_rate(model.passes(scores), dataset.labels(dev))["recall"] >= 0.99
