"""The runner executes real notebooks through papermill into a temporary MLflow store."""
from __future__ import annotations

from testdata import FIXTURES
from pathlib import Path

import mlflow
import pytest
import yaml
from mlflow.tracking import MlflowClient

from lexlab import cli
from lexlab.workbench import runner, tracking

NB = FIXTURES / "notebooks"


def _write(tmp_path: Path, spec: dict) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def _artifacts(run_id: str) -> list[str]:
    return [f.path for f in MlflowClient().list_artifacts(run_id, "notebook")]


def test_single_stage_logs_params_metrics_tags_and_notebook(tmp_path):
    exp = _write(tmp_path, {"name": "one", "experiment": "test-runner",
                            "stages": [{"name": "fx", "notebook": str(NB / "ok.ipynb"), "params": {"x": 2}}]})
    result = runner.run_experiment(exp, {"x": 3}, progress=False)
    assert result.ok and result.parent_run_id is None and len(result.stages) == 1
    run = mlflow.get_run(result.stages[0].run_id)
    assert run.info.status == "FINISHED"
    assert run.data.metrics["x_squared"] == 9.0
    assert run.data.params["x"] == "3"
    assert run.data.tags["lexlab.stage"] == "fx"
    assert run.data.tags["lexlab.git_commit"]
    assert "lexlab.snapshot" in run.data.tags
    assert any(p.endswith(".ipynb") for p in _artifacts(run.info.run_id))


def test_grid_over_pipeline_nests_variants_and_stages(tmp_path, capsys):
    exp = _write(tmp_path, {
        "name": "grid", "experiment": "test-runner",
        "stages": [{"name": "a", "notebook": str(NB / "ok.ipynb")}, {"name": "b", "notebook": str(NB / "ok.ipynb")}],
        "grid": {"a.x": [1, 2]},
    })
    result = runner.run_experiment(exp, progress=False)
    assert result.ok and len(result.stages) == 4
    assert "grid of 2 points × 2 stage(s) = 4 stage runs" in capsys.readouterr().err  # said before it starts
    variants = mlflow.search_runs(experiment_names=["test-runner"],
                                  filter_string=f"tags.mlflow.parentRunId = '{result.parent_run_id}'")
    assert len(variants) == 2
    squares = set()
    for variant_id in variants["run_id"]:
        stages = mlflow.search_runs(experiment_names=["test-runner"],
                                    filter_string=f"tags.mlflow.parentRunId = '{variant_id}'")
        assert sorted(stages["tags.lexlab.stage"]) == ["a", "b"]
        a = stages[stages["tags.lexlab.stage"] == "a"].iloc[0]
        b = stages[stages["tags.lexlab.stage"] == "b"].iloc[0]
        squares.add(a["metrics.x_squared"])
        assert b["metrics.x_squared"] == 4.0  # "a.x" reaches stage a only; b keeps its default x=2
        assert a["params.run_name"] == b["params.run_name"] != "grid"
    assert squares == {1.0, 4.0}


def test_failing_cell_marks_run_failed_and_keeps_notebook(tmp_path):
    exp = _write(tmp_path, {"name": "boom", "experiment": "test-runner",
                            "stages": [{"name": "fail", "notebook": str(NB / "fail.ipynb")}]})
    assert cli.main(["run", str(exp), "--no-progress"]) == 1
    run = mlflow.search_runs(experiment_names=["test-runner"], filter_string="tags.lexlab.stage = 'fail'",
                             output_format="list")[0]
    assert run.info.status == "FAILED"
    assert run.data.metrics["before_failure"] == 1.0
    assert "deliberate failure" in run.data.tags["lexlab.error"]
    assert any(p.endswith(".ipynb") for p in _artifacts(run.info.run_id))


def test_templated_params_wire_stage_outputs(tmp_path):
    exp = runner.Experiment(name="t", stages=[runner.Stage("s", NB / "ok.ipynb", {"out": "work/{run_name}/x"})])
    params = runner.stage_params(exp, exp.stages[0], {"seed": 1}, "demo-seed=1")
    assert params["out"] == "work/demo-seed=1/x" and params["seed"] == 1


@pytest.mark.parametrize("spec, message", [
    ({"name": "x"}, "'stages'"),
    ({"stages": [{"name": "s"}]}, "stages[0] needs a 'notebook'"),
    ({"stages": [{"notebook": "notebooks/nope.ipynb"}]}, "does not exist"),
    ({"stages": [{"notebook": str(NB / "ok.ipynb")}], "grid": {"zz.x": [1]}}, "names stage 'zz'"),
])
def test_malformed_experiment_names_file_and_field(tmp_path, spec, message):
    path = _write(tmp_path, spec)
    with pytest.raises(runner.ExperimentError) as err:
        runner.load_experiment(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_secrets_never_become_params():
    params = tracking.clean_params({"api_key": "sk-123", "OPENAI_API_KEY": "x", "model": "m", "lr": 0.1})
    assert params == {"model": "m", "lr": "0.1"}


def test_names_cannot_leave_the_work_dir():
    from lexlab.workbench import paths

    with pytest.raises(ValueError, match="leads outside the work directory"):
        paths.work_dir("qa", "../../escape")
    with pytest.raises(ValueError, match="leads outside"):
        paths.work_dir("models", "/tmp/elsewhere")
    assert paths.work_dir("qa", "fine-name").is_dir()


def test_unreadable_experiment_files_are_messages(tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(runner.ExperimentError, match="is a directory"):
        runner.load_experiment(tmp_path / "dir.yaml")
    (tmp_path / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(runner.ExperimentError, match="latin1.yaml: not UTF-8"):
        runner.load_experiment(tmp_path / "latin1.yaml")


def test_run_description_says_what_the_stage_ran_with(tmp_path):
    exp = _write(tmp_path, {"name": "one", "experiment": "test-runner",
                            "stages": [{"name": "fx", "notebook": str(NB / "ok.ipynb"), "params": {"x": 2}}]})
    result = runner.run_experiment(exp, {"x": 5}, progress=False, rerun=True)  # a -p override, not the YAML's value
    note = mlflow.get_run(result.stages[0].run_id).data.tags["mlflow.note.content"]
    assert "`x=5`" in note and "`x=2`" not in note
