"""The span model: token labels from spans, spans from token probabilities, a member trained through the shared
trainer (resumable, loadable), and LoRA where it applies."""
from __future__ import annotations

import numpy as np
import torch

from lexlab.models import hf
from lexlab.review import dataset, ensemble, spans


def test_token_labels_and_spans_round_trip():
    tok = hf.train_tokenizer(["피해자 김민수는 010-1234-5678로 전화하였다."] * 20, vocab_size=300)
    text = "피해자 김민수는 010-1234-5678로 전화하였다."
    ids, offsets = spans.encode(tok, text)
    gold = [{"start": 4, "end": 7}, {"start": 9, "end": 22}]
    labels = spans.token_labels(offsets, gold)
    found = [ensemble.trim(text, s) for s in spans.spans_from_tokens(np.array(labels, float), offsets, 0.5)]
    covered = [text[s["start"]:s["end"]] for s in found]  # token-level: a span may carry a merged particle
    assert any("김민수" in c for c in covered) and any("010-1234-5678" in c for c in covered)
    assert "피해자" not in "".join(covered) and not covered[-1].endswith("로")
    assert spans.windows(5, 2) == [(0, 2), (2, 4), (4, 5)]


def test_member_trains_through_the_trainer_and_predicts(decisions, tmp_path):
    torch.set_num_threads(1)
    docs = dataset.build_review_set(decisions, positive_fraction=0.5, doc_chars=300, passages_per_decision=1,
                                    max_decisions=0, dev=0.2, test=0.2, seed=0)
    train = dataset.by_split(docs, "train")
    tok = hf.train_tokenizer([d["text"] for d in train], vocab_size=500)
    base = spans.SpanConfig(out_dir=str(tmp_path / "m"), max_steps=4, save_steps=2, batch_size=2, max_tokens=64,
                            hidden_size=32, num_layers=1, progress=False)
    results = ensemble.train(train, base, [0, 1], tok)
    assert [r.global_step for r in results] == [4, 4] and not results[0].extra["lora"]
    again = ensemble.train(train, base, [0], tok)  # a finished member is loaded, not retrained
    assert again[0].resumed_from and again[0].global_step == 4
    texts = [d["text"] for d in docs[:5]]
    pred = ensemble.predict([r.final_dir for r in results], tok, texts, base.max_tokens, 0.9)
    assert pred.members.shape == (2, 5) and np.all((pred.p >= 0) & (pred.p <= 1))
    assert np.allclose(pred.uncertainty, pred.members.std(axis=0))
    assert pred.spans_at(0.9) == pred.spans and sum(map(len, pred.spans_at(0.0))) >= sum(map(len, pred.spans))


def test_lora_applies_when_asked(tmp_path):
    tok = hf.train_tokenizer(["피해자 김민수"] * 10, vocab_size=300)
    cfg = spans.SpanConfig(out_dir=str(tmp_path), lora="on", hidden_size=32, num_layers=1)
    model = spans.build_model(cfg, tok)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert 0 < trainable < sum(p.numel() for p in model.parameters()) / 2
    assert spans.SpanConfig(out_dir="x").uses_lora() is False  # tiny: full fine-tuning
    assert spans.SpanConfig(out_dir="x", model="some/hf-model").uses_lora() is True
