"""Evaluating an API-served model: against a real HTTP server on 127.0.0.1 speaking Chat Completions (no mocks),
first through the library, then under `lexlab run` (stage 06 beside a local model, twice, then stage 07)."""
from __future__ import annotations

import json

import mlflow
import pytest
import yaml
from fake_llm import FakeChatServer
from mlflow.tracking import MlflowClient

from lexlab.legalmidm import api_eval
from lexlab.legalmidm.compare import descendants
from lexlab.legalmidm.evaluate import GenerationSettings
from lexlab.legalmidm.tasks import Example
from lexlab.workbench import paths, runner

OPTIONS = ["사기", "절도", "횡령", "배임"]


@pytest.mark.parametrize("answer, expected", [
    ("2", 1), (" 2번", 1), ("(3)", 2), ("정답: 4", 3), ("1. 사기", 0), ("2. 절도.", 1),
    ("사기", None), ("1. 절도", None), ("5", None), ("2 또는 3", None), ("", None), ("정답은 2번입니다", None),
])
def test_parse_label_is_strict(answer, expected):
    assert api_eval.parse_label(answer, OPTIONS) == expected


def fake_model(body: dict) -> tuple[int, str]:
    """The "model": MC asked about 사기 → "1"; other MC → prose (unparseable); generation → an echo."""
    user = body["messages"][-1]["content"]
    if "선택지:" in user:
        return 200, "1" if "사기" in user.split("선택지:")[0] else "잘 모르겠습니다"
    return 200, "답: " + user[:12]


def examples() -> dict[str, list[Example]]:
    mc = [Example(id=f"m{i}", task="mc_title", prompt=p, options=OPTIONS, label=lab)
          for i, (p, lab) in enumerate([("사기 조문", 0), ("사기 조문 둘", 1), ("절도 조문", 1)])]
    gen = [Example(id=f"g{i}", task="qa_statute", prompt=f"질문 {i}은 무엇인가?", reference=f"답: 질문 {i}은 무엇인가?")
           for i in range(3)]
    ppl = [Example(id="p", task="general_ppl", text="일반 텍스트")]
    return {"mc_title": mc, "qa_statute": gen, "general_ppl": ppl}


def test_api_model_is_scored_and_second_run_is_served_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXLAB_TEST_KEY", "sk-local")
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path))  # the client's cache lives under work/cache/llm
    with FakeChatServer(fake_model) as srv:
        def run():
            model = api_eval.api_model("openai:fake-7b", srv.base_url, "LEXLAB_TEST_KEY", max_concurrency=2,
                                       max_new_tokens=16, price_per_mtok=(1.0, 2.0))
            model.client.cache_dir = tmp_path / "cache"
            return api_eval.evaluate_api_model(model, examples(), GenerationSettings(), "법률 전문가로서 답하라.",
                                               n_boot=50)
        first = run()
        assert len(srv.requests) == 6
        second = run()
        assert len(srv.requests) == 6  # nothing new was asked
    m = first.metrics
    assert m["mc_title.acc_gen"] == pytest.approx(1 / 3)  # "1" is right for m0, wrong for m1; m2 unparseable
    assert m["mc_title.unparsed"] == 1 and m["mc_title.failed_requests"] == 0
    assert m["qa_statute.rougeL_char"] == pytest.approx(1.0)  # the echo equals the reference
    assert first.primary == {"mc_title": "mc_title.acc_gen", "qa_statute": "qa_statute.rougeL_char"}
    assert "general_ppl" in first.skipped and "log-probabilities" in first.skipped["general_ppl"]
    assert m["llm.requests"] == 6 and m["llm.cache_hits"] == 0 and m["llm.prompt_tokens"] == 6
    assert m["llm.cost_usd"] == pytest.approx((6 * 1.0 + 6 * 2.0) / 1e6) and m["llm.latency_s"] > 0
    assert second.metrics["llm.requests"] == 0 and second.metrics["llm.cache_hits"] == 6
    assert {k: v for k, v in second.metrics.items() if not k.startswith("llm.")} == {
        k: v for k, v in m.items() if not k.startswith("llm.")}
    sent = srv.requests[0]
    assert sent["messages"][0] == {"role": "system", "content": "법률 전문가로서 답하라."}
    assert sent["temperature"] == 0 and sent["max_tokens"] == 16 and "response_format" not in sent


def test_api_model_needs_its_prefix_and_a_price_pair():
    with pytest.raises(ValueError, match="openai:<model-name>"):
        api_eval.api_model("openai:")
    with pytest.raises(ValueError, match="price_per_mtok"):
        api_eval.api_model("openai:x", price_per_mtok=[1.0])


# ------------------------------------------------------------------------------------------------ lexlab run

def write_law(root, n_articles: int = 80) -> None:
    """A statute package with enough articles that the test split has multiple-choice questions."""
    law = root / "law_api" / "topic"
    law.mkdir(parents=True)
    body = [f"### 제{i}조(항목{i}의 기준)\n항목{i}에 관한 기준은 대통령령으로 정하는 바에 따라 시행한다.\n"
            for i in range(1, n_articles + 1)]
    law.joinpath("가상법.md").write_text(
        "---\n제목: 가상법\n법령구분: 법률\n---\n\n# 가상법\n\n" + "\n".join(body), encoding="utf-8")


