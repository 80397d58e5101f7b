"""Factor annotation (offline rules, LLM backend through a duck-typed client) and the paper's grouping."""
from __future__ import annotations

import pandas as pd
import pytest
from fake_llm import ScriptedChatServer

from lexlab.legalsearchlm.bench import legal_factors as factors
from lexlab.legalsearchlm.bench.legal_factors import RuleAnnotator, amount_bucket, amounts, group_by_prefix, groups, stricter_matches


def test_amounts_in_korean_notation():
    assert amounts("합계 금 17,920,000원을 지급하지 아니하였다") == [17_920_000]
    assert amounts("3억 5,000만 원을 편취") == [350_000_000]
    assert amounts("5천만 원") == [50_000_000]
    assert amounts("피해액 12억 원 및 300만 원") == [1_200_000_000, 3_000_000]
    assert amounts("2019. 3. 1. 서울에서") == []
    assert amount_bucket(None) == "없음"
    assert amount_bucket(9_999_999) == "1천만원 미만"
    assert amount_bucket(5e8) == "5억원-50억원"  # 특경법's 5억 line belongs to the upper bracket
    assert amount_bucket(5e9) == "50억원 이상"


def test_rule_annotator_reads_stated_factors():
    ann = RuleAnnotator()
    lone = {"title": "사기", "facts": "피고인은 피해자 공소외 1에게 거짓말하여 이에 속은 피해자로부터 300만 원을 교부받았다."}
    assert ann.annotate(lone) == {"미수": "기수", "공범": "단독", "상습": "비상습", "피해금액": "1천만원 미만",
                                  "피해자수": "1명"}
    gang = {"title": "사기미수", "facts": ("피고인들은 공모하여 상습으로 피해자 공소외 1, 피해자 공소외 2에게 투자금 명목으로 "
                                        "7억 원을 요구하였으나 피해자들이 응하지 않아 미수에 그쳤다.")}
    assert ann.annotate(gang) == {"미수": "미수", "공범": "공범", "상습": "상습", "피해금액": "5억원-50억원",
                                  "피해자수": "2명 이상"}
    # no facts block: the reasoning is read; 형법 제30조 in the applied law marks accomplices
    reasoning_only = {"title": "근로기준법위반", "reasoning": "근로자의 임금을 지급하지 아니하였다.",
                      "applied_law_text": "근로기준법 제109조, 형법 제30조"}
    out = ann.annotate(reasoning_only)
    assert out["공범"] == "공범" and out["피해금액"] == "없음" and out["피해자수"] == "없음"
    assert [f.name for f in ann.factors("사기")] == list(out)


def test_grouping_backs_off_to_shorter_prefixes():
    keys = {
        "a": ("x", "1", "p"), "b": ("x", "1", "p"),   # full key shared
        "c": ("x", "1", "q"),                          # backs off to ("x", "1") with a, b
        "d": ("x", "2", "r"),                          # backs off to ("x",)
        "e": ("y", "3", "s"),                          # nobody shares even "y": ungrouped
    }
    got = group_by_prefix(keys)
    assert got == {"a": ("x", "1", "p"), "b": ("x", "1", "p"), "c": ("x", "1"), "d": ("x",)}
    assert groups(got) == {("x", "1", "p"): ["a", "b"], ("x", "1"): ["c"], ("x",): ["d"]}
    assert group_by_prefix(keys, min_size=3)["a"] == ("x", "1")
    assert group_by_prefix({}) == {}


def test_stricter_matches_per_query():
    cands = {"b": ("x", "1", "p"), "c": ("x", "1", "q"), "d": ("x", "2", "r")}
    assert stricter_matches(("x", "1", "p"), cands) == (3, ["b"])
    assert stricter_matches(("x", "1", "z"), cands) == (2, ["b", "c"])
    assert stricter_matches(("x", "9", "z"), cands) == (1, ["b", "c", "d"])
    assert stricter_matches(("w", "1", "p"), cands) == (0, [])


class CannedClient:
    """Stands in for LLMClient: answers from a table and records what it was asked (no network)."""

    def __init__(self, answer: dict):
        self.answer = answer
        self.asked: list = []

    def complete_json(self, messages, schema_hint=None, validate=None):
        self.asked.append(messages)
        if validate:
            validate(self.answer)
        return dict(self.answer)


