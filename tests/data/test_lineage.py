"""The snapshot shows up as an MLflow dataset input of the run that reads it."""
from __future__ import annotations

import mlflow

from lexlab.data import lineage
from lexlab.workbench import tracking


def test_snapshot_is_logged_as_a_dataset_input(tmp_path):
    tracking.setup_mlflow("test-lineage")
    manifest = {"version": "v1", "hashes": {"statutes": "abc"}}
    with mlflow.start_run() as run:
        assert lineage.log_snapshot_input(tmp_path, manifest, ("statutes",))
    inputs = mlflow.get_run(run.info.run_id).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("snapshot v1", lineage.snapshot_digest(manifest))]
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "snapshot"


def test_without_a_run_nothing_is_logged(tmp_path):
    assert mlflow.active_run() is None
    assert not lineage.log_snapshot_input(tmp_path, {"version": "v1"}, ("statutes",))
