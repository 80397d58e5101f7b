"""The LEGAR-style benchmark build on a hand-made decisions table: splits, the leak check, bad input, notebook 08."""
from __future__ import annotations

import pytest

from lexlab.legalsearchlm.bench import case_text, legar
from lexlab.legalsearchlm.bench.export import load_benchmark


def test_query_splits_come_from_lexlab_splits_and_follow_chains(decisions):
    bench = legar.build_benchmark(decisions, progress=False, test_fraction=0.5)
    assert set(bench.queries["split"]) <= {"dev", "test"}
    assert set(bench.queries["project_split"]) <= {"train", "dev", "test"}
    split = legar._split_map(decisions, 0.5)
    assert len({split[c] for c in ("2019도1234", "2018노555", "2017고단99")}) == 1  # one chain, one split
    assert set(legar._split_map(decisions, 1.0).values()) == {"test"}


def test_unmasked_queries_are_dropped_not_shipped(decisions, monkeypatch, build):
    """If masking ever misses, the build's own leak check drops the query and counts it."""
    monkeypatch.setattr(case_text, "mask_text", lambda text, laws, words, case_ids=(): text)
    bench = build(decisions)
    assert "2019도1234" not in set(bench.queries["id"])
    assert bench.stats["query_skips"]["leak_not_removable"] >= 1


def test_bad_table_names_the_missing_column(decisions):
    with pytest.raises(KeyError, match="lower_case_ids"):
        legar.build_benchmark(decisions.drop(columns=["lower_case_ids"]), split_of={}, progress=False)


def _build_with_notebook_08(decisions, tmp_path, name: str):
    """Stage 08 through the runner on a one-table snapshot written here."""
    from lexlab.workbench import paths, runner
    from testdata import write_snapshot

    snap = write_snapshot(decisions, tmp_path / "snap")
    return runner.run_experiment(paths.REPO / "experiments" / "08_build_benchmark.yaml",
                                 {"snapshot": str(snap), "name": name}, progress=False)


@pytest.mark.slow
def test_notebook_08_builds_and_logs(decisions, tmp_path):
    """The stage as users run it: papermill through the runner, on a one-table snapshot written here."""
    import mlflow
    from mlflow.tracking import MlflowClient

    from lexlab.workbench import paths

    result = _build_with_notebook_08(decisions, tmp_path, "nb-test")
    assert result.ok, result
    run = mlflow.get_run(result.stages[0].run_id)
    assert run.data.metrics["queries"] >= 4 and run.data.metrics["candidates"] == len(decisions) - 1
    assert run.data.tags["lexlab.snapshot"] == "fixture"
    logged = {a.path for a in MlflowClient().list_artifacts(run.info.run_id, "benchmark")}
    assert {"benchmark/queries.jsonl", "benchmark/corpus.jsonl", "benchmark/qrels.standard.trec"} <= logged
    out = paths.work_dir("legar", "nb-test")
    assert set(load_benchmark(out).qrels["2019도1234"]) == {"2020도1", "2020도2", "2020도6, 2020도7(병합)"}


def test_a_benchmark_without_queries_is_an_error(decisions):
    """Stage 08 FINISHED with 0 queries; a benchmark that measures nothing now fails the stage, saying why."""
    alone = decisions[decisions["case_id"] == "2019도1234"]  # a query with no candidate to be relevant
    with pytest.raises(legar.EmptyBenchmark, match="no query survived"):
        legar.build_benchmark(alone, progress=False)


@pytest.mark.slow
def test_notebook_10_with_bm25_alone(decisions, tmp_path):
    """``methods=bm25`` alone failed with ``KeyError: 'category'`` (no method to compare with BM25)."""
    from lexlab.workbench import paths, runner

    built = _build_with_notebook_08(decisions, tmp_path, "bm25-alone")
    assert built.ok, built
    result = runner.run_experiment(paths.REPO / "experiments" / "10_evaluate_retrieval.yaml",
                                   {"benchmark": "bm25-alone", "methods": "bm25", "eval_split": "all",
                                    "bm25_tune": False, "oracle": False, "learning_curve": ""}, progress=False)
    assert result.ok, result.stages[0].error