def test_llm_annotator_uses_category_lists_and_validates():
    client = CannedClient({"기망수단": "차용·투자 빙자", "피해자유형": "개인", "미수": "기수", "공범": "단독"})
    ann = factors.LLMAnnotator(client=client)
    out = ann.annotate({"title": "사기", "facts": "피고인은 돈을 빌리며 거짓말을 하였다."}, "사기")
    assert list(out) == [f.name for f in factors.schema_for("사기")]
    assert out["기망수단"] == "차용·투자 빙자" and out["상습"] == factors.UNKNOWN
    prompt = client.asked[0][-1]["content"]
    assert "차용·투자 빙자" in prompt and "피고인은 돈을 빌리며" in prompt
    bad = factors.LLMAnnotator(client=CannedClient({"미수": "아마도"}))
    with pytest.raises(ValueError, match="미수"):  # the validate hook the real client re-asks on
        bad.annotate({"facts": "x"}, "사기")


class FailingClient:
    def complete_json(self, messages, schema_hint=None, validate=None):
        from lexlab.models.llm_client import LLMOutputError

        raise LLMOutputError("no valid JSON after 3 attempts")


def test_llm_annotator_skips_and_reports_failures():
    ann = factors.LLMAnnotator(client=FailingClient())
    out = ann.annotate({"facts": "x"}, "절도")
    assert set(out.values()) == {factors.UNKNOWN} and ann.failures == 1
    strict = factors.LLMAnnotator(client=FailingClient(), on_error="raise")
    with pytest.raises(Exception, match="no valid JSON"):
        strict.annotate({"facts": "x"}, "절도")


def test_make_annotator():
    assert factors.make_annotator("none") is None
    assert isinstance(factors.make_annotator("rules"), RuleAnnotator)
    with pytest.raises(ValueError, match="backend"):
        factors.make_annotator("magic")


def test_stricter_qrels_end_to_end():
    """Three same-charge cases; the query shares all generic factors with one, fewer with the other."""
    q = {"case_id": "q", "title": "사기", "facts": "피고인은 공모하여 피해자 공소외 1로부터 3억 원을 편취하였다."}
    a = {"case_id": "a", "title": "사기", "facts": "피고인은 공모하여 피해자 공소외 1로부터 2억 원을 편취하였다."}
    b = {"case_id": "b", "title": "사기", "facts": "피고인은 단독으로 피해자 공소외 1로부터 100만 원을 편취하였다."}
    decisions = pd.DataFrame([q, a, b])
    queries = pd.DataFrame([{"id": "q", "category": "사기", "charge": "사기"}])
    corpus = pd.DataFrame([{"id": i, "charges": ("사기",)} for i in "qab"])
    qrels = {"q": {"a": 1, "b": 1}}
    strict, stats = factors.stricter_qrels(queries, corpus, qrels, decisions, RuleAnnotator(), progress=False)
    assert strict == {"q": {"a": 1}}
    assert stats["stricter_queries"] == 1 and stats["stricter_groups"] >= 1


def test_llm_annotator_through_the_cached_client(tmp_path, monkeypatch):
    """Real LLMClient over HTTP: an out-of-list option is re-asked, and a second build pays nothing."""
    monkeypatch.setenv("LEXLAB_FACTOR_TEST_KEY", "sk-test")
    bad = '{"미수": "아마도"}'
    good = '{"수법": "침입절도", "특수절도": "있음", "미수": "기수", "공범": "공범"}'
    case = {"title": "특수절도", "facts": "피고인들은 합동하여 야간에 피해자의 집에 침입하여 현금 50만 원을 절취하였다."}
    with ScriptedChatServer([(200, bad)], default=good) as server:
        def make():
            return factors.make_annotator("llm", base_url=server.base_url, model="fake", backoff_s=0.01,
                                          api_key_env="LEXLAB_FACTOR_TEST_KEY", cache_dir=tmp_path / "cache")
        first = make().annotate(case, "절도")
        assert first["수법"] == "침입절도" and first["공범"] == "공범" and first["상습"] == factors.UNKNOWN
        assert len(server.requests) == 2  # the invalid answer was re-asked once
        again = make().annotate(case, "절도")
        assert again == first and len(server.requests) == 2  # answered from the disk cache
