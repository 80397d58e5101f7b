"""Notebook 10's comparison as functions: query splits, the config, BM25 end to end, scores and metric names."""
from __future__ import annotations

from pathlib import Path

import pytest

from legalsearchlm import cases
from lexlab.legalsearchlm.retrieval.benchmark import (EvaluationConfig, evaluate_methods, metric_prefix, score_runs,
                                                      searchlm_model_dir, split_queries,
                                                      timing_table, write_runs)
from lexlab.workbench import paths
from lexlab.workbench.io import read_trec_run


def _with_splits() -> list[dict]:
    return [{**q, "split": s} for q, s in zip(cases.queries(), ("dev", "test", "test"))]


def test_split_queries_by_split_and_seeded_sample():
    queries = _with_splits()
    dev, test = split_queries(queries, "test")
    assert [q["id"] for q in dev] == ["wage-0"] and [q["id"] for q in test] == ["copy-0", "fraud-0"]
    assert split_queries(queries, "all")[1] == queries
    one = split_queries(queries, "all", max_queries=1, seed=3)[1]
    assert len(one) == 1 and one == split_queries(queries, "all", max_queries=1, seed=3)[1]


def test_bm25_without_options_logs_the_tuned_defaults_it_ran_with():
    from lexlab.legalsearchlm.retrieval.bm25 import DEFAULT_OPTIONS

    docs, queries = cases.corpus(), _with_splits()
    ev = evaluate_methods(docs, [], queries, cases.qrels(docs), EvaluationConfig(methods="bm25", bm25_tune=False))
    assert ev.bm25_options == {**DEFAULT_OPTIONS, "method": "lucene"}


def test_stage_defaults_are_said_once():
    from lexlab.legalsearchlm.retrieval.dense_train import DenseConfig
    from lexlab.legalsearchlm.retrieval.training import default_steps
    from lexlab.legalsearchlm.searchlm.train import SearchLMConfig

    assert EvaluationConfig().dense_steps == DenseConfig.max_steps == default_steps("dense")
    assert default_steps("searchlm") == SearchLMConfig.max_steps
    with pytest.raises(ValueError, match="eval_split must be one of"):
        EvaluationConfig(eval_split="train")
    assert EvaluationConfig(bm25_options='{"k1": 3}').bm25_options == {"k1": 3}


def test_config_reads_comma_lists_and_checks_values():
    c = EvaluationConfig(methods="bm25, searchlm", bm25_tokenizers="word,char2", searchlm_models="a,b,",
                         searchlm_anchor=True)
    assert c.methods == ["bm25", "searchlm"] and c.bm25_tokenizers == ["word", "char2"]
    assert c.searchlm_models == ["a", "b"] and c.searchlm_anchor == "on"
    with pytest.raises(ValueError, match="unknown method"):
        EvaluationConfig(methods="bm25,colbert")
    with pytest.raises(ValueError, match="searchlm_anchor"):
        EvaluationConfig(searchlm_anchor="sometimes")


@pytest.mark.parametrize("tune", [True, False])
def test_bm25_runs_scores_and_timings(tmp_path: Path, tune: bool):
    docs, queries = cases.corpus(), _with_splits()
    qrels = cases.qrels(docs)
    dev, scored = split_queries(queries, "all")
    config = EvaluationConfig(methods="bm25", k=3, bm25_tune=tune, bm25_tokenizers="word,char2",
                              bm25_options={"tokenizer": "char2", "k1": 1.2, "b": 0.75})
    ev = evaluate_methods(docs, dev, scored, qrels, config)
    assert list(ev.runs) == ["bm25"] and (ev.bm25_grid is not None) == tune
    assert set(ev.bm25_options) == {"tokenizer", "k1", "b", "method"}  # what ran, defaults included
    if not tune:
        assert ev.bm25_options == {"tokenizer": "char2", "k1": 1.2, "b": 0.75, "method": "lucene"}
    for qid, hits in ev.runs["bm25"].items():
        assert qid not in [d for d, _ in hits] and len(hits) <= 3
    tables = score_runs(ev.runs, qrels, scored, {q["id"]: q["category"] for q in queries}, k=3)
    assert list(tables["bm25"].columns) == ["n", "P@5", "nDCG@5", "R@5"]
    assert tables["bm25"].loc["ALL", "n"] == 3
    timing = timing_table(ev, tables)
    assert list(timing.columns) == ["tune_s", "train_s", "index_s", "search_s", "P@5"]
    assert (timing.loc["bm25", "tune_s"] > 0) == tune and timing.loc["bm25", "train_s"] == 0.0
    (written,) = write_runs(ev.runs, tmp_path)
    assert written.name == "bm25.trec" and set(read_trec_run(written)) == set(ev.runs["bm25"])


def test_scores_only_the_scored_queries():
    docs, queries = cases.corpus(), _with_splits()
    qrels = cases.qrels(docs)
    run = {"wage-0": [("wage-1", 1.0)], "copy-0": [("wage-1", 1.0)]}
    tables = score_runs({"x": run}, qrels, queries[:1], {}, k=5)
    assert tables["x"].loc["ALL", "n"] == 1 and tables["x"].loc["ALL", "P@5"] == pytest.approx(0.2)


def test_metric_names_stay_as_recorded():
    assert metric_prefix("bm25") == "bm25"
    assert metric_prefix("searchlm+qanchor") == "searchlm_qanchor"
    assert metric_prefix("searchlm[legal_no_fta]+qanchor") == "searchlm_legal_no_fta_qanchor"
    assert metric_prefix("searchlm[legal]") == "searchlm_legal"


def test_searchlm_model_names_resolve_under_work_retrieval(tmp_path: Path):
    final = paths.work_dir("retrieval", "slm-name-test") / "final"
    final.mkdir()
    assert searchlm_model_dir("slm-name-test") == final.resolve()
    assert searchlm_model_dir(str(final)) == final.resolve()
