"""Trained models as MLflow models: logged (Logged Models page), registered with an alias, loaded by
``models:/name@alias`` wherever a model path is accepted."""
from __future__ import annotations

import mlflow
import pandas as pd
import pytest

from lexlab.legalmidm import registry
from lexlab.models import hf, mlflow_model
from lexlab.models.naming import resolve_model
from lexlab.workbench import tracking

TEXTS = ["형법 제347조 사기죄는 사람을 기망하여 재물의 교부를 받은 경우에 성립한다."] * 20


@pytest.fixture(scope="module")
def final_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "final"
    tok = hf.train_tokenizer(TEXTS, vocab_size=300)
    model = hf.build_model("tiny", tok, seed=0, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                           num_attention_heads=2, num_key_value_heads=2)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def test_logged_model_registers_and_loads_by_alias(final_dir):
    tracking.setup_mlflow("test-mlflow-model")
    with mlflow.start_run() as run:
        info = mlflow_model.log_model(final_dir)
    assert mlflow_model.run_model_uri(run.info.run_id) == info.model_uri
    assert resolve_model(f"run:{run.info.run_id}") == str(mlflow_model.local_dir(info.model_uri))
    version = mlflow_model.register(info.model_uri, "lexlab-test-model", "best")
    local = resolve_model("models:/lexlab-test-model@best")
    assert sorted(p.name for p in (final_dir).iterdir()) == sorted(p.name for p in mlflow_model.local_dir(
        f"models:/lexlab-test-model/{version}").iterdir())
    model, tok, path = hf.load_model(local)
    assert model.config.hidden_size == 32
    pyfunc = mlflow.pyfunc.load_model("models:/lexlab-test-model@best")
    texts = pyfunc.predict(["사기죄는"], params={"max_new_tokens": 3})
    assert len(texts) == 1 and isinstance(texts[0], str)


def test_the_best_variant_by_average_is_registered(final_dir):
    tracking.setup_mlflow("test-mlflow-model")
    with mlflow.start_run() as train_run:
        mlflow.set_tag(mlflow_model.MODEL_DIR_TAG, str(final_dir))
        mlflow_model.log_model(final_dir)
    evals = {}
    for variant, path, avg in (("good", str(final_dir), 0.4), ("worse", "/nowhere", 0.2)):
        with mlflow.start_run() as r:
            mlflow.log_param("model_path", path)
        evals[variant] = (r.info.run_id, avg)
    runs = pd.DataFrame([{"run_id": rid, "variant": v, "kind": "model", "avg": a} for v, (rid, a) in evals.items()]
                        + [{"run_id": "x", "variant": "extractive", "kind": "baseline", "avg": 0.9}])
    out = registry.register_best(runs, "lexlab-test-best")
    assert out["variant"] == "good" and out["load_as"] == "models:/lexlab-test-best@best"
    version = mlflow.MlflowClient().get_model_version_by_alias("lexlab-test-best", "best")
    assert version.tags["lexlab.variant"] == "good" and version.run_id == train_run.info.run_id


def test_a_logged_model_is_named_after_its_variant_with_a_description_and_its_notebook(final_dir):
    tracking.setup_mlflow("test-mlflow-model")
    with mlflow.start_run(tags={"mlflow.source.name": "notebooks/04_instruction_tuning.ipynb"}) as run:
        mlflow_model.log_model(final_dir, description="instruction_tuning: 10 steps")
    [logged] = mlflow.search_logged_models(filter_string=f"source_run_id = '{run.info.run_id}'", output_format="list")
    assert logged.name == final_dir.parent.name != "model"  # work/models/<variant>/final → "<variant>"
    assert logged.tags["mlflow.note.content"] == "instruction_tuning: 10 steps"
    assert logged.tags["mlflow.source.name"] == "notebooks/04_instruction_tuning.ipynb"


def test_the_comparison_puts_its_headline_and_the_registered_model_on_the_parent_run():
    tracking.setup_mlflow("test-mlflow-model")
    runs = pd.DataFrame([{"run_id": "a", "variant": "it_ref_out", "kind": "model", "avg": 0.31},
                         {"run_id": "b", "variant": "it_no_ref", "kind": "model", "avg": 0.12},
                         {"run_id": "c", "variant": "extractive_lead", "kind": "baseline", "avg": float("nan")}])
    runs.attrs["avg_over"] = ["summary", "qa_statute", "mc_title"]
    with mlflow.start_run(run_name="pipeline") as parent:
        with mlflow.start_run(run_name="compare", nested=True) as stage:
            text = registry.log_headline(runs, {"name": "lexlab-it", "version": "3",
                                                "load_as": "models:/lexlab-it@best"})
    top = mlflow.get_run(parent.info.run_id).data
    assert top.metrics["headline.best_avg"] == pytest.approx(0.31) and top.metrics["headline.n_tasks_averaged"] == 3
    assert "it_ref_out" in top.tags["mlflow.note.content"] and "models:/lexlab-it@best" in text
    assert mlflow.get_run(stage.info.run_id).data.tags["lexlab.registered_model"] == "lexlab-it/3"
