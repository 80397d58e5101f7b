"""`make screenshots` shoots both papers' pages: the newest LegalMidm pipeline and the newest retrieval pipeline,
whether they live in one experiment per paper or together in an older store's single experiment."""
from __future__ import annotations

import importlib.util

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from testdata import ROOT


@pytest.fixture(scope="module")
def shots():
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "tools" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pipeline(client: MlflowClient, e: str, name: str, stages: list[str]) -> dict[str, str]:
    parent = client.create_run(e, run_name=name, tags={"lexlab.kind": "parent", "lexlab.experiment": name})
    ids = {"": parent.info.run_id}
    for stage in stages:
        ids[stage] = client.create_run(e, run_name=stage, tags={"lexlab.stage": stage,
                                                                "mlflow.parentRunId": parent.info.run_id}).info.run_id
    return ids


def _store(client: MlflowClient, midm_exp: str, search_exp: str) -> tuple[dict, dict]:
    midm = _pipeline(client, midm_exp, "legalmidm_demo", ["prepare_corpus", "generate_law_qa", "cpt_mixed",
                                                         "evaluate", "compare"])
    client.create_run(midm_exp, run_name="it_legal", tags={"mlflow.parentRunId": midm["evaluate"]})
    search = _pipeline(client, search_exp, "legalsearchlm_demo", ["build_benchmark", "train_searchlm",
                                                                  "evaluate_retrieval"])
    for method in ("bm25", "searchlm"):
        search[method] = client.create_run(search_exp, run_name=method, tags={
            "mlflow.parentRunId": search["evaluate_retrieval"], "lexlab.method": method}).info.run_id
    return midm, search


def _routes(pages) -> dict[str, str]:
    stems = [stem for stem, _ in pages]
    assert [s[:2] for s in stems] == [f"{i:02d}" for i in range(len(stems))]  # numbered in order
    return {stem[3:]: route for stem, route in pages}


def test_both_papers_pages_from_one_experiment_each(shots):
    client = MlflowClient()
    e_midm = client.create_experiment("shots-midm")
    e_search = client.create_experiment("shots-search")
    midm, search = _store(client, e_midm, e_search)
    routes = _routes(shots.pages(["shots-midm", "shots-search", "shots-missing"]))
    # the retrieval pipeline is the newest, and the LegalMidm pages are still all there
    for stem in ("pipeline_run", "cpt_run", "evaluate_run", "eval_child_run", "compare_per_task_png",
                 "executed_notebook", "stats_png", "reject_reasons_png"):
        assert f"legalmidm_{stem}" in routes, stem
    assert routes["legalmidm_pipeline_run"] == f"/experiments/{e_midm}/runs/{midm['']}"
    for stem in ("pipeline_run", "benchmark_run", "train_run", "evaluate_run", "methods_compared",
                 "p5_by_category_png", "executed_notebook"):
        assert f"legalsearchlm_{stem}" in routes, stem
    assert search["bm25"] in routes["legalsearchlm_methods_compared"]
    assert search["searchlm"] in routes["legalsearchlm_methods_compared"]
    assert routes["legalsearchlm_p5_by_category_png"].endswith(
        f"{search['evaluate_retrieval']}/artifacts/retrieval/p5_by_category.png")
    assert {"shots-midm_runs", "shots-search_runs", "shots-midm_chart"} <= set(routes)
    assert list(routes)[-1] == "models"
    assert not any("shots-missing" in stem for stem in routes)


def test_both_papers_pages_from_one_shared_experiment(shots):
    client = MlflowClient()
    e = client.create_experiment("shots-shared")
    _store(client, e, e)
    routes = _routes(shots.pages(["shots-shared"]))
    assert "legalmidm_cpt_run" in routes and "legalsearchlm_evaluate_run" in routes
    assert sum(stem.endswith("_runs") for stem in routes) == 1


def test_the_default_experiments_are_the_papers():
    """Each paper (and `lexlab ask`, and each of the guide's systems) logs into an experiment of its own."""
    import yaml

    for path in sorted((ROOT / "experiments").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "experiment" in spec:
            assert spec["experiment"] in ("lexlab-legalmidm", "lexlab-legalsearchlm", "lexlab-ask", "lexlab-clauses",
                                          "lexlab-caselaw", "lexlab-review", "lexlab-judging"), path.name
