"""Batched inference for evaluation gives what one-at-a-time inference gives, only faster; vLLM is import-guarded."""
from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from lexlab.legalmidm import evaluate
from lexlab.models import generation, hf

TEXTS = ["형법 제347조 사람을 기망하여 재물의 교부를 받은 자는 10년 이하의 징역에 처한다.",
         "금융위원회는 소비자 보호 방안을 논의하였다.", "사기죄의 법정형은 무엇인가?"] * 5


@pytest.fixture(scope="module")
def tiny():
    tok = hf.train_tokenizer(TEXTS, vocab_size=300, min_frequency=1)
    model = hf.build_model("tiny", tok, seed=0, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                           num_attention_heads=2, num_key_value_heads=2).eval()
    return model, tok


def test_length_batches_sort_and_respect_both_limits():
    lengths = [5, 1, 9, 3, 7, 2]
    batches = generation.length_batches(lengths, max_rows=2)
    assert batches == [[1, 5], [3, 0], [4, 2]]
    by_tokens = generation.length_batches(lengths, max_rows=10, max_tokens=10)
    assert all(len(b) * max(lengths[i] for i in b) <= 10 or len(b) == 1 for b in by_tokens)
    assert sorted(i for b in by_tokens for i in b) == list(range(6))


def test_batched_option_scores_equal_one_question_at_a_time(tiny):
    model, tok = tiny
    questions = [(evaluate.render_prompt(tok, t), ["사기", "절도죄", "횡령과 배임"]) for t in TEXTS[:6]]
    rows, spans = [], []
    for prompt, options in questions:
        spans.append(len(rows))
        rows += evaluate.choice_rows(tok, prompt, options, 1024)
    batched = generation.continuation_logprobs(model, rows, evaluate.pad_id(tok), max_batch_tokens=200)
    for (prompt, options), start in zip(questions, spans):
        single, _ = evaluate.option_logprobs(model, tok, prompt, options, 1024)
        np.testing.assert_allclose(batched[start:start + 3], single, rtol=1e-4, atol=1e-4)


def test_batched_window_nll_equals_document_by_document(tiny):
    model, tok = tiny
    docs = [[tok.bos_token_id] + tok(t, add_special_tokens=False)["input_ids"] for t in TEXTS[:4]]
    batched = generation.window_nll(model, docs, window=8, pad_id=evaluate.pad_id(tok), max_batch_tokens=40,
                                    max_rows=8)
    for (total, count), text in zip(batched, TEXTS[:4]):
        ref_total, ref_count = evaluate.text_nll(model, tok, text, 8)
        assert count == ref_count and total == pytest.approx(ref_total, rel=1e-4)


class IdsTokenizer:
    """Decodes to the token ids themselves: a random model mostly emits special tokens, which text hides."""

    def __init__(self, tok):
        self.eos_token_id = tok.eos_token_id

    def decode(self, ids, skip_special_tokens=True):
        return ",".join(str(int(i)) for i in ids)


def test_left_padded_batches_generate_what_single_prompts_generate(tiny):
    model, tok = tiny
    prompts = [evaluate.encode_prompt(tok, evaluate.render_prompt(tok, t)) for t in TEXTS[:6]]
    assert len({len(p) for p in prompts}) > 1  # different lengths: the batches are padded
    gen = generation.HFGenerator(model, IdsTokenizer(tok), evaluate.pad_id(tok))
    opts = dict(max_new_tokens=6, min_new_tokens=6)
    one = gen.generate(prompts, generation.DecodeOptions(batch_size=1, **opts))
    many = gen.generate(prompts, generation.DecodeOptions(batch_size=4, **opts))
    assert one == many and all(len(t.split(",")) == 6 for t in one)


def test_vllm_backend_is_import_guarded(tiny, monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)  # as on a machine without vllm
    with pytest.raises(ImportError, match="needs the vllm package"):
        generation.make_generator("vllm", tiny[0], tiny[1], 0)
    with pytest.raises(ValueError, match="backend"):
        evaluate.GenerationSettings(backend="tgi")
    with pytest.raises(ValueError, match="backend"):
        generation.make_generator("tgi", tiny[0], tiny[1], 0)


def test_inference_mode_leaves_no_grad(tiny):
    model, tok = tiny
    rows = evaluate.choice_rows(tok, evaluate.render_prompt(tok, TEXTS[0]), ["a", "b"], 64)
    generation.continuation_logprobs(model, rows, 0)
    assert all(p.grad is None for p in model.parameters()) and torch.is_grad_enabled()
