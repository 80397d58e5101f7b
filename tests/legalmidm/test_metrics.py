"""ROUGE that reads Korean, accuracy, bootstrap intervals, the task average."""
import math

import numpy as np
import pytest
from rouge_score import rouge_scorer

from lexlab.legalmidm import metrics
from lexlab.workbench import stats

KO = "피고인이 타인의 재물을 기망하여 편취한 경우 사기죄가 성립한다."


def test_default_rouge_tokenizer_scores_identical_korean_zero_ours_one():
    # The trap this module exists for: rouge-score's default tokenizer drops every Hangul character.
    default = rouge_scorer.RougeScorer(["rougeL"]).score(KO, KO)["rougeL"].fmeasure
    assert default == 0.0
    assert metrics.rouge_l([KO], [KO], tokenizer="char")[0] == pytest.approx(1.0)


def test_char_rouge_partial_overlap_is_the_lcs_f1():
    # LCS of 가나다 / 가나라 is 2 of 3 characters each way → F1 = 2/3; spaces and punctuation do not count.
    assert metrics.rouge_l(["가 나, 다"], ["가나라"])[0] == pytest.approx(2 / 3)
    assert metrics.rouge_l(["전혀 다른 문장"], [KO])[0] < 0.3
    assert metrics.rouge_l([""], [KO])[0] == 0.0


def test_rouge_metric_name_carries_the_tokenizer():
    assert metrics.rouge_metric_name("char") == "rougeL_char"
    assert metrics.rouge_metric_name("morph") == "rougeL_morph"
    with pytest.raises(ValueError, match="unknown ROUGE tokenizer"):
        metrics.rouge_l(["a"], ["a"], tokenizer="nope")


def test_morph_rouge_when_kiwipiepy_is_installed():
    pytest.importorskip("kiwipiepy")
    same = metrics.rouge_l([KO], [KO], tokenizer="morph")[0]
    para = metrics.rouge_l(["사기죄가 성립한다."], [KO], tokenizer="morph")[0]
    assert same == pytest.approx(1.0)
    assert 0 < para < 1


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError):
        metrics.rouge_l(["a", "b"], ["a"])
    with pytest.raises(ValueError):
        metrics.accuracy([1], [1, 2])


def test_accuracy_is_per_example():
    assert metrics.accuracy([0, 1, 2, 3], [0, 1, 0, 0]).tolist() == [1.0, 1.0, 0.0, 0.0]


def test_bootstrap_ci_brackets_the_mean_and_shrinks_with_n():
    rng = np.random.default_rng(0)
    small = rng.binomial(1, 0.6, 40).astype(float)
    large = rng.binomial(1, 0.6, 4000).astype(float)
    p, lo, hi = stats.bootstrap_ci(small, seed=1)
    assert lo <= p <= hi and p == pytest.approx(small.mean())
    _, lo2, hi2 = stats.bootstrap_ci(large, seed=1)
    assert (hi2 - lo2) < (hi - lo) / 3
    assert stats.bootstrap_ci([0.5] * 10) == (0.5, 0.5, 0.5)
    assert all(math.isnan(x) for x in stats.bootstrap_ci([]))


def test_task_average_skips_missing_tasks():
    assert metrics.task_average({"a": 0.2, "b": 0.4, "c": float("nan")}) == pytest.approx(0.3)
    assert math.isnan(metrics.task_average({}))
