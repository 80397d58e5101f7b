"""Averages across variants are over the same tasks, named so: a baseline that lacks a task the models ran gets
no average (it used to get its mean over its 4 easy tasks beside the models' mean over 10, and looked best), and
each evaluation run is named apart from the training stage of its variant."""
from __future__ import annotations

import math

import mlflow
import pandas as pd
import pytest

from lexlab.legalmidm import evaluate, metrics
from lexlab.legalmidm.evaluate import EvalResult, GenerationSettings
from lexlab.legalmidm.tasks import Example
from lexlab.workbench import tracking


def result(scores: dict[str, float], kind: str = "model") -> EvalResult:
    res = EvalResult(kind=kind)
    for task, value in scores.items():
        res.metrics[f"{task}.score"] = value
        res.primary[task] = f"{task}.score"
    return res


def test_same_task_average_is_over_the_tasks_every_model_has():
    scores = pd.DataFrame({"summary": [0.2, 0.4, 0.9], "mc_title": [0.5, 0.7, math.nan]},
                          index=["a", "b", "lead"])
    avg, over = metrics.same_task_average(scores, pd.Series([True, True, False], index=scores.index))
    assert over == ["summary", "mc_title"]
    assert avg["a"] == pytest.approx(0.35) and avg["b"] == pytest.approx(0.55)
    assert math.isnan(avg["lead"])  # missing a task the models ran: no average, not a mean over an easier subset


def test_scores_frame_gives_a_baseline_missing_a_task_no_average_and_leaves_out_perplexity():
    results = {"it": result({"summary": 0.1, "mc_title": 0.3, "general_ppl": 40.0}),
               "cpt_legal": result({"summary": 0.2, "mc_title": 0.5, "general_ppl": 30.0}),
               "extractive_lead": result({"summary": 0.9}, kind="baseline")}
    table = evaluate.scores_frame(results)
    assert table.attrs["avg_over"] == ["summary", "mc_title"]
    assert table.loc["it", "avg"] == pytest.approx(0.2) and table.loc["cpt_legal", "avg"] == pytest.approx(0.35)
    assert math.isnan(table.loc["extractive_lead", "avg"])


def test_each_evaluation_run_is_named_apart_from_its_training_stage_and_logs_the_same_task_average():
    tracking.setup_mlflow("test-averages")
    summary = [Example(id=f"s{i}", task="summary", prompt="요약하라", reference="피고인은 무죄.",
                       source="피고인은 무죄. 검사의 항소를 기각한다. 이유는 다음과 같다.") for i in range(3)]
    with mlflow.start_run(run_name="it_ref_out") as parent:
        lead = evaluate.evaluate_and_log("it_ref_out", None, None, {"summary": summary}, GenerationSettings(),
                                         None, {}, n_boot=50, kind="baseline")
        model = result({"summary": 0.4, "mc_title": 0.6})
        model.run_id = parent.info.run_id  # stands in for a model's own evaluation run
        evaluate.log_averages({"it": model, "lead": lead}, evaluate.scores_frame({"it": model, "lead": lead}))
    child = mlflow.get_run(lead.run_id)
    assert child.info.run_name == "eval it_ref_out" != parent.info.run_name
    assert child.data.tags["lexlab.eval_variant"] == "it_ref_out" and lead.kind == "baseline"
    assert "avg.score" not in child.data.metrics  # no summary-only average beside the model's two-task one
    assert child.data.tags["lexlab.avg_tasks"] == "summary,mc_title"
    assert mlflow.get_run(parent.info.run_id).data.metrics["avg.score"] == pytest.approx(0.5)
