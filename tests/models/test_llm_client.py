"""LLMClient against a real HTTP server on 127.0.0.1 speaking the Chat Completions protocol (no client mocks)."""
from __future__ import annotations

import json

import pytest
from fake_llm import ScriptedChatServer

from lexlab.models.llm_client import LLMClient, LLMConfigError, LLMError, LLMOutputError, parse_json_object

SECRET = "sk-test-DO-NOT-LEAK-1234567890"


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv("LEXLAB_TEST_KEY", SECRET)
    return "LEXLAB_TEST_KEY"


def make_client(server, tmp_path, key_env, **kw):
    kw.setdefault("backoff_s", 0.01)
    return LLMClient(base_url=server.base_url, model="fake-model", api_key_env=key_env,
                     cache_dir=tmp_path / "cache", **kw)


MSGS = [{"role": "user", "content": "형법 제347조에 대한 질문을 JSON으로 만들어 주세요."}]


def test_json_answer_is_parsed_and_request_asks_for_json_object(tmp_path, key_env):
    with ScriptedChatServer([(200, '{"question": "Q?", "answer": "A."}')]) as srv:
        client = make_client(srv, tmp_path, key_env)
        out = client.complete_json(MSGS, schema_hint={"question": str, "answer": str})
    assert out == {"question": "Q?", "answer": "A."}
    sent = srv.requests[0]
    assert sent["model"] == "fake-model"
    assert sent["response_format"] == {"type": "json_object"}
    assert sent["messages"][-1]["content"] == MSGS[0]["content"]
    assert srv.auth == [f"Bearer {SECRET}"]  # the key came from the environment variable


def test_retries_server_errors_then_invalid_json(tmp_path, key_env):
    plan = [(500, ""), (503, ""), (200, "this is not json"), (200, '{"question": 3}'),
            (200, '{"question": "Q", "answer": "A"}')]
    with ScriptedChatServer(plan) as srv:
        client = make_client(srv, tmp_path, key_env, max_retries=3, json_retries=3)
        out = client.complete_json(MSGS, schema_hint={"question": str, "answer": str})
    assert out == {"question": "Q", "answer": "A"}
    assert len(srv.requests) == 5  # 2 transport retries inside the first request, then 2 re-asks
    stats = client.stats
    assert stats["requests"] == 3 and stats["invalid_answers"] == 2 and stats["cache_hits"] == 0


def test_gives_up_with_clear_errors(tmp_path, key_env):
    with ScriptedChatServer([(200, "nope")] * 3) as srv:
        client = make_client(srv, tmp_path, key_env, json_retries=2)
        with pytest.raises(LLMOutputError, match="no valid JSON object after 3 attempts"):
            client.complete_json(MSGS)
    with ScriptedChatServer([(500, "")] * 5) as srv:
        client = make_client(srv, tmp_path, key_env, max_retries=1)
        with pytest.raises(LLMError, match="failed"):
            client.complete_json(MSGS)
        assert len(srv.requests) == 2  # one try + one retry by the openai client
    assert client.stats["failures"] == 1


def test_cache_second_run_makes_no_request_and_never_stores_the_key(tmp_path, key_env, monkeypatch):
    with ScriptedChatServer(default='{"answer": "같은 답"}') as srv:
        first = make_client(srv, tmp_path, key_env).complete_json(MSGS)
        assert len(srv.requests) == 1
        # A fresh client (a re-run of the notebook) with the key no longer set at all:
        monkeypatch.delenv(key_env)
        again = make_client(srv, tmp_path, key_env)
        assert again.complete_json(MSGS) == first
        assert len(srv.requests) == 1 and again.stats == {
            "calls": 1, "requests": 0, "cache_hits": 1, "invalid_answers": 0, "failures": 0}
        # A different prompt is a different request: it misses the cache (and now needs the key).
        with pytest.raises(LLMConfigError, match=key_env):
            again.complete_json([{"role": "user", "content": "다른 질문 (JSON)"}])
    files = list((tmp_path / "cache").rglob("*"))
    blobs = [p.read_text(encoding="utf-8") for p in files if p.is_file()]
    assert len(blobs) == 1 and "같은 답" in blobs[0]
    assert not any(SECRET in b for b in blobs)
    assert not [p for p in files if p.name.startswith(".tmp-")]  # temp files were renamed into place
    assert SECRET not in repr(again) and SECRET not in json.dumps(again.params())


def test_cache_key_depends_on_model_and_params(tmp_path, key_env):
    with ScriptedChatServer() as srv:
        a = make_client(srv, tmp_path, key_env)
        b = make_client(srv, tmp_path, key_env, temperature=0.7)
        c = LLMClient(base_url=srv.base_url, model="other", api_key_env=key_env, cache_dir=tmp_path / "cache")
        assert len({a.cache_key(MSGS), b.cache_key(MSGS), c.cache_key(MSGS)}) == 3
        assert a.cache_key(MSGS) == make_client(srv, tmp_path, key_env).cache_key(MSGS)


def test_map_json_in_parallel_keeps_order_and_reports_failures(tmp_path, key_env):
    with ScriptedChatServer(default='{"n": 1}') as srv:
        client = make_client(srv, tmp_path, key_env, json_retries=0)
        batch = [[{"role": "user", "content": f"JSON please {i}"}] for i in range(6)]
        out = client.map_json(batch, schema_hint={"n": int}, workers=3, progress=False)
        assert out == [{"n": 1}] * 6 and len(srv.requests) == 6
        srv.default = '["not an object"]'
        out = client.map_json(batch + [[{"role": "user", "content": "JSON new"}]], workers=3, progress=False)
    assert out[:6] == [{"n": 1}] * 6  # answered from the cache
    assert isinstance(out[6], LLMOutputError) and len(srv.requests) == 7


def test_parse_json_object_tolerates_fences_but_not_garbage():
    assert parse_json_object('```json\n{"a": 1}\n```') == {"a": 1}
    with pytest.raises(LLMOutputError):
        parse_json_object("[1, 2]")
    with pytest.raises(LLMOutputError):
        parse_json_object("no braces here")


def test_json_word_is_added_when_prompt_lacks_it(tmp_path, key_env):
    with ScriptedChatServer() as srv:
        make_client(srv, tmp_path, key_env).complete_json([{"role": "user", "content": "hello"}])
    assert "JSON" in srv.requests[0]["messages"][0]["content"]


def test_json_mode_off_for_servers_without_response_format(tmp_path, key_env):
    with ScriptedChatServer([(200, 'Sure! ```json\n{"answer": "A"}\n```')]) as srv:
        client = make_client(srv, tmp_path, key_env, json_mode=False)
        assert client.complete_json(MSGS, schema_hint={"answer": str}) == {"answer": "A"}
    assert "response_format" not in srv.requests[0]
    assert client.cache_key(MSGS) != make_client(srv, tmp_path, key_env).cache_key(MSGS)
