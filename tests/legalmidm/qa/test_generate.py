"""Law-QA generation: template kinds, degenerate filtering, the train-split rule, interpretations, and the whole
stage with both backends (openai against a real local HTTP server, not a mock)."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from fake_llm import FakeChatServer

from lexlab.legalmidm.qa import generate as law_qa
from lexlab.data import splits
from lexlab.models.llm_client import LLMClient

LAW = "가상시험법"
SECRET = "sk-law-qa-test-key-0987654321"


def row(no, title, text, law=LAW, deleted=False):
    article = f"제{no.replace('의', '조의')}" + ("" if "의" in no else "조")
    return {"law": law, "article": article, "article_no": no, "title": title, "text": text, "paragraphs": [],
            "deleted": deleted, "law_kind": "법률", "source_path": "fixture"}


PENALTY = row("10", "사기", "① 이용자를 기망하여 가상자산을 교부받은 자는 10년 이하의 징역 또는 5천만원 이하의 벌금에 처한다. "
              "<개정 2025.12.23>\n② 제1항의 미수범은 처벌한다.")
DEFINITION = row("2", "정의", '이 법에서 사용하는 용어의 뜻은 다음과 같다.\n  1. "가상자산"이란 경제적 가치를 지닌 것으로서 '
                 '전자적으로 거래 또는 이전될 수 있는 전자적 증표를 말한다.\n  2. "가상자산사업자"란 다음 각 목의 어느 하나에 '
                 "해당하는 행위를 영업으로 하는 자를 말한다.")
CLOZE = row("6", "보고", "가상자산사업자는 매 분기 종료 후 45일 이내에 거래 현황을 금융위원회에 보고하여야 한다.")
LISTED = row("20", "벌칙", "다음 각 호의 어느 하나에 해당하는 자는 3년 이하의 징역 또는 1억원 이하의 벌금에 처한다.\n"
             "  1. 제6조를 위반하여 보고하지 아니한 자")
DELETED = row("7", "", "삭제 <2024.1.1>", deleted=True)


def test_template_kinds_on_hand_made_articles():
    by_kind = {it["kind"]: it for it in law_qa.template_items(PENALTY)}
    assert set(by_kind) == {"penalty", "number_cloze", "which_article", "title"}
    pen = by_kind["penalty"]
    assert pen["question"] == ("가상시험법 제10조(사기)에 따르면 이용자를 기망하여 가상자산을 교부받은 자는 어떻게 처벌되는가?")
    assert pen["answer"] == "이용자를 기망하여 가상자산을 교부받은 자는 10년 이하의 징역 또는 5천만원 이하의 벌금에 처한다."
    assert "개정" not in pen["reference"] and pen["reference"].startswith("가상시험법 제10조(사기)\n")
    assert pen["citation"] == "가상시험법 제10조" and pen["source"] == "template" and not pen["human"]
    cloze = by_kind["number_cloze"]
    assert cloze["blank"] in ("10년", "5천만원") and "(    )" in cloze["question"]
    assert cloze["blank"] not in cloze["question"].split("\n", 1)[1] and cloze["answer"] == pen["answer"]
    assert by_kind["which_article"]["answer"] == "가상시험법 제10조(사기)"
    assert "기망하여" in by_kind["which_article"]["question"]
    assert by_kind["title"] == {**by_kind["title"], "question": "가상시험법 제10조의 제목은 무엇인가?",
                                "answer": "가상시험법 제10조(사기)"}

    defs = [it for it in law_qa.template_items(DEFINITION) if it["kind"] == "definition"]
    assert [d["term"] for d in defs] == ["가상자산"]  # "다음 각 목" definitions are degenerate: left out
    assert defs[0]["question"] == '가상시험법에서 "가상자산"이란 무엇을 말하는가?'
    assert defs[0]["answer"].startswith('"가상자산"이란 경제적 가치를') and defs[0]["answer"].endswith("말한다.")

    cloze6 = [it for it in law_qa.template_items(CLOZE) if it["kind"] == "number_cloze"]
    assert len(cloze6) == 1 and cloze6[0]["blank"] == "45일"


def test_degenerate_articles_and_clauses_are_skipped():
    assert law_qa.template_items(DELETED) == []
    assert law_qa.template_items(row("8", "삭제", "삭제")) == []
    kinds = [it["kind"] for it in law_qa.template_items(LISTED)]
    assert "penalty" not in kinds  # "다음 각 호의 어느 하나에 해당하는 자는 어떻게…": which 호? not askable
    short_title = law_qa.template_items(row("9", "벌", "이 조는 아주 짧지만 충분한 길이의 본문을 가진다."))
    assert "title" not in [it["kind"] for it in short_title]


def test_template_generation_is_deterministic_and_kind_selectable():
    a = law_qa.template_items(PENALTY, seed=3)
    assert a == law_qa.template_items(PENALTY, seed=3)
    assert len({it["id"] for it in a}) == len(a)
    only = law_qa.template_items(PENALTY, kinds=["title"])
    assert [it["kind"] for it in only] == ["title"]
    with pytest.raises(ValueError, match="unknown template kind"):
        law_qa.template_items(PENALTY, kinds=["riddle"])


def _articles(n=40, law=LAW):
    return [row(str(i), f"조문{i}", f"가상자산사업자는 제{i}호의 업무를 {i}일 이내에 처리하여야 한다.", law=law)
            for i in range(100, 100 + n)]


def _is_train(r):
    return splits.split_of(f"statute:{r['law']}:{r['article_no']}") == "train"


def test_only_train_split_articles_are_used():
    df = pd.DataFrame(_articles(40) + _articles(5, law="다른법"))
    used = law_qa.train_articles(df)
    expected = [r["article_no"] for r in df.to_dict("records") if _is_train(r)]
    assert list(used["article_no"]) == expected and 0 < len(expected) < len(df)
    items, _ = law_qa.generate(df, progress=False)
    assert items and all(_is_train(it) for it in items)
    assert set(law_qa.train_articles(df, laws="다른법")["law"]) == {"다른법"}
    assert len(law_qa.train_articles(df, max_articles=5, seed=1)) == 5
    with pytest.raises(ValueError, match="not in the snapshot"):
        law_qa.train_articles(df, laws=["없는법"])


def test_interpretations_join_as_human_items_from_train_only():
    docs = pd.DataFrame([{"doc_id": f"법령해석_{i}", "title": f"t{i}", "question": "ㅇ\u00a0질의 요지입니다",
                          "answer": "ㅇ 회답 내용입니다.", "reason": "", "related_laws": ["자본시장법 제9조"],
                          "source_path": "fixture"} for i in range(30)])
    items = law_qa.interpretation_items(docs)
    expected = [d for d in docs["doc_id"] if splits.split_of(f"interp:{d}") == "train"]
    assert [it["doc_id"] for it in items] == expected and 0 < len(items) < 30
    it = items[0]
    assert it["question"] == "질의 요지입니다" and it["answer"] == "회답 내용입니다."
    assert it["human"] and it["source"] == "interpretation" and it["reference"] == "자본시장법 제9조"


def _train_rows():
    rows = [r for r in [PENALTY, DEFINITION, CLOZE, LISTED, DELETED] + _articles(30)]
    return pd.DataFrame(rows)


def test_template_stage_writes_accepted_rejected_and_stats(tmp_path):
    df = _train_rows()
    stats = law_qa.run_stage(df, None, tmp_path, backend="template", include_interpretations=False,
                             progress=False, seed=0)
    acc = [json.loads(l) for l in (tmp_path / "accepted.jsonl").read_text(encoding="utf-8").splitlines()]
    rej = [json.loads(l) for l in (tmp_path / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert stats["n_accepted"] == len(acc) > 0 and stats["n_rejected"] == len(rej)
    assert stats["n_items"] == len(acc) + len(rej) == sum(stats["reasons"].values())
    assert all(it["verdict"]["reason"] == "ok" for it in acc)
    assert all(it["verdict"]["reason"] != "ok" for it in rej)
    assert all(_is_train(it) for it in acc + rej)
    assert json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))["n_items"] == stats["n_items"]


def test_stage_selects_articles_once_and_generates_from_them(tmp_path):
    """``generate`` = ``train_articles`` + ``generate_from``; the stage counts the very articles it generated from."""
    df = _train_rows()
    chosen = law_qa.train_articles(df, max_articles=12, seed=2)
    assert law_qa.generate(df, max_articles=12, seed=2, progress=False) == law_qa.generate_from(
        chosen, seed=2, progress=False)
    stats = law_qa.run_stage(df, None, tmp_path, include_interpretations=False, progress=False, seed=2,
                             max_articles=12)
    assert stats["n_articles_used"] == len(chosen) == 12
    items, _ = law_qa.generate_from(chosen, seed=2, progress=False)
    assert stats["n_items"] == len(items)
    with pytest.raises(ValueError, match="unknown backend"):
        law_qa.generate_from(chosen, backend="nope")


def article_answering_model(body: dict) -> tuple[int, str]:
    """The fake "model": answers from the article in the prompt with the first sentence of the body as the
    answer — except that it hallucinates a number for an article containing "벌금", and returns broken JSON for
    one containing "고장"."""
    prompt = body["messages"][-1]["content"]
    heading = re.search(r"^조문: (.+)$", prompt, re.M).group(1)
    text = prompt.split("본문:\n", 1)[1].split("\n\n위 조문", 1)[0]
    first = re.sub(r"^[①-⑳]\s*", "", text.strip().splitlines()[0])
    if "고장" in text:
        return 200, '{"question": "끝나지 않은'
    answer = re.sub(r"\d+년", "99년", first) if "벌금" in text else first
    return 200, json.dumps({"question": f"{heading}은 무엇을 정하는가?", "answer": answer}, ensure_ascii=False)


def _train_no(start):
    """The first article number ≥ start whose statute key falls in train (the fixture must be generated from)."""
    i = start
    while splits.split_of(f"statute:{LAW}:{i}") != "train":
        i += 1
    return str(i)


def test_openai_stage_against_local_server_verifies_and_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("LAWQA_TEST_KEY", SECRET)
    good = [row(_train_no(300 + 10 * k), f"좋은조문{k}", f"가상자산사업자는 {k + 1}개의 장부를 작성하여 보관하여야 한다.")
            for k in range(3)]
    lying = row(_train_no(400), "벌칙", "제1조를 위반한 자는 3년 이하의 징역 또는 1천만원 이하의 벌금에 처한다.")
    broken = row(_train_no(500), "고장", "이 조문은 고장난 응답을 유발하는 충분히 긴 본문을 가진다.")
    df = pd.DataFrame(good + [lying, broken])
    interp = pd.DataFrame([{"doc_id": f"법령해석_{i}", "title": "", "question": f"{i}번 질의합니다",
                            "answer": f"{i}번 질의에 회답합니다.", "reason": "", "related_laws": [], "source_path": "f"}
                           for i in range(1, 6)])
    n_human = len(law_qa.interpretation_items(interp))

    with FakeChatServer(article_answering_model) as srv:
        def client():
            return LLMClient(base_url=srv.base_url, model="fake", api_key_env="LAWQA_TEST_KEY",
                             cache_dir=tmp_path / "cache", json_retries=1, backoff_s=0.01)

        c1 = client()
        stats = law_qa.run_stage(df, interp, tmp_path / "run1", backend="openai", client=c1, progress=False,
                                 workers=2)
        assert stats["reasons"] == {"ok": 3 + n_human, "number_not_in_article": 1, "llm_error": 1}
        assert len(srv.requests) == 3 + 1 + 2  # the broken article was asked twice (one JSON retry)
        rej = {it["verdict"]["reason"]: it for it in
               map(json.loads, (tmp_path / "run1" / "rejected.jsonl").read_text(encoding="utf-8").splitlines())}
        assert "99년" in rej["number_not_in_article"]["verdict"]["detail"]
        assert rej["llm_error"]["citation"] == f"{LAW} {broken['article']}"

        # A re-run answers every valid request from disk; only the never-answered one is asked again.
        c2 = client()
        again = law_qa.run_stage(df, interp, tmp_path / "run2", backend="openai", client=c2, progress=False)
        assert again["reasons"] == stats["reasons"]
        assert c2.stats["cache_hits"] == 4 and len(srv.requests) == 6 + 2

    a1 = (tmp_path / "run1" / "accepted.jsonl").read_text(encoding="utf-8")
    assert a1 == (tmp_path / "run2" / "accepted.jsonl").read_text(encoding="utf-8")
    written = [p.read_text(encoding="utf-8") for p in tmp_path.rglob("*") if p.is_file()]
    assert not any(SECRET in text for text in written)


@pytest.mark.slow
def test_notebook_02_runs_through_the_runner_and_logs(tmp_path):
    """The stage as users run it (papermill via lexlab.workbench.runner) on a two-table snapshot written here."""
    import mlflow
    from mlflow.tracking import MlflowClient

    from lexlab.workbench import paths, runner

    snap = tmp_path / "snap"
    snap.mkdir()
    statutes = _train_rows()
    interp = pd.DataFrame([{"doc_id": f"법령해석_{i}", "title": "", "question": f"{i}번 질의", "answer": f"{i}번 회답입니다.",
                            "reason": "", "related_laws": ["가상시험법 제6조"], "source_path": "f"} for i in range(8)])
    statutes.to_parquet(snap / "statutes.parquet")
    interp.to_parquet(snap / "interpretations.parquet")
    (snap / "manifest.json").write_text(json.dumps({"version": "fixture", "counts": {
        "statutes": len(statutes), "interpretations": len(interp)}}), encoding="utf-8")
    result = runner.run_experiment(paths.REPO / "experiments" / "02_generate_law_qa.yaml",
                                   {"snapshot": str(snap), "run_name": "nb-test", "per_kind": 1}, progress=False)
    assert result.ok, result
    run = mlflow.get_run(result.stages[0].run_id)
    stats = json.loads((paths.work_dir("qa", "nb-test") / "stats.json").read_text(encoding="utf-8"))
    m = run.data.metrics
    assert m["n_accepted"] == stats["n_accepted"] > 0 and m["n_items"] == stats["n_items"]
    assert m["n_interpretation_ok"] == len(law_qa.interpretation_items(interp))
    assert run.data.tags["lexlab.snapshot"] == "fixture" and run.data.params["backend"] == "template"
    # the -p override reached the stage's config (LawQAConfig) and its logged params; defaults are logged too
    assert run.data.params["per_kind"] == "1" and run.data.params["min_containment"] == "0.6"
    logged = {a.path for a in MlflowClient().list_artifacts(run.info.run_id)}
    assert {"stats.json", "rejected.jsonl", "plots"} <= logged


def test_no_accepted_item_fails_with_the_cause_and_keeps_the_rejects(tmp_path, monkeypatch):
    """An endpoint that is down used to end in a KeyError in a pivot table, hiding the connection error."""
    monkeypatch.setenv("LAWQA_TEST_KEY", SECRET)
    df = pd.DataFrame([row(_train_no(300), "조문", "가상자산사업자는 2개의 장부를 작성하여 보관하여야 한다.")])
    down = LLMClient(base_url="http://127.0.0.1:9/v1", model="fake", api_key_env="LAWQA_TEST_KEY",
                     cache_dir=tmp_path / "cache", max_retries=0, backoff_s=0.01, timeout_s=2)
    with pytest.raises(law_qa.NoAcceptedItems) as err:
        law_qa.run_stage(df, None, tmp_path / "out", backend="openai", client=down, progress=False,
                         include_interpretations=False, workers=1)
    assert "no QA item was accepted (llm_error 1); first LLM error:" in str(err.value)
    assert "Connection" in str(err.value)
    assert (tmp_path / "out" / "rejected.jsonl").read_text(encoding="utf-8").count("llm_error") == 1
