"""The ask pipeline: the JSON contract, citations only from verified retrieved articles, the "not found" paths."""
from __future__ import annotations

import pytest
from ask.articles import index

from lexlab.ask.answer import AskConfig, Asker, verified_citations
from lexlab.ask.generators import Generation, Generator
from lexlab.ask.guardrails import NOTICE
from lexlab.ask.not_found import GENERATOR_SAYS_NO, NOT_FOUND_ANSWER
from lexlab.ask.retrieve import Hit, RetrieverConfig, StatuteRetriever
from lexlab.legalsearchlm.retrieval import Retriever, register

CONTRACT = {"id", "question", "found", "answer", "citations", "retrieved", "flags"}


@register("ask_test_fixed")
class FixedRetriever(Retriever):
    """A registry method that returns whatever ids the test planted, existing or not (a plug-in like a hybrid)."""

    planted: list[tuple[str, float]] = []

    def _index(self, texts, records):
        pass

    def _search(self, texts, ks, queries):
        return [list(self.planted) for _ in texts]


class Scripted(Generator):
    name = "scripted"

    def __init__(self, gen: Generation):
        self.gen = gen

    def generate(self, questions, references):
        return [self.gen for _ in questions]


def asker(generator="extractive", threshold=0.0, **cfg) -> Asker:
    idx = index()
    config = AskConfig(threshold=threshold, retriever=RetrieverConfig(**cfg), **({"generator": generator}
                                                                            if isinstance(generator, str) else {}))
    r = StatuteRetriever(idx, config.retriever, progress=False, cache=False)
    return Asker(idx, config, r, None if isinstance(generator, str) else generator, progress=False)


def test_answer_follows_the_json_contract():
    [res] = asker().ask([{"id": 7, "question": "사람을 기망하여 재물을 교부받으면 어떻게 처벌되나요?"}])
    rec = res.record()
    assert set(rec) == CONTRACT and rec["id"] == "7" and rec["found"] is True
    assert rec["citations"] == rec["retrieved"][:1]
    assert rec["citations"][0]["law"] == "형법" and rec["citations"][0]["article"] == "제347조"
    assert set(rec["citations"][0]) == {"law", "article", "title", "score"}
    assert "10년 이하의 징역" in rec["answer"] and rec["answer"].splitlines()[-1] == NOTICE
    assert rec["flags"] == []


def test_a_retrieved_id_outside_the_index_never_reaches_the_answer():
    FixedRetriever.planted = [("형법|349", 9.0), ("형법|999", 8.0), ("형법|347", 7.0)]  # deleted, unknown, real
    [res] = asker(method="ask_test_fixed", law_first=False).ask([{"id": "1", "question": "사기"}])
    assert [h.doc_id for h in res.retrieved] == ["형법|347"]
    assert [c.doc_id for c in res.citations] == ["형법|347"]


def test_deleted_or_nonexistent_citations_are_dropped_even_if_a_hit_claims_them():
    idx = index()
    hits = [Hit("형법|349", "형법", "제349조", "삭제", 3.0, 1), Hit("형법|347", "형법", "제999조", "", 2.0, 2),
            Hit("형법|347", "형법", "제347조", "사기", 1.0, 3)]
    cited, flags = verified_citations(idx, hits, [0, 1, 2, 5])
    assert [c.article for c in cited] == ["제347조"]
    assert any("(deleted)" in f for f in flags) and any("(not in snapshot)" in f for f in flags)
    assert any("index 5" in f for f in flags)


def test_an_answer_whose_citations_all_fail_is_not_found():
    FixedRetriever.planted = [("형법|347", 5.0)]
    a = asker(Scripted(Generation("답", [3])), method="ask_test_fixed", law_first=False)
    [res] = a.ask([{"id": "1", "question": "사기죄의 처벌은?"}])
    assert not res.found and res.citations == [] and "not_found:no_citation" in res.flags


def test_low_confidence_is_not_found_in_plain_korean():
    [res] = asker(threshold=1e9).ask([{"id": "1", "question": "사기죄의 처벌은?"}])
    rec = res.record()
    assert rec["found"] is False and rec["citations"] == [] and rec["retrieved"]
    assert rec["answer"].startswith(NOT_FOUND_ANSWER) and rec["flags"] == ["not_found:low_confidence"]


def test_a_question_about_a_law_the_index_lacks_is_not_found():
    [res] = asker().ask([{"id": "1", "question": "저작권법상 공정이용의 요건은?"}])
    assert not res.found and res.not_found_reason == "unknown_law"


def test_the_generator_can_say_the_references_do_not_answer():
    [res] = asker(Scripted(Generation("", [], answerable=False))).ask([{"id": "1", "question": "사기죄의 처벌은?"}])
    assert not res.found and res.answer.startswith(GENERATOR_SAYS_NO) and res.not_found_reason == "generator_no_answer"


def test_a_generated_number_missing_from_the_cited_article_is_withheld():
    a = asker(Scripted(Generation("사기죄는 15년 이하의 징역에 처한다.", [0])))
    [res] = a.ask([{"id": "1", "question": "사람을 기망하여 재물의 교부를 받으면?"}])
    assert res.found and "number_not_in_citation:15년" in res.flags and "withheld" in res.flags
    assert "15년" not in res.answer and res.answer.startswith("형법 제347조(사기): ")


def test_config_checks():
    with pytest.raises(ValueError, match="k"):
        AskConfig(k=0)
    with pytest.raises(ValueError, match="confidence"):
        AskConfig(confidence="vibes")


def test_an_article_the_question_names_is_retrieved_first():
    [res] = asker().ask([{"id": "1", "question": "도로교통법 제148조의2에서 술에 취한 상태의 운전은?"}])
    assert res.retrieved[0].article == "제148조의2"
    [res] = asker(named_articles_first=False, law_first=False).ask(
        [{"id": "1", "question": "형법 제348조 말고 사람을 기망하여 재물의 교부를 받은 자"}])
    assert res.retrieved[0].article == "제347조"
