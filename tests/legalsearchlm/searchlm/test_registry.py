"""Stage 09's model in MLflow's Model Registry, loadable as models:/<name>@<alias> wherever a model is taken."""
from __future__ import annotations

from pathlib import Path

import mlflow

from lexlab.legalsearchlm.retrieval.benchmark import searchlm_model_dir
from lexlab.legalsearchlm.searchlm.registry import register_model
from lexlab.models.naming import resolve_model
from lexlab.workbench import paths, tracking


def test_a_registered_searchlm_model_resolves_to_its_directory(tmp_path: Path):
    final = tmp_path / "searchlm" / "final"
    final.mkdir(parents=True)
    (final / "searchlm.json").write_text('{"variant": "legal"}', encoding="utf-8")
    tracking.setup_mlflow("test-searchlm-registry")
    with mlflow.start_run(run_name="train_searchlm") as run:
        got = register_model(str(final), "lexlab-legalsearchlm-test", "legal",
                             {"variant": "legal", "max_steps": 2, "train_cases": 12, "train_loss": 5.9})
    assert got["load_as"] == "models:/lexlab-legalsearchlm-test@legal"
    version = mlflow.MlflowClient().get_model_version_by_alias("lexlab-legalsearchlm-test", "legal")
    assert str(version.version) == got["version"] and version.tags["lexlab.max_steps"] == "2"
    assert mlflow.get_run(run.info.run_id).data.tags["lexlab.registered_model"].startswith("lexlab-legalsearchlm-test/")
    loaded = Path(resolve_model(got["load_as"]))
    assert (loaded / "searchlm.json").read_text(encoding="utf-8") == '{"variant": "legal"}'
    # notebook 10 takes it as a searchlm model (not as a name under work/retrieval/)
    assert (searchlm_model_dir(got["load_as"]) / "searchlm.json").exists()
    assert not (paths.work_dir("retrieval") / "models:").exists()
