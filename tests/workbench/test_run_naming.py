"""Run names, descriptions and the run tree as MLflow's UI shows them (a real pipeline into a temporary store)."""
from __future__ import annotations

from pathlib import Path

import mlflow
import yaml
from mlflow.tracking import MlflowClient

from testdata import FIXTURES
from lexlab.workbench import run_naming, runner, tracking

NB = FIXTURES / "notebooks"


def test_point_label_and_stage_names():
    assert run_naming.point_label({"it.format": "ref_in_input", "seed": 1}) == "ref_in_input seed 1"
    assert run_naming.stage_run_name("it", {"it.format": "no_ref", "seed": 0}, n_stages=1) == "it no_ref seed 0"
    assert run_naming.stage_run_name("evaluate", {"seed": 0}, n_stages=3) == "evaluate"


def test_unique_names_within_a_parent_only():
    names = run_naming.UniqueNames()
    assert [names("p", "it"), names("p", "it"), names("q", "it"), names("p", "it")] == ["it", "it (2)", "it", "it (3)"]


def test_description_names_notebook_title_and_what_differs():
    text = run_naming.stage_description("cpt_legal", NB / "nested.ipynb", {"cpt_mix": "legal", "steps": 5},
                                        siblings=[{"cpt_mix": "legal+general", "steps": 5}])
    assert "Fixture: nested runs" in text and "`cpt_mix=legal`" in text and "steps" not in text


def test_source_tags_are_mlflows_own():
    tags = run_naming.source_tags(NB / "ok.ipynb", "abc123-dirty", "NOTEBOOK")
    assert tags == {"mlflow.source.type": "NOTEBOOK", "mlflow.source.name": "tests/fixtures/notebooks/ok.ipynb",
                    "mlflow.source.git.commit": "abc123"}


def _children(parent: str) -> dict[str, mlflow.entities.Run]:
    client = MlflowClient()
    exp_ids = [e.experiment_id for e in client.search_experiments()]
    runs = client.search_runs(exp_ids, filter_string=f"tags.mlflow.parentRunId = '{parent}'")
    return {r.info.run_name: r for r in runs}


def test_pipeline_tree_names_and_nested_runs_in_a_temporary_store(tmp_path: Path):
    """Stage runs keep their names (a child run started inside never takes one over), children sit under it."""
    spec = {"name": "tree", "experiment": "test-run-tree", "params": {"items": "a,bb"},
            "stages": [{"name": "first", "notebook": str(NB / "ok.ipynb"), "params": {"x": 2}},
                       {"name": "evaluate", "notebook": str(NB / "nested.ipynb")}]}
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = runner.run_experiment(path, progress=False)
    assert result.ok, [s.error for s in result.stages]

    stages = _children(result.parent_run_id)
    assert set(stages) == {"first", "evaluate"}
    evaluate = stages["evaluate"]
    assert evaluate.data.metrics["n_items"] == 2 and "score" not in evaluate.data.metrics
    assert evaluate.data.tags["mlflow.source.name"] == "tests/fixtures/notebooks/nested.ipynb"
    assert "Fixture: nested runs" in evaluate.data.tags[run_naming.NOTE]
    items = _children(evaluate.info.run_id)
    assert {n: r.data.metrics["score"] for n, r in items.items()} == {"a": 1.0, "bb": 2.0}
    assert all(r.info.status == "FINISHED" for r in items.values())
    assert {r.data.tags["mlflow.source.name"] for r in items.values()} == {"tests/fixtures/notebooks/nested.ipynb"}

    parent = mlflow.get_run(result.parent_run_id)
    assert parent.info.run_name == "tree" and parent.data.tags["mlflow.source.name"].endswith("exp.yaml")
    experiment = mlflow.get_experiment_by_name("test-run-tree")
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    html = [f.path for f in MlflowClient().list_artifacts(evaluate.info.run_id, "notebook")]
    assert any(p.endswith(".html") for p in html) and any(p.endswith(".ipynb") for p in html)


def test_child_run_outside_a_runner_nests_under_the_active_run(monkeypatch):
    tracking.setup_mlflow("test-run-tree")
    with mlflow.start_run(run_name="stage") as stage:
        monkeypatch.setenv("MLFLOW_RUN_ID", stage.info.run_id)  # as the runner leaves it for the kernel
        with tracking.child_run("child") as child:
            assert child.info.run_id != stage.info.run_id
        assert mlflow.active_run().info.run_id == stage.info.run_id
    assert mlflow.get_run(stage.info.run_id).info.run_name == "stage"
    assert mlflow.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == stage.info.run_id
