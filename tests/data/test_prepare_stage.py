"""Stage 01 end to end: `lexlab run` executes the real notebook over the installed data packages."""
from __future__ import annotations

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from lexlab.workbench import paths, runner
from lexlab.data import snapshot


@pytest.mark.data
def test_prepare_corpus_stage_builds_snapshot_and_logs_it():
    result = runner.run_experiment(paths.EXPERIMENTS / "01_prepare_corpus.yaml",
                                   {"max_decisions": 40}, progress=False)
    assert result.ok, result.stages[0].error
    run = mlflow.get_run(result.stages[0].run_id)
    snap = snapshot.load_snapshot()
    assert run.data.tags["lexlab.snapshot"] == snap.manifest["version"]
    assert run.data.metrics["count_decisions"] == len(snap.decisions) <= 40
    assert run.data.metrics["count_statutes"] > 10_000
    assert run.data.params["max_decisions"] == "40"
    names = {f.path for f in MlflowClient().list_artifacts(run.info.run_id)}
    assert {"manifest.json", "notebook", "plots", "stats"} <= names
