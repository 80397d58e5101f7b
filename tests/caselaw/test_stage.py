"""Stage 13 as users run it (papermill through the runner) on the toy snapshot, and its config's refusals."""
from __future__ import annotations

import pytest

from lexlab.caselaw.config import CaseOutcomeConfig


def test_config_refuses_what_cannot_run():
    assert CaseOutcomeConfig().retriever_names() == ["bm25", "lancedb"]
    with pytest.raises(ValueError, match="at least one retrieval method"):
        CaseOutcomeConfig(retrievers=" , ")
    with pytest.raises(ValueError, match="split"):
        CaseOutcomeConfig(split="train")
    with pytest.raises(ValueError, match="k"):
        CaseOutcomeConfig(k=0)


@pytest.mark.slow
def test_notebook_13_runs_and_logs_the_table(toy_snapshot):
    import mlflow
    from mlflow.tracking import MlflowClient

    from lexlab.workbench import paths, runner

    result = runner.run_experiment(paths.REPO / "experiments" / "13_case_outcomes.yaml",
                                   {"snapshot": str(toy_snapshot), "k": 3, "run_name": "nb-test"}, progress=False,
                                   rerun=True)
    assert result.ok, result.stages[0].error
    run = mlflow.get_run(result.stages[0].run_id)
    m = run.data.metrics
    assert m["questions.leak_rate"] == 0 and m["questions.asked"] == 4
    for system in ("majority", "instance_majority", "vote_bm25", "vote_lancedb"):
        assert 0 <= m[f"{system}.accuracy"] <= 1
    assert m["vote_bm25.citation_validity"] == 1.0 and m["triplets"] > 0
    assert m["headline.accuracy"] == m["vote_bm25.accuracy"]
    logged = {a.path for a in MlflowClient().list_artifacts(run.info.run_id, "caselaw")}
    assert {"caselaw/answers.vote_bm25.jsonl", "caselaw/triplets.train.jsonl", "caselaw/calibration.png"} <= logged
