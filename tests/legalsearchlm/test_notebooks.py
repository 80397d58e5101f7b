"""Notebooks 09 and 10 end to end through the runner at a tiny size: the config dataclasses are their parameters,
a YAML override reaches the config and the logged params, each retrieval method gets its own MLflow run (P@5
against standard and stricter relevance) and the pipeline run carries P@5 per method."""
from __future__ import annotations

import json

import mlflow
import pytest
import yaml

from legalsearchlm import cases
from lexlab.workbench import paths, runner
from testdata import ROOT


def _benchmark(name: str) -> None:
    """The hand-written cases as a stage-08 benchmark: every query in test, stricter relevance for one query."""
    bdir = paths.work_dir("legar", name)
    docs = cases.corpus()
    (bdir / "corpus.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), "utf-8")
    (bdir / "queries.jsonl").write_text("".join(json.dumps({**q, "split": "test"}, ensure_ascii=False) + "\n"
                                                for q in cases.queries()), "utf-8")
    qrels = cases.qrels(docs)
    (bdir / "qrels.standard.trec").write_text(
        "".join(f"{q} 0 {d.replace(' ', '_')} 1\n" for q, rel in qrels.items() for d in rel), "utf-8")
    (bdir / "qrels.stricter.trec").write_text(f"wage-0 0 wage-1 1\n", "utf-8")


@pytest.mark.slow
def test_train_and_evaluate_retrieval_notebooks(tmp_path):
    _benchmark("nbtest")
    spec = {"name": "retrieval-nb", "experiment": "test-retrieval-notebooks", "stages": [
        {"name": "train_searchlm", "notebook": str(ROOT / "notebooks" / "09_train_searchlm.ipynb"),
         "params": {"benchmark": "nbtest", "model_name": "nbtest-searchlm", "max_steps": 2, "batch_size": 4,
                    "vocab_size": 400, "max_input_tokens": 48, "model_config": cases.TINY_LLAMA, "save_steps": 100}},
        {"name": "evaluate_retrieval", "notebook": str(ROOT / "notebooks" / "10_evaluate_retrieval.ipynb"),
         "params": {"benchmark": "nbtest", "methods": "bm25,searchlm,hybrid", "bm25_tune": False, "oracle": False,
                    "searchlm_models": "nbtest-searchlm", "num_beams": 2, "learning_curve": ""}}]}
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    result = runner.run_experiment(path, {"variant": "naive"}, progress=False, rerun=True)
    assert result.ok, [s.error for s in result.stages]
    train, evaluate = (mlflow.get_run(s.run_id) for s in result.stages)
    # the override reached the config and the variant decided the targets that the run logs
    assert train.data.params["variant"] == "naive" and train.data.params["targets"] == "naive"
    assert train.data.params["max_steps"] == "2" and train.data.params["learning_rate"] == "0.002"  # a default
    assert evaluate.data.params["bm25_tune"] == "False" and evaluate.data.params["k"] == "5"

    children = mlflow.search_runs(experiment_names=["test-retrieval-notebooks"], output_format="list",
                                  filter_string=f"tags.mlflow.parentRunId = '{evaluate.info.run_id}'")
    by_method = {r.data.tags["lexlab.method"]: r for r in children}
    assert set(by_method) == {"bm25", "searchlm", "hybrid"}
    for method, child in by_method.items():
        assert {"P_at_5.standard", "P_at_5.stricter", "R_at_5.standard"} <= set(child.data.metrics)
        assert child.info.run_name == f"{method} · {evaluate.info.run_name}"
        assert evaluate.data.metrics[f"headline.P_at_5.{method}"] == child.data.metrics["P_at_5.standard"]
    assert by_method["bm25"].data.params["bm25.tokenizer"] == "char2"  # the tuned default that ran, not "{}"
    assert by_method["searchlm"].data.params["model_dir"].endswith("nbtest-searchlm/final")
    # the LegalSearchLM run carries its span diagnostics and the collapse flag (3 queries: measured, not flagged)
    assert {"spans.distinct", "spans.top_span_share", "spans.collapsed"} <= set(by_method["searchlm"].data.metrics)
    assert by_method["searchlm"].data.tags["lexlab.collapsed"] == "false"
    # stage 09 registered its model, under the variant's alias
    assert train.data.tags["lexlab.registered_model"].startswith("lexlab-legalsearchlm/")
    version = mlflow.MlflowClient().get_model_version_by_alias("lexlab-legalsearchlm", "naive")
    assert version.tags["lexlab.model_dir"].endswith("nbtest-searchlm/final")
    parent = mlflow.get_run(result.parent_run_id)
    assert parent.data.metrics["headline.P_at_5.bm25"] == by_method["bm25"].data.metrics["P_at_5.standard"]
    arts = {a.path for a in mlflow.MlflowClient().list_artifacts(evaluate.info.run_id, "retrieval")}
    assert "retrieval/p5_by_category.png" in arts and "retrieval/p5_by_category_intervals.json" in arts
