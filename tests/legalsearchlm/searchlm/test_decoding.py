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


def test_encoder_decoder_spans_occur(t5, corpus):
    docs, index = corpus
    ids, attn = prompts(n=2)
    results = generate_spans(t5, index, ids, attn, num_beams=4, max_new_tokens=5)
    assert all(spans for spans in results)
    for spans in results:
        for s in spans:
            assert s.count == occurrences(docs, s.tokens) > 0


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
