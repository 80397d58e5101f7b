"""The judge path against the fake OpenAI-compatible server (real openai client over HTTP): pointwise grades are
validated against the rubric, pairs are asked in both orders and combined, a re-run is answered from the cache."""
from __future__ import annotations

import json

import pytest

from fake_llm import FakeChatServer
from judging.fake_judge import answers as _answers, longer_wins
from lexlab.judging import bias, llm_judge
from lexlab.judging.rubric import load_rubric
from lexlab.models.llm_client import LLMClient

RUBRIC = load_rubric("case_summary")


@pytest.mark.parametrize("ab, ba, winner, consistent", [
    ("A", "B", "x", True),    # x first won, x second won: x
    ("B", "A", "y", True),
    ("A", "A", "tie", False),  # the judge picked the first slot both times: a tie, not a win for x
    ("B", "B", "tie", False),
    ("tie", "tie", "tie", True),
    ("A", "tie", "tie", False),
])
def test_both_orders_combine_and_disagreement_is_a_tie(ab, ba, winner, consistent):
    assert llm_judge.combine_orders(ab, ba, "x", "y") == (winner, consistent)


def first_slot(body: dict) -> tuple[int, str]:
    """A judge that always picks answer A: pure position bias."""
    return 200, json.dumps({"winner": "A", "reason": "첫 번째가 낫다"})


def _client(server, tmp_path, monkeypatch) -> LLMClient:
    monkeypatch.setenv("JUDGE_TEST_KEY", "sk-test")
    return LLMClient(base_url=server.base_url, model="judge-model", api_key_env="JUDGE_TEST_KEY",
                     cache_dir=tmp_path / "cache", backoff_s=0.0)


PAIRS = [{"item_id": f"i{n}", "source": f"이유 {n}", "x": "short", "y": "long", "text_x": "짧은 요약.",
          "text_y": "판결요지의 법리를 요건과 예외까지 모두 담은 긴 요약이다."} for n in range(3)]


def test_pointwise_grades_keep_scores_and_reasons_and_rerun_costs_nothing(tmp_path, monkeypatch):
    items = [{"item_id": "i1", "variant": "v", "source": "이유", "text": "판결요지의 법리를 요건과 예외까지 모두 담은 요약."},
             {"item_id": "i2", "variant": "v", "source": "이유", "text": "짧다."}]
    with FakeChatServer(longer_wins) as server:
        client = _client(server, tmp_path, monkeypatch)
        rows = llm_judge.grade(client, RUBRIC, items)
        assert [r["holding_stated"] for r in rows] == [4, 2] and rows[0]["reason.neutral_tone"] == "길이로 판단"
        assert server.auth[0] == "Bearer sk-test" and len(server.requests) == 2
        again = llm_judge.grade(_client(server, tmp_path, monkeypatch), RUBRIC, items)
        assert again == rows and len(server.requests) == 2  # answered from the cache: no request paid twice


def test_an_out_of_scale_grade_is_reasked_then_reported_as_the_items_error(tmp_path, monkeypatch):
    bad = json.dumps({"scores": {n: 9 for n in RUBRIC.names}, "reasons": {n: "?" for n in RUBRIC.names}})
    with FakeChatServer(lambda body: (200, bad)) as server:
        client = _client(server, tmp_path, monkeypatch)
        client.json_retries = 1
        rows = llm_judge.grade(client, RUBRIC, [{"item_id": "i", "variant": "v", "source": "s", "text": "t"}])
        assert "less than or equal to 4" in rows[0]["error"] and len(server.requests) == 2


def test_pairs_are_asked_in_both_orders_and_a_consistent_judge_is_seen_as_length_biased(tmp_path, monkeypatch):
    with FakeChatServer(longer_wins) as server:
        verdicts = llm_judge.compare(_client(server, tmp_path, monkeypatch), RUBRIC, PAIRS)
        firsts = [_answers(b)[0] for b in server.requests]
    assert len(firsts) == 6 and firsts.count(PAIRS[0]["text_x"]) == firsts.count(PAIRS[0]["text_y"]) == 3
    assert [(v.ab, v.ba, v.winner, v.consistent) for v in verdicts] == [("B", "A", "long", True)] * 3
    assert verdicts[0].reason_ab == "더 자세하다"
    pos = bias.position_bias(verdicts)
    assert pos["first_slot_win_rate"] == 0.5 and pos["order_disagreement_rate"] == 0.0
    texts = {(p["item_id"], p["x"]): p["text_x"] for p in PAIRS} | {(p["item_id"], p["y"]): p["text_y"] for p in PAIRS}
    assert bias.length_bias(verdicts + [llm_judge.PairVerdict("i9", "long", "short", "A", "B", "long", True)],
                            texts | {("i9", "long"): "아주 긴 답안입니다 정말로", ("i9", "short"): "짧음"}) > 0.9


def test_a_judge_that_always_picks_the_first_slot_yields_only_ties(tmp_path, monkeypatch):
    with FakeChatServer(first_slot) as server:
        verdicts = llm_judge.compare(_client(server, tmp_path, monkeypatch), RUBRIC, PAIRS)
    assert {v.winner for v in verdicts} == {"tie"}
    pos = bias.position_bias(verdicts)
    assert pos["first_slot_win_rate"] == 1.0 and pos["order_disagreement_rate"] == 1.0


def test_self_preference_is_reported_beside_the_humans_rate():
    v = llm_judge.PairVerdict
    verdicts = [v("i1", "api:judge", "lead", "A", "B", "api:judge", True),
                v("i2", "api:judge", "lead", "A", "B", "api:judge", True),
                v("i3", "lead", "api:judge", "A", "B", "tie", False),
                v("i4", "lead", "cited", "A", "B", "lead", True)]  # no own candidate: not counted
    human = {("i1", "api:judge", "lead"): "lead", ("i2", "api:judge", "lead"): "api:judge"}
    out = bias.self_preference(verdicts, {"api:judge"}, human)
    assert out == {"self_win_rate": pytest.approx(2.5 / 3), "human_win_rate": 0.5, "self_pairs": 3.0}


def test_no_endpoint_means_no_judge_with_a_note(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    ok, note = llm_judge.endpoint_configured("", "OPENAI_API_KEY")
    assert not ok and "judge skipped" in note
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    ok, note = llm_judge.endpoint_configured("http://127.0.0.1:1/v1", "NO_SUCH_KEY_VAR")
    assert not ok and "NO_SUCH_KEY_VAR" in note
