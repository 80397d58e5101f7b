"""``log_params`` on a run that already holds some of the keys (re-runs, resumes)."""
from __future__ import annotations

import logging

import mlflow

from lexlab.workbench import tracking


def test_log_params_skips_same_values_and_warns_on_changed_ones(caplog):
    tracking.setup_mlflow("test-tracking")
    with mlflow.start_run() as run:
        tracking.log_params({"lr": 0.1, "model": "tiny", "api_key": "sk-1"})
        with caplog.at_level(logging.WARNING, logger="lexlab.workbench.tracking"):
            tracking.log_params({"lr": 0.1, "model": "other", "seed": 3})
    params = mlflow.get_run(run.info.run_id).data.params
    assert params == {"lr": "0.1", "model": "tiny", "seed": "3"}  # MLflow keeps the first value
    (record,) = [r for r in caplog.records if r.name == "lexlab.workbench.tracking"]
    message = record.getMessage()
    assert "'model'" in message and "'tiny'" in message and "'other'" in message and run.info.run_id in message


def test_log_headline_reaches_every_parent_run():
    import mlflow

    from lexlab.workbench import tracking

    tracking.setup_mlflow("test-headline")
    with mlflow.start_run(run_name="pipeline") as parent:
        with mlflow.start_run(run_name="stage", nested=True) as child:
            tracking.log_headline({"p5.bm25": 0.25}, description="Best: bm25")
    assert mlflow.get_run(child.info.run_id).data.metrics["headline.p5.bm25"] == 0.25
    top = mlflow.get_run(parent.info.run_id)
    assert top.data.metrics["headline.p5.bm25"] == 0.25
    assert "Best: bm25" in top.data.tags["mlflow.note.content"]


def test_a_metric_key_is_also_a_valid_artifact_file_name(tmp_path):
    """Stage 11 with an API model failed after the whole evaluation: ``artifact_file contains forbidden
    character: :`` (the generator name ``openai:NAME`` as an artifact name)."""
    tracking.setup_mlflow("test-metric-key")
    with mlflow.start_run():
        for spec in ("openai:gpt-4o-mini", "run:0123abcd", "it_mix=legal+general", "a,b[1]"):
            key = tracking.metric_key(spec)
            mlflow.log_metric(key, 1.0)
            mlflow.log_table({"spec": [spec]}, f"ask/answers_{key}.json")  # what stage 11 logs per generator
