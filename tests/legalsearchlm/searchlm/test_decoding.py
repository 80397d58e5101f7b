"""Constrained beam decoding with tiny randomly initialised models: every span must occur in the corpus."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM, T5Config, T5ForConditionalGeneration

from lexlab.legalsearchlm.searchlm.decoding import FMIndexLogitsProcessor, generate_spans
from lexlab.legalsearchlm.searchlm.fm_index import FMIndex

VOCAB = 96
PAD, BOS, EOS = 0, 1, 2


def occurrences(docs, span):
    k = len(span)
    return sum(1 for d in docs for i in range(len(d) - k + 1) if tuple(d[i:i + k]) == tuple(span))


@pytest.fixture(scope="module")
def corpus():
    rng = np.random.default_rng(0)
    # A small vocabulary slice with repeats, so spans have several continuations and several occurrences.
    docs = [rng.integers(3, 40, rng.integers(4, 40)).tolist() for _ in range(60)]
    return docs, FMIndex.from_documents(docs, vocab_size=VOCAB)


@pytest.fixture(scope="module")
def llama():
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=VOCAB, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                      bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)
    return LlamaForCausalLM(cfg).eval()


@pytest.fixture(scope="module")
def t5():
    torch.manual_seed(0)
    cfg = T5Config(vocab_size=VOCAB, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_decoder_layers=2, num_heads=4,
                   pad_token_id=PAD, eos_token_id=EOS, decoder_start_token_id=PAD)
    return T5ForConditionalGeneration(cfg).eval()


def prompts(n=3, length=9, seed=1):
    rng = np.random.default_rng(seed)
    ids = torch.tensor(rng.integers(3, VOCAB, (n, length)))
    return ids, torch.ones_like(ids)


def teacher_forced_logprob(model, prompt, span):
    with torch.no_grad():
        full = torch.cat([prompt, torch.tensor(span)])[None]
        lp = torch.log_softmax(model(full).logits[0].float(), -1)
    return sum(lp[len(prompt) - 1 + i, t].item() for i, t in enumerate(span))


def test_decoder_only_spans_occur_and_keep_true_logprobs(llama, corpus):
    docs, index = corpus
    ids, attn = prompts()
    results = generate_spans(llama, index, ids, attn, num_beams=5, max_new_tokens=6, length_penalty=0.0)
    assert len(results) == ids.shape[0]
    n_spans = 0
    for b, spans in enumerate(results):
        assert spans, "beam search returned no span"
        for s in spans:
            n_spans += 1
            assert s.count == occurrences(docs, s.tokens) > 0
            assert s.logprob == pytest.approx(teacher_forced_logprob(llama, ids[b], s.tokens), abs=1e-4)
    assert n_spans >= ids.shape[0] * 3


def test_left_padded_batch(llama, corpus):
    docs, index = corpus
    ids, attn = prompts(n=2, length=8)
    ids[0, :3] = PAD
    attn[0, :3] = 0
    for spans in generate_spans(llama, index, ids, attn, num_beams=4, max_new_tokens=5):
        assert spans and all(occurrences(docs, s.tokens) == s.count > 0 for s in spans)


def test_sharded_index_decodes_like_one(llama, corpus):
    docs, index = corpus
    sharded = FMIndex.from_documents(docs, vocab_size=VOCAB, max_shard_tokens=300)
    assert len(sharded.shards) > 2
    ids, attn = prompts(n=2, seed=5)
    one = generate_spans(llama, index, ids, attn, num_beams=4, max_new_tokens=5)
    many = generate_spans(llama, sharded, ids, attn, num_beams=4, max_new_tokens=5)
    assert one == many  # same masks, so the same beams, spans, scores and merged counts


def seq2seq_logprob(model, enc, span):
    """Teacher-forced sum of log-probs of ``span`` from the decoder start token, given encoder input ``enc``."""
    start = model.config.decoder_start_token_id
    with torch.no_grad():
        logits = model(input_ids=enc[None], decoder_input_ids=torch.tensor([[start, *span]])).logits[0]
    lp = torch.log_softmax(logits, -1)
    return sum(lp[i, t].item() for i, t in enumerate(span))


@pytest.mark.parametrize("engine", ["beam", "hf"])
def test_encoder_decoder_spans_occur_and_keep_true_logprobs(t5, corpus, engine):
    docs, index = corpus
    ids, attn = prompts(n=2)
    kw = {"length_penalty": 0.0} if engine == "hf" else {}
    results = generate_spans(t5, index, ids, attn, num_beams=4, max_new_tokens=5, engine=engine, **kw)
    assert all(spans for spans in results)
    for b, spans in enumerate(results):
        for s in spans:
            assert s.count == occurrences(docs, s.tokens) > 0
            assert s.logprob == pytest.approx(seq2seq_logprob(t5, ids[b], s.tokens), abs=1e-4)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_encoder_decoder_beam_engine_agrees_with_generate(t5, corpus, seed):
    _, index = corpus
    ids, attn = prompts(n=2, length=7 + seed % 3, seed=seed)
    attn[0, -2:] = 0  # a right-padded encoder input
    kw = dict(num_beams=5, max_new_tokens=6, first_token_banned=set(range(3, 12)))
    ours = generate_spans(t5, index, ids, attn, engine="beam", **kw)
    theirs = generate_spans(t5, index, ids, attn, engine="hf", length_penalty=0.0, **kw)
    for mine, hf in zip(ours, theirs):
        assert mine and hf and all(s.tokens[0] >= 12 for s in mine)
        assert mine[0].tokens == hf[0].tokens and mine[0].logprob == pytest.approx(hf[0].logprob, abs=1e-4)


def test_first_token_rules_min_length_and_stop_count(llama, corpus):
    docs, index = corpus
    ids, attn = prompts(n=2, seed=3)
    firsts = [d[0] for d in docs] + [d[len(d) // 2] for d in docs]
    allowed = set(sorted(set(firsts))[:6])
    for spans in generate_spans(llama, index, ids, attn, num_beams=6, max_new_tokens=6,
                                first_token_allowed=allowed, min_span_length=2):
        for s in spans:
            assert s.tokens[0] in allowed and len(s.tokens) >= 2 and s.count > 0
    banned = set(range(3, 30))
    for spans in generate_spans(llama, index, ids, attn, num_beams=6, max_new_tokens=6,
                                first_token_banned=banned, stop_count=2):
        for s in spans:
            assert s.tokens[0] not in banned and s.count > 0
            # stop_count: the span was ended as soon as it became rare enough, so no shorter prefix was rare
            assert all(occurrences(docs, s.tokens[:k]) > 2 for k in range(1, len(s.tokens)))


def test_processor_masks_without_renormalising(corpus):
    docs, index = corpus
    prompt = [50, 51]
    span = list(docs[0][:2])
    proc = FMIndexLogitsProcessor(index, prompt_length=2, eos_token_id=EOS, min_span_length=2)
    scores = torch.log_softmax(torch.randn(2, VOCAB + 4), -1)  # model logits may be wider than the vocab
    out = proc(torch.tensor([prompt + span, prompt + [docs[2][0], EOS]]), scores.clone())
    finite = torch.isfinite(out)
    assert torch.equal(out[finite], scores[finite])  # kept entries are untouched log-probs
    assert set(torch.nonzero(finite[0]).flatten().tolist()) == set(index.continuations(span).tolist()) | {EOS}
    assert torch.nonzero(finite[1]).flatten().tolist() == [EOS]  # a finished beam can only repeat EOS
    # one token generated and min_span_length=2: EOS not allowed yet
    out = proc(torch.tensor([prompt + [docs[1][0]]]), scores[:1].clone())
    allowed = set(torch.nonzero(torch.isfinite(out[0])).flatten().tolist())
    assert allowed == set(index.continuations([docs[1][0]]).tolist()) and EOS not in allowed


# -- the hand-written beam search (decoder-only default) against model.generate ----------------------------------

def left_padded(rows):
    n = max(len(r) for r in rows)
    ids = torch.full((len(rows), n), PAD, dtype=torch.long)
    attn = torch.zeros((len(rows), n), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, n - len(r):] = torch.tensor(r)
        attn[i, n - len(r):] = 1
    return ids, attn


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_beam_engine_agrees_with_generate(llama, corpus, seed):
    docs, index = corpus
    ids, attn = prompts(n=2, length=7 + seed % 3, seed=seed)
    kw = dict(num_beams=5, max_new_tokens=6, min_span_length=1)
    ours = generate_spans(llama, index, ids, attn, engine="beam", **kw)
    theirs = generate_spans(llama, index, ids, attn, engine="hf", length_penalty=0.0, **kw)
    for b, (mine, hf) in enumerate(zip(ours, theirs)):
        assert mine and hf
        assert mine[0].tokens == hf[0].tokens and mine[0].logprob == pytest.approx(hf[0].logprob, abs=1e-4)
        hf_lp = {s.tokens: s.logprob for s in hf}
        common = [s for s in mine if s.tokens in hf_lp]
        assert len(common) >= len(hf) // 2
        for s in common:
            assert s.logprob == pytest.approx(hf_lp[s.tokens], abs=1e-4)
        for s in mine:  # in the index, with the model's own log-probs, best first
            assert s.count == occurrences(docs, s.tokens) > 0
            assert s.logprob == pytest.approx(teacher_forced_logprob(llama, ids[b], s.tokens), abs=1e-4)


def test_beam_engine_left_padded_batch_equals_one_at_a_time(llama, corpus):
    docs, index = corpus
    rng = np.random.default_rng(21)
    rows = [rng.integers(3, VOCAB, n).tolist() for n in (5, 11, 8)]
    ids, attn = left_padded(rows)
    kw = dict(num_beams=4, max_new_tokens=5, stop_count=3)
    batched = generate_spans(llama, index, ids, attn, **kw)
    for r, spans in zip(rows, batched):
        alone = generate_spans(llama, index, torch.tensor([r]), torch.ones(1, len(r), dtype=torch.long), **kw)[0]
        assert [s.tokens for s in spans] == [s.tokens for s in alone]
        assert [s.count for s in spans] == [s.count for s in alone]
        for s, a in zip(spans, alone):
            assert s.logprob == pytest.approx(a.logprob, abs=1e-4)
            assert s.logprob == pytest.approx(teacher_forced_logprob(llama, torch.tensor(r), s.tokens), abs=1e-4)


@pytest.mark.parametrize("engine", ["beam", "hf"])
def test_per_row_first_token_allowed(llama, corpus, engine):
    docs, index = corpus
    ids, attn = prompts(n=3, seed=4)
    starts = sorted({d[0] for d in docs})
    per_row = [set(starts[:3]), None, set(starts[3:6])]
    kw = dict(num_beams=4, max_new_tokens=4, engine=engine)
    if engine == "hf":
        kw["length_penalty"] = 0.0
    results = generate_spans(llama, index, ids, attn, first_token_allowed=per_row, **kw)
    for b, spans in enumerate(results):
        assert spans
        if per_row[b] is not None:
            assert all(s.tokens[0] in per_row[b] for s in spans)
        alone = generate_spans(llama, index, ids[b:b + 1], attn[b:b + 1], first_token_allowed=per_row[b], **kw)[0]
        assert [s.tokens for s in spans] == [s.tokens for s in alone]
    unrestricted = generate_spans(llama, index, ids[1:2], attn[1:2], **kw)[0]
    assert [s.tokens for s in results[1]] == [s.tokens for s in unrestricted]


def test_engine_choice_is_checked(llama, t5, corpus):
    _, index = corpus
    ids, attn = prompts(n=1)
    with pytest.raises(TypeError):
        generate_spans(llama, index, ids, attn, num_beams=2, max_new_tokens=2, engine="beam", length_penalty=1.0)
    with pytest.raises(TypeError):
        generate_spans(t5, index, ids, attn, num_beams=2, max_new_tokens=2, engine="beam", length_penalty=1.0)
    with pytest.raises(ValueError):
        generate_spans(llama, index, ids, attn, num_beams=2, max_new_tokens=2, engine="fast")


def test_fewer_return_sequences_are_the_best_ones(llama, corpus):
    _, index = corpus
    ids, attn = prompts(n=3, seed=8)
    full = generate_spans(llama, index, ids, attn, num_beams=6, max_new_tokens=6)
    best2 = generate_spans(llama, index, ids, attn, num_beams=6, max_new_tokens=6, num_return_sequences=2)
    for few, many in zip(best2, full):  # early stopping at 2 hypotheses must not change them
        assert few and [s.tokens for s in few] == [s.tokens for s in many[:len(few)]]


def test_first_token_allowed_as_a_generator(llama, corpus):
    docs, index = corpus
    ids, attn = prompts(n=2, seed=6)
    allowed = sorted({d[0] for d in docs})[:5]
    kw = dict(num_beams=4, max_new_tokens=4)
    as_set = generate_spans(llama, index, ids, attn, first_token_allowed=set(allowed), **kw)
    as_gen = generate_spans(llama, index, ids, attn, first_token_allowed=(t for t in allowed), **kw)
    assert as_set == as_gen and all(s.tokens[0] in allowed for row in as_set for s in row)
