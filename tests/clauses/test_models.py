"""The registry and its variants: the baselines on a small article set, the fine-tuned model through the trainer."""
from __future__ import annotations

import pytest

from lexlab import cli
from lexlab.clauses import models
from lexlab.clauses.config import ClauseConfig
from lexlab.clauses.data import Example
from lexlab.clauses.spans import marker_spans
from lexlab.clauses.types import OTHER
from lexlab.workbench.io import read_jsonl, write_jsonl

TINY = dict(report_to="none", max_steps=4, per_device_train_batch_size=4, logging_steps=2, save_steps=4,
            tokenizer_vocab_size=300, tiny_hidden_size=32, tiny_layers=1, tiny_heads=2, max_length=64, warmup_steps=0)
TEXTS = [("벌칙", "다음 각 호의 어느 하나에 해당하는 자는 3년 이하의 징역 또는 3천만원 이하의 벌금에 처한다."),
         ("목적", "이 법은 근로자의 복지 증진을 목적으로 한다."),
         ("과태료", "제5조를 위반한 자에게는 1천만원 이하의 과태료를 부과한다."),
         (OTHER, "사업자는 매년 보고서를 제출하여야 한다.")]
ARTICLES = [Example(f"{k}{i}", t, k) for i in range(3) for k, t in TEXTS]
LABELS = ["벌칙", "목적", "과태료", OTHER]


def test_unknown_model_names_the_known_ones():
    with pytest.raises(ValueError, match="known: \\['finetune', 'majority', 'rules', 'tfidf'\\]"):
        models.make("bert", ClauseConfig())
    assert models.supports("finetune", "span") and not models.supports("tfidf", "span")


@pytest.mark.parametrize("name", ["majority", "rules", "tfidf"])
def test_baselines_predict_one_type_per_article(name):
    model = models.make(name, ClauseConfig(report_to="none"))
    model.fit(ARTICLES[:-1], LABELS)
    got = [p.label for p in model.predict(ARTICLES[:4])]
    assert len(got) == 4 and set(got) <= set(LABELS)
    if name == "rules":
        assert got == ["벌칙", "목적", "과태료", OTHER]
    if name == "majority":
        assert len(set(got)) == 1


@pytest.mark.parametrize("task", ["article", "span"])
def test_finetuned_tiny_model_trains_and_its_saved_model_extracts_through_the_cli(task, tmp_path, monkeypatch):
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path))
    examples = [Example(e.id, e.text + " 다만, 법률에 특별한 규정이 있으면 그러하지 아니하다.", e.label)
                for e in ARTICLES]
    examples = [Example(e.id, e.text, e.label, marker_spans(e.text)) for e in examples]
    model = models.make("finetune", ClauseConfig(task=task, run_name=f"t-{task}", **TINY))
    model.fit(examples, LABELS if task == "article" else ["단서", "준용"])
    assert model.result.global_step == 4 and (tmp_path / "models").is_dir()
    got = model.predict(examples[:3])
    assert len(got) == 3
    if task == "article":
        assert all(p.label in LABELS and 0 < p.confidence <= 1 for p in got)
    else:
        assert all(s.label in ("단서", "준용") and 0 <= s.start < s.end <= len(e.text)
                   for p, e in zip(got, examples) for s in p.spans)

    docs = tmp_path / "docs.jsonl"
    write_jsonl([{"id": e.id, "text": e.text} for e in examples[:3]], docs)
    assert cli.main(["extract-clauses", model.result.final_dir, str(docs), str(tmp_path / "out.jsonl")]) == 0
    out = read_jsonl(tmp_path / "out.jsonl", required=("id",))
    assert [o["id"] for o in out] == [e.id for e in examples[:3]]
    if task == "article":
        assert [o["label"] for o in out] == [p.label for p in got]
    else:
        assert [[(s["start"], s["end"], s["label"]) for s in o["spans"]] for o in out] == \
            [[(s.start, s.end, s.label) for s in p.spans] for p in got]
    (tmp_path / "bad.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    assert cli.main(["extract-clauses", model.result.final_dir, str(tmp_path / "bad.jsonl"), str(tmp_path / "o")]) == 2
