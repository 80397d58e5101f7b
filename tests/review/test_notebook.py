"""Notebook 14 as users run it (papermill through the runner) on a one-table snapshot written here, at a tiny size."""
from __future__ import annotations

import mlflow
import pytest

from lexlab.review.store import ReviewStore
from lexlab.workbench import paths, runner
from testdata import write_snapshot

TINY = {"name": "nb-test", "seeds": "0,1", "max_steps": 4, "batch_size": 2, "max_tokens": 64, "hidden_size": 32,
        "num_layers": 1, "vocab_size": 500, "doc_chars": 300, "dev_fraction": 0.25, "test_fraction": 0.25,
        "positive_fraction": 0.5}


@pytest.mark.slow
def test_notebook_14_runs_routes_and_queues(decisions, tmp_path):
    snap = write_snapshot(decisions, tmp_path / "snap")
    result = runner.run_experiment(paths.REPO / "experiments" / "14_review.yaml", {"snapshot": str(snap), **TINY},
                                   progress=False, rerun=True)
    assert result.ok, result.stages[0].error
    run = mlflow.get_run(result.stages[0].run_id)
    metrics = run.data.metrics
    assert metrics["stage1_test_recall"] >= 0.5 and 0 < metrics["stage1_test_pass_rate"] <= 1
    assert {"headline.human_share_at_recall_0_99", "headline.human_share_at_recall_0_999",
            "headline.stage2_span_precision"} <= set(metrics)
    assert run.data.params["seeds"] == "0,1" and run.data.params["withhold_threshold"] == "0.9"
    store = ReviewStore(run.data.tags["lexlab.review_db"])
    assert len(store.queue()) == metrics["queued_documents"]
    assert all(d["model_version"].startswith("nb-test@") for d in store.queue())
