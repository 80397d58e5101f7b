"""Generators: extractive picks the relevant paragraph; model-backed ones read Q+Ref⇒A and can only cite what
they were given (an OpenAI-compatible fake server, a tiny randomly initialised model)."""
from __future__ import annotations

import json

import pytest
from fake_llm import FakeChatServer, ScriptedChatServer

from lexlab.ask.answer import AskConfig, Asker
from lexlab.ask.generators import Reference, get_generator, mentioned, qref_messages
from lexlab.ask.generators.extractive import best_paragraph
from lexlab.ask.retrieve import StatuteRetriever
from lexlab.legalmidm.formats import QUESTION_HEADER, REF_INPUT_HEADER
from ask.articles import ROWS, index

SAGI = Reference("형법|347", "형법", "제347조", "사기", ROWS[0]["text"], ROWS[0]["paragraphs"])
JUNSAGI = Reference("형법|348", "형법", "제348조", "준사기", ROWS[1]["text"])


def test_extractive_quotes_the_most_relevant_paragraph_of_the_first_reference():
    assert best_paragraph("제삼자로 하여금 재물의 교부를 받게 한 때", SAGI).startswith("②")
    [gen] = get_generator("extractive").generate(["기망하여 재물을 교부받은 자의 처벌"], [[SAGI, JUNSAGI]])
    assert gen.used == [0] and gen.answer.startswith("형법 제347조(사기): ①")


def test_model_prompt_is_the_ref_in_input_format_with_numbered_references():
    msgs = qref_messages("사기죄의 처벌은?", [SAGI, JUNSAGI], system="S")
    assert [m["role"] for m in msgs] == ["system", "user"]
    user = msgs[1]["content"]
    assert user.startswith(REF_INPUT_HEADER + "[1] 형법 제347조(사기)") and "[2] 형법 제348조(준사기)" in user
    assert user.endswith(QUESTION_HEADER + "사기죄의 처벌은?")


def test_mentioned_finds_the_articles_an_answer_names():
    assert mentioned("형법 제348조에 따라 처벌된다", [SAGI, JUNSAGI]) == [1]
    assert mentioned("근거 없음", [SAGI]) == []


def _openai(monkeypatch, tmp_path, srv):
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    return get_generator("openai:fake-model", base_url=srv.base_url, cache_dir=tmp_path, max_retries=0,
                         backoff_s=0)


def test_openai_cites_by_reference_number_only(monkeypatch, tmp_path):
    reply = {"answerable": True, "answer": "준사기로 10년 이하의 징역에 처한다.", "references": [2, 9, "x"]}
    with ScriptedChatServer(default=json.dumps(reply, ensure_ascii=False)) as srv:
        [gen] = _openai(monkeypatch, tmp_path, srv).generate(["심신장애를 이용한 사기"], [[SAGI, JUNSAGI]])
        sent = srv.requests[0]["messages"]
    assert gen.used == [1] and gen.answerable  # 9 and "x" are not references it was given
    assert "[2] 형법 제348조(준사기)" in sent[-1]["content"] and "JSON" in sent[0]["content"]


def test_openai_answer_through_the_pipeline_is_verified_and_guarded(monkeypatch, tmp_path):
    replies = {"기망": {"answerable": True, "answer": "10년 이하의 징역 또는 3천만원 이하의 벌금", "references": [1]},
               "날씨": {"answerable": False, "answer": "", "references": []}}

    def reply(body):
        q = body["messages"][-1]["content"].split(QUESTION_HEADER)[-1]
        return 200, json.dumps(next(v for k, v in replies.items() if k in q), ensure_ascii=False)

    idx = index()
    with FakeChatServer(reply) as srv:
        gen = _openai(monkeypatch, tmp_path, srv)
        config = AskConfig(threshold=0.0)
        asker = Asker(idx, config, StatuteRetriever(idx, config.retriever, progress=False, cache=False), gen,
                      progress=False)
        a, b = asker.ask([{"id": "a", "question": "사람을 기망하여 재물을 교부받으면?"},
                          {"id": "b", "question": "재물 날씨"}])
    assert a.found and [c.article for c in a.citations] == ["제347조"]
    assert "number_not_in_citation:30000000원" in a.flags and "withheld" in a.flags  # 3천만원 is invented
    assert not b.found and b.not_found_reason == "generator_no_answer"


def test_unknown_generator_specs_fail_clearly():
    with pytest.raises(ValueError, match="model name"):
        get_generator("openai:")
    with pytest.raises(ValueError, match="empty"):
        get_generator("")


def test_hf_generator_answers_from_a_saved_tiny_model(tmp_path):
    from lexlab.models.hf import build_model, train_tokenizer

    tok = train_tokenizer([r["text"] for r in ROWS] * 20 + ["질문 답변 참고 조문"] * 20, vocab_size=300,
                          min_frequency=1)
    model = build_model("tiny", tok, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                        num_attention_heads=2, num_key_value_heads=2)
    model.save_pretrained(tmp_path / "m")
    tok.save_pretrained(tmp_path / "m")
    gen = get_generator(str(tmp_path / "m"), max_new_tokens=4)
    [out] = gen.generate(["사기죄의 처벌은?"], [[SAGI]])
    assert isinstance(out.answer, str) and out.used in ([0], [])  # random weights: any text, but only given refs
    assert gen.params()["generator"] == str(tmp_path / "m")
