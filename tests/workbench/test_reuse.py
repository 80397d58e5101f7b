"""Finished stages are reused when their notebook, parameters and inputs are unchanged (linked, not copied)."""
from __future__ import annotations

import json
from pathlib import Path

import mlflow
import yaml

from testdata import FIXTURES
from lexlab.workbench import reuse, runner

NB = FIXTURES / "notebooks"


def _experiment(tmp_path: Path, b_x: int) -> Path:
    spec = {"name": "reuse", "experiment": "test-reuse",
            "stages": [{"name": "a", "notebook": str(NB / "ok.ipynb"), "params": {"x": 2}},
                       {"name": "b", "notebook": str(NB / "ok.ipynb"), "params": {"x": b_x}}]}
    path = tmp_path / f"exp_{b_x}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_second_run_reuses_every_unchanged_stage_and_reruns_what_changed(tmp_path):
    first = runner.run_experiment(_experiment(tmp_path, 3), progress=False)
    assert first.ok and all(s.reused_from is None for s in first.stages)

    again = runner.run_experiment(_experiment(tmp_path, 3), progress=False)
    assert [s.reused_from for s in again.stages] == [s.run_id for s in first.stages]
    link = mlflow.get_run(again.stages[1].run_id)
    assert link.info.status == "FINISHED" and link.data.tags["mlflow.parentRunId"] == again.parent_run_id
    assert link.data.tags[reuse.REUSED_TAG] == first.stages[1].run_id and "x_squared" not in link.data.metrics
    assert "Reused" in link.data.tags["mlflow.note.content"]

    changed = runner.run_experiment(_experiment(tmp_path, 4), progress=False)
    assert changed.stages[0].reused_from == first.stages[0].run_id and changed.stages[1].reused_from is None
    assert mlflow.get_run(changed.stages[1].run_id).data.metrics["x_squared"] == 16.0

    forced = runner.run_experiment(_experiment(tmp_path, 3), progress=False, rerun=True)
    assert all(s.reused_from is None for s in forced.stages)


def test_key_ignores_outputs_but_not_code_params_or_upstream(tmp_path):
    nb = json.loads((NB / "ok.ipynb").read_text(encoding="utf-8"))
    with_output = tmp_path / "a.ipynb"
    nb["cells"][-1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "square 4\n"}]
    with_output.write_text(json.dumps(nb), encoding="utf-8")
    key = reuse.stage_key(NB / "ok.ipynb", {"x": 2}, [])
    assert reuse.stage_key(with_output, {"x": 2}, []) == key
    assert reuse.stage_key(NB / "ok.ipynb", {"x": 3}, []) != key
    assert reuse.stage_key(NB / "ok.ipynb", {"x": 2}, ["run1"]) != key
    nb["cells"][-1]["source"] = "print('changed')"
    with_output.write_text(json.dumps(nb), encoding="utf-8")
    assert reuse.stage_key(with_output, {"x": 2}, []) != key
