"""Stage 12 end to end through the runner, at a tiny size, on the hand-written lease clauses (the BYO path)."""
from __future__ import annotations

import json

import mlflow
import pytest
from mlflow import MlflowClient

from lexlab.workbench import paths, runner
from testdata import FIXTURES


@pytest.mark.slow
def test_notebook_runs_on_own_documents_and_logs_the_table():
    overrides = {"data": "jsonl", "task": "span", "models": "rules,finetune", "min_test_examples": 2,
                 "jsonl_train": str(FIXTURES / "clauses" / "lease_train.jsonl"),
                 "jsonl_test": str(FIXTURES / "clauses" / "lease_test.jsonl"),
                 "max_steps": 3, "save_steps": 3, "logging_steps": 1, "per_device_train_batch_size": 4,
                 "max_length": 64, "tokenizer_vocab_size": 300, "tiny_hidden_size": 32, "tiny_layers": 1,
                 "tiny_heads": 2}
    result = runner.run_experiment(paths.REPO / "experiments" / "12_extract_clauses.yaml", overrides,
                                   progress=False, rerun=True)
    assert result.ok, result.stages[0].error
    run = mlflow.get_run(result.stages[0].run_id)
    assert run.data.params["task"] == "span" and run.data.params["max_steps"] == "3"
    assert run.data.metrics["n_test"] == 3 and run.data.metrics["rules.micro_recall"] > 0
    assert "headline.finetune.macro_f1" in run.data.metrics
    # 해지, 위약금 and 준용 have one test span each: below min_test_examples=2, so only 단서 is in the averages
    assert run.data.tags["lexlab.clauses.headline_types"] == "단서"
    assert set(run.data.tags["lexlab.clauses.left_out"].split(",")) == {"해지", "위약금", "준용"}
    local = MlflowClient().download_artifacts(run.info.run_id, "clauses/per_type.json")
    table = json.loads(open(local, encoding="utf-8").read())
    rows = [dict(zip(table["columns"], r)) for r in table["data"]]
    assert {(r["model"], r["type"]) for r in rows} >= {("rules", "단서"), ("finetune", "준용")}
    assert next(r for r in rows if r["model"] == "rules" and r["type"] == "단서")["recall"] == 1.0