@pytest.fixture(scope="module")
def snapshot_and_local_model(tmp_path_factory):
    from lexlab.data.snapshot import build_snapshot
    from lexlab.data.sources import StatutesSource
    from lexlab.models import hf

    root = tmp_path_factory.mktemp("api_run")
    write_law(root)
    build_snapshot(root / "snap", [StatutesSource(root / "law_api")], version="v1", progress=False)
    tok = hf.train_tokenizer(["가상법 항목 기준 대통령령 시행 조문 제목"] * 20, vocab_size=300)
    model = hf.build_model("tiny", tok, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                           num_attention_heads=2, num_key_value_heads=2)
    model.save_pretrained(root / "local")
    tok.save_pretrained(root / "local")
    return root


@pytest.mark.slow
def test_lexlab_run_evaluates_api_model_beside_a_local_one_and_compares(snapshot_and_local_model, monkeypatch):
    root = snapshot_and_local_model
    monkeypatch.setenv("LEXLAB_TEST_KEY", "sk-local")
    with FakeChatServer(fake_model) as srv:
        spec = {"name": "api_eval", "experiment": "lexlab_api_test", "stages": [
            {"name": "evaluate", "notebook": str(paths.REPO / "notebooks/06_evaluate.ipynb"), "params": {
                "models": [{"name": "api_fake", "path": "openai:fake-7b", "base_url": srv.base_url},
                           {"name": "local_tiny", "path": str(root / "local")}],
                "api_key_env": "LEXLAB_TEST_KEY", "tasks": "mc_title,qa_statute,general_ppl", "n_per_task": 4,
                "snapshot": str(root / "snap" / "v1"), "baselines": "extractive", "max_new_tokens": 8,
                "n_boot": 20}},
            {"name": "compare", "notebook": str(paths.REPO / "notebooks/07_compare.ipynb"),
             "params": {"ablations": [], "experiment": "lexlab_api_test"}}]}
        path = root / "api_eval.yaml"
        path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        first = runner.run_experiment(path, progress=False)
        assert first.ok, [s.error for s in first.stages]
        n_requests = len(srv.requests)
        assert n_requests > 0
        second = runner.run_experiment(path, progress=False)
        assert second.ok, [s.error for s in second.stages]
        assert len(srv.requests) == n_requests  # the second run was answered from the cache
    raw = mlflow.search_runs(experiment_names=["lexlab_api_test"])
    runs = []
    for res in (first, second):
        under = raw[raw["run_id"].isin(descendants(raw, res.parent_run_id)) & raw["tags.lexlab.eval_variant"].notna()]
        runs.append({r["tags.lexlab.eval_variant"]: r for _, r in under.iterrows()})
    api1, api2 = runs[0]["api_fake"], runs[1]["api_fake"]
    for name in ("mc_title.acc_gen", "mc_title.unparsed", "qa_statute.rougeL_char", "avg.score", "llm.requests"):
        assert api1[f"metrics.{name}"] == api1[f"metrics.{name}"]  # logged, not NaN
    assert api1["metrics.llm.requests"] == n_requests and api2["metrics.llm.cache_hits"] == n_requests
    assert api2["metrics.llm.requests"] == 0
    assert api1["params.llm_model"] == "fake-7b" and "sk-local" not in json.dumps(api1.astype(str).to_dict())
    local = runs[0]["local_tiny"]
    assert local["metrics.mc_title.acc_norm"] == local["metrics.mc_title.acc_norm"]
    # stage 07 puts the API variant in the per-task table beside the local one
    compare_run = second.stages[1].run_id
    table_path = mlflow.artifacts.download_artifacts(run_id=compare_run, artifact_path="compare/per_task.json")
    table = json.loads(open(table_path, encoding="utf-8").read())
    rows = [dict(zip(table["columns"], row)) for row in table["data"]]
    assert any(r["variant"] == "api_fake" and r["metric"] == "mc_title.acc_gen" for r in rows)
    assert any(r["variant"] == "local_tiny" and r["metric"] == "mc_title.acc_norm" for r in rows)
    assert any(r["variant"] == "api_fake" and r["metric"] == "qa_statute.rougeL_char" for r in rows)
    assert MlflowClient().get_run(compare_run).info.status == "FINISHED"
    stage = mlflow.get_run(first.stages[0].run_id).data
    ran = stage.tags["lexlab.tasks_run"].split(",")  # general_ppl has no text in this snapshot: not counted as run
    assert stage.metrics["n_tasks_run"] == len(ran) and {"mc_title", "qa_statute"} <= set(ran)
    assert api1["tags.lexlab.avg_tasks"] == "mc_title,qa_statute"  # the same tasks for both models
    assert "metrics.mc_title.acc_gen.ci_low" not in api1 or api1["metrics.mc_title.acc_gen.ci_low"] != \
        api1["metrics.mc_title.acc_gen.ci_low"]  # an interval is a param, not a one-bar chart
    assert float(api1["params.mc_title.acc_gen.ci_low"]) <= api1["metrics.mc_title.acc_gen"]
