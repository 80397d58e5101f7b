"""Notebook 15 end to end at a tiny size: hand-written decisions, a tiny local model (built from a config: it
exercises the model path, its numbers mean nothing), the judge behind the fake OpenAI-compatible server, human
labels from JSONL; then the same run with no endpoint, which must still give the reference checks and CaseHOLD."""
from __future__ import annotations

import json

import mlflow
import pytest
import yaml

from fake_llm import FakeChatServer
from judging.decisions import build
from judging.fake_judge import longer_wins
from lexlab.workbench import paths, runner
from testdata import FIXTURES


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from lexlab.models import hf

    root = tmp_path_factory.mktemp("judge_nb")
    snap = build(root)
    tok = hf.train_tokenizer(["사기죄 횡령죄 기망행위 법리 원심 판결 상고이유"] * 20, vocab_size=300)
    model = hf.build_model("tiny", tok, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                           num_attention_heads=2, num_key_value_heads=2)
    model.save_pretrained(root / "local")
    tok.save_pretrained(root / "local")
    return root, snap


def _run(root, params):
    spec = {"name": "judge_test", "experiment": "lexlab_judge_test", "stages": [
        {"name": "judge", "notebook": str(paths.REPO / "notebooks/15_judge.ipynb"), "params": params}]}
    path = root / "judge.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    result = runner.run_experiment(path, progress=False, rerun=True)
    assert result.ok, [s.error for s in result.stages]
    return mlflow.get_run(result.stages[0].run_id)


def _table(run, name):
    path = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path=f"judge/{name}.json")
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    return [dict(zip(raw["columns"], row)) for row in raw["data"]]


@pytest.mark.slow
def test_the_stage_judges_checks_and_builds_casehold_with_a_fake_endpoint(setup, monkeypatch):
    root, snap = setup
    monkeypatch.setenv("JUDGE_NB_KEY", "sk-local")
    with FakeChatServer(longer_wins) as srv:
        run = _run(root, {"snapshot": str(snap), "models": [str(root / "local")], "api_models": ["judge-model"],
                          "judge": "on", "judge_base_url": srv.base_url, "judge_key_env": "JUDGE_NB_KEY",
                          "judge_model": "judge-model", "human_labels": str(FIXTURES / "judging" / "labels.jsonl"),
                          "max_new_tokens": 8})
    m, p = run.data.metrics, run.data.params
    assert p["candidates"] == f"lead,cited,model:{root / 'local'},api:judge-model"
    assert m["casehold.items"] == 4 and m["casehold.dropped_leak"] == 1
    assert m["judge.requests"] > 0 and "sk-local" not in json.dumps(p)
    assert m["bias.self_pairs"] == 3 * 5  # api:judge-model against each other candidate on 5 decisions
    assert m["bias.order_disagreement_rate"] == 0.0  # the fake judge reads content, not slots
    assert {r["variant"] for r in _table(run, "rubric_scores")} == {"lead", "cited", f"model:{root / 'local'}",
                                                                    "api:judge-model"}
    agree = _table(run, "agreement")
    assert {(r["a"], r["b"], r["kind"]) for r in agree} >= {("judge", "kim", "pairwise"), ("kim", "lee", "pairwise"),
                                                            ("kim", "lee", "rubric")}
    acc = {r["system"]: r["accuracy"] for r in _table(run, "casehold_accuracy")}
    assert acc["chance"] == pytest.approx(0.2) and f"model:{root / 'local'}" in acc
    assert "headline.casehold_items" in m


@pytest.mark.slow
def test_without_an_endpoint_the_judge_is_skipped_with_a_note(setup, monkeypatch):
    root, snap = setup
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    run = _run(root, {"snapshot": str(snap), "models": [], "casehold_max_items": 2})
    assert "judge skipped" in run.data.tags["lexlab.judge"]
    assert "lead.holding_coverage" in run.data.metrics and run.data.metrics["casehold.items"] == 2
    assert not any(k.startswith("judge.") for k in run.data.metrics)
