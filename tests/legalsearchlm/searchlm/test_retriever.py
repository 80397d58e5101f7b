"""The generative retriever's guarantee: every span it produced occurs in the corpus, with its true count."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from legalsearchlm import cases


@pytest.fixture(scope="module")
def slm_model(tmp_path_factory) -> Path:
    from lexlab.legalsearchlm.searchlm.train import SearchLMConfig, train_searchlm

    out = tmp_path_factory.mktemp("slm")
    res = train_searchlm(cases.corpus(), SearchLMConfig(
        out_dir=str(out), max_steps=3, batch_size=4, vocab_size=400, max_input_tokens=48,
        model_config=cases.TINY_LLAMA, progress=False, report_to="none", save_steps=100))
    assert res.extra["pairs"] > 0 and res.extra["targets_not_in_corpus"] == 0
    return out / "final"


def _contains(doc: list[int], span: tuple[int, ...]) -> bool:
    n = len(span)
    return any(tuple(doc[i:i + n]) == span for i in range(len(doc) - n + 1))


@pytest.mark.slow
@pytest.mark.parametrize("first_token_aware", [True, False])
def test_searchlm_spans_occur_in_corpus(slm_model: Path, first_token_aware: bool):
    from lexlab.legalsearchlm.searchlm.elements import normalize_text
    from lexlab.legalsearchlm.searchlm.retriever import SearchLMRetriever

    corpus = cases.corpus()
    r = SearchLMRetriever(model=str(slm_model), num_beams=4, max_new_tokens=4,
                          first_token_aware=first_token_aware, max_input_tokens=48)
    r.index(corpus)
    run = r.search(cases.queries(), k=3)
    tok = r._tok
    docs = [tok(normalize_text(d["text"]), add_special_tokens=False)["input_ids"] for d in corpus]
    n_spans = 0
    for qid, spans in r.last_spans.items():
        for s in spans:
            n_spans += 1
            assert any(_contains(d, s.tokens) for d in docs), f"span {s.text!r} for {qid} occurs in no document"
            # The count used for ranking is the true number of occurrences (brute force over the token ids).
            assert s.count == sum(sum(tuple(d[i:i + len(s.tokens)]) == s.tokens for i in range(len(d)))
                                  for d in docs)
            assert np.isfinite(s.logprob) and s.logprob <= 0
            if first_token_aware:
                assert tok.decode([s.tokens[0]]).startswith(" ")
        # Ranked documents are exactly among those containing a generated span, never the query itself.
        hit_docs = {r.doc_ids[i] for i, d in enumerate(docs) if any(_contains(d, s.tokens) for s in spans)}
        assert {d for d, _ in run[qid]} <= hit_docs - {qid}
    assert n_spans > 0


@pytest.mark.slow
def test_searchlm_query_anchored_spans_start_on_query_words(slm_model: Path):
    from lexlab.legalsearchlm.bench.masking import mask_like_query
    from lexlab.legalsearchlm.searchlm.retriever import SearchLMRetriever

    r = SearchLMRetriever(model=str(slm_model), num_beams=4, max_new_tokens=4, max_input_tokens=48,
                          first_token_from_query=True)
    r.index(cases.corpus())
    r.search(cases.queries(), k=3)
    for q in cases.queries():
        q_ids = set(r._tok(" ".join(mask_like_query(q["text"]).split()), add_special_tokens=False)["input_ids"])
        spans = r.last_spans[q["id"]]
        assert spans and all(s.tokens[0] in q_ids for s in spans)


TINY_T5 = {"d_model": 32, "d_kv": 8, "d_ff": 64, "num_layers": 1, "num_decoder_layers": 1, "num_heads": 2}


@pytest.fixture(scope="module")
def t5_model(tmp_path_factory) -> Path:
    from lexlab.legalsearchlm.searchlm.train import SearchLMConfig, train_searchlm

    out = tmp_path_factory.mktemp("slm_t5")
    res = train_searchlm(cases.corpus(), SearchLMConfig(
        out_dir=str(out), model="tiny-t5", max_steps=3, batch_size=4, vocab_size=400, max_input_tokens=48,
        model_config=TINY_T5, element_pairs=0.5, progress=False, report_to="none", save_steps=100))
    assert res.extra["encoder_decoder"] and res.extra["element_pairs"] > 0 and res.global_step == 3
    assert np.isfinite(res.train_loss)
    return out / "final"


@pytest.mark.slow
def test_tiny_t5_trains_and_its_spans_occur_in_corpus(t5_model: Path):
    from lexlab.legalsearchlm.searchlm.elements import normalize_text
    from lexlab.legalsearchlm.searchlm.retriever import SearchLMRetriever

    corpus = cases.corpus()
    r = SearchLMRetriever(model=str(t5_model), num_beams=4, max_new_tokens=4, max_input_tokens=48, batch_size=2)
    r.index(corpus)
    run = r.search(cases.queries(), k=3)
    assert r._lm.config.is_encoder_decoder
    tok, texts = r._tok, [normalize_text(d["text"]) for d in corpus]
    docs = [tok(t, add_special_tokens=False)["input_ids"] for t in texts]
    n_spans = 0
    for qid, spans in r.last_spans.items():
        for s in spans:
            n_spans += 1
            assert s.count > 0 and s.count == sum(
                sum(tuple(d[i:i + len(s.tokens)]) == s.tokens for i in range(len(d))) for d in docs)
            # the decoded span is corpus text (byte-level BPE may end a span inside a syllable: those bytes decode
            # to U+FFFD, left out here)
            text = s.text.strip().rstrip("\ufffd")
            assert text and any(text in t for t in texts)
            assert np.isfinite(s.logprob) and s.logprob <= 0
            assert tok.decode([s.tokens[0]]).startswith(" ")  # first-token-aware, as for the decoder-only model
        assert all(d != qid for d, _ in run[qid])  # ranking works on them (3 steps: weights may all be 0)
    assert n_spans > 0
