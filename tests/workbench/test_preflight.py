"""Parameters are checked against the notebooks' parameters cells before any run exists; credentials and unsafe
names are refused; every project notebook's parameters cell parses cleanly for papermill."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import mlflow
import pytest
import yaml

from lexlab import cli
from lexlab.workbench import runner
from testdata import FIXTURES, ROOT

NB = FIXTURES / "notebooks"


def _exp(tmp_path: Path, grid=None, params=None, name="pre") -> Path:
    spec = {"name": name, "experiment": "test-preflight", "params": params or {},
            "stages": [{"name": "a", "notebook": str(NB / "ok.ipynb")}, {"name": "b", "notebook": str(NB / "fail.ipynb")}]}
    if grid:
        spec["grid"] = grid
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def _runs() -> int:
    return len(mlflow.search_runs(experiment_names=["test-preflight"], output_format="list"))


@pytest.mark.parametrize("overrides, message", [
    ({"xx": 3}, "'xx' is not a parameter of any stage (a, b); did you mean 'x'?"),
    ({"a.y": 3}, "'y' is not a parameter of stage 'a'"),
    ({"x": "abc"}, "x='abc' is not of type int"),
    ({"a.x": 1.5}, "a.x=1.5 is not of type int"),
    ({"api_key": "sk-1"}, "'api_key' looks like a credential"),
    ({"OPENAI_API_KEY": "sk-1"}, "environment variable"),
    ({"run_name": "http://user:SECRET@host/v1"}, "credentials in a URL (http://***@host/v1)"),
    ({"run_name": "../../outside"}, "must be a plain name"),
])
def test_bad_overrides_fail_before_any_run(tmp_path, overrides, message, capsys):
    path = _exp(tmp_path)
    before = _runs() if mlflow.get_experiment_by_name("test-preflight") else 0
    assert cli.main(["run", str(path), "--no-progress", *sum(
        (["-p", f"{k}={v}"] for k, v in overrides.items()), [])]) == 2
    err = capsys.readouterr().err
    assert message in err and "SECRET" not in err and "sk-1" not in err
    assert (_runs() if mlflow.get_experiment_by_name("test-preflight") else 0) == before


def test_grid_and_experiment_params_are_checked(tmp_path):
    from lexlab.workbench import preflight

    with pytest.raises(preflight.ParameterError, match="grid: 'seeds' is not a parameter"):
        preflight.check(runner.load_experiment(_exp(tmp_path, grid={"seeds": [0, 1]})), {})
    with pytest.raises(preflight.ParameterError, match="x='two' is not of type int"):
        preflight.check(runner.load_experiment(_exp(tmp_path, grid={"x": [1, "two"]})), {})
    with pytest.raises(preflight.ParameterError, match="params: parameter 'hf_token' looks like a credential"):
        preflight.check(runner.load_experiment(_exp(tmp_path, params={"hf_token": "t"})), {})
    with pytest.raises(preflight.ParameterError, match="must be a plain name"):
        preflight.check(runner.load_experiment(_exp(tmp_path, name="../up")), {})
    preflight.check(runner.load_experiment(_exp(tmp_path, grid={"x": [1, 2], "seed": [0]})), {"a.x": 3})


def test_every_experiment_file_passes_its_own_check():
    from lexlab.workbench import preflight

    for path in sorted((ROOT / "experiments").glob("*.yaml")):
        preflight.check(runner.load_experiment(path), {})


def test_every_parameters_cell_parses_cleanly_for_papermill():
    """papermill's parser must see every assignment of the cell (a '=' in a comment used to hide a parameter)."""
    from lexlab.workbench import preflight

    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cell = next(c for c in json.loads(nb.read_text())["cells"] if "parameters" in c["metadata"].get("tags", []))
        assigned = {t.id for node in ast.parse("".join(cell["source"])).body for t in node.targets}
        if preflight.config_class(nb) is not None:  # the one-source design: a dataclass and its overrides
            assert assigned == {"CONFIG", "params"}, nb.name
        else:
            assert set(preflight.notebook_parameters(nb)) == assigned, nb.name


def test_a_stage_name_cannot_leave_the_runs_folder():
    from lexlab.workbench import preflight

    exp = runner.Experiment(name="t", stages=[runner.Stage("../../outside", NB / "ok.ipynb")])
    with pytest.raises(preflight.ParameterError, match="stage name: '../../outside' must be a plain name"):
        preflight.check(exp, {})


def test_an_experiment_wide_parameter_reaches_only_the_stages_that_declare_it(tmp_path):
    spec = {"name": "scoped", "experiment": "test-preflight", "params": {"x": 3, "items": "c"},
            "stages": [{"name": "a", "notebook": str(NB / "ok.ipynb")},
                       {"name": "b", "notebook": str(NB / "nested.ipynb")}]}
    path = tmp_path / "scoped.yaml"
    path.write_text(yaml.safe_dump(spec))
    result = runner.run_experiment(path, progress=False)
    assert result.ok
    params = {r.stage: mlflow.get_run(r.run_id).data.params for r in result.stages}
    assert params["a"]["x"] == "3" and "items" not in params["a"]
    assert params["b"]["items"] == "c" and "x" not in params["b"]


def _config_exp(tmp_path: Path, **spec) -> Path:
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump({"name": "cfgexp", "experiment": "test-preflight",
                                    "stages": [{"name": "s", "notebook": str(NB / "config_stage.ipynb")}], **spec}))
    return path


@pytest.mark.parametrize("item, message", [
    ("max_queries=[unclosed", "is not a YAML value"),
    ("name={oops", "is not a YAML value"),
    ("name=!!python/object/apply:os.system [ls]", "is not a YAML value"),
    ("max_queries=1{x", "not of type int"),             # a '{' no longer skips the type check
    ("name=a: b", "not of type str"),                   # YAML reads a mapping: not a name
    ("test_fraction=.nan", "not a finite number"),
    ("seed=.inf", "not a finite number"),
    ("run_name=" + "x" * 300, "bytes long"),
])
def test_unparsable_or_mistyped_values_are_one_line_errors(tmp_path, item, message, capsys):
    """Each used to be a traceback (or a run that failed later)."""
    before = _runs() if mlflow.get_experiment_by_name("test-preflight") else 0
    assert cli.main(["run", str(_config_exp(tmp_path)), "--no-progress", "-p", item]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("lexlab run:")]
    assert len(errors) == 1 and message in errors[0] and "Traceback" not in err
    assert (_runs() if mlflow.get_experiment_by_name("test-preflight") else 0) == before


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path, capsys):
    """Nine lines that expand to 10^9 items grew the runner to 11.5 GB; now a one-line refusal."""
    lines = ["name: bomb", "experiment: test-preflight", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines += ["params: {name: *a8}", f"stages: [{{name: s, notebook: {NB / 'config_stage.ipynb'}}}]"]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines))
    assert cli.main(["run", str(path), "--no-progress"]) == 2
    assert "too large" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["two\nlines", "tab\there"])
def test_a_stage_name_with_control_characters_is_refused(name):
    from lexlab.workbench import preflight

    with pytest.raises(preflight.ParameterError, match="control characters"):
        preflight.check(runner.Experiment(name="t", stages=[runner.Stage(name, NB / "ok.ipynb")]), {})
