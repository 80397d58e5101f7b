"""One source for every parameter: a stage's config dataclass holds the defaults, its notebook gets only the
overrides (``params``), the run logs every field of what ran, and preflight checks keys, types and the dataclass's
own checks against the fields before any run exists."""
from __future__ import annotations

from pathlib import Path

import mlflow
import pytest
import yaml

from lexlab import cli
from lexlab.legalsearchlm.bench.config import BenchmarkConfig
from lexlab.workbench import config, preflight, runner
from testdata import FIXTURES

NB = FIXTURES / "notebooks" / "config_stage.ipynb"


def _exp(tmp_path: Path, params=None, grid=None) -> Path:
    spec = {"name": "cfgstage", "experiment": "test-stage-config",
            "stages": [{"name": "bench", "notebook": str(NB), "params": params or {}}]}
    if grid:
        spec["grid"] = grid
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_stage_config_takes_overrides_and_says_what_differs(capsys):
    cfg = config.stage_config(BenchmarkConfig, {"max_queries": "7"})
    assert cfg.max_queries == 7 and cfg.annotator == "rules"
    assert "max_queries=7 (default 0)" in capsys.readouterr().out
    assert config.config_params(cfg)["test_fraction"] == 0.5


def test_preflight_reads_the_fields_of_the_named_dataclass():
    declared = preflight.notebook_parameters(NB)
    assert declared == config.config_defaults(BenchmarkConfig)
    assert preflight.papermill_parameters(NB, {"seed": 1}) == {"params": {"seed": 1}}


def test_an_override_reaches_the_config_and_the_logged_params(tmp_path):
    result = runner.run_experiment(_exp(tmp_path, {"title_match": "contains"}), {"max_queries": 7}, progress=False,
                                   rerun=True)
    assert result.ok, result.stages[0].error
    run = mlflow.get_run(result.stages[0].run_id)
    assert run.data.metrics["max_queries_seen"] == 7
    params = run.data.params
    assert params["max_queries"] == "7" and params["title_match"] == "contains"
    assert params["annotator"] == "rules"  # a default the YAML never wrote is logged too: what really ran


@pytest.mark.parametrize("override, message", [
    ("max_querys=3", "'max_querys' is not a parameter of any stage (bench); did you mean 'max_queries'?"),
    ("max_queries=abc", "max_queries='abc' is not of type int"),
    ("annotator=bogus", "BenchmarkConfig.annotator must be one of ('none', 'rules', 'llm'), got 'bogus'"),
    ("test_fraction=1.5", "BenchmarkConfig.test_fraction must be in [0, 1]"),
])
def test_a_bad_override_is_refused_before_any_run(tmp_path, override, message, capsys):
    name = "test-stage-config"
    before = len(mlflow.search_runs(experiment_names=[name], output_format="list")) \
        if mlflow.get_experiment_by_name(name) else 0
    assert cli.main(["run", str(_exp(tmp_path)), "--no-progress", "-p", override]) == 2
    assert message in capsys.readouterr().err
    after = len(mlflow.search_runs(experiment_names=[name], output_format="list")) \
        if mlflow.get_experiment_by_name(name) else 0
    assert after == before


def test_a_grid_value_the_dataclass_refuses_fails_before_any_run(tmp_path):
    with pytest.raises(preflight.ParameterError, match="at grid point title_match=fuzzy"):
        runner.run_experiment(_exp(tmp_path, grid={"title_match": ["exact", "fuzzy"]}), progress=False)
