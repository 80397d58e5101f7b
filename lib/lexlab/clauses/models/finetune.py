"""A transformer fine-tuned through the project's trainer (``lexlab.models.trainer``): sequence classification
for the article task, token classification over BIO tags for the span task.

``model="tiny"`` builds a small Llama from a config (``lexlab.models.hf``) with a tokenizer trained on the training
texts; any Hugging Face path or id (or ``run:<id>``, ``models:/…``) loads that checkpoint with a new head.
``lora=true`` trains LoRA adapters (peft) and the head instead of every weight.
"""
from __future__ import annotations

from typing import Sequence

import torch

from lexlab.clauses.models import ClauseModel, Prediction
from lexlab.clauses.spans import bio_labels, bio_tags, spans_from_tags, trim_offsets
from lexlab.models import hf
from lexlab.models import trainer as shared
from lexlab.workbench.progress import item_bar

IGNORE = -100


class FineTuned(ClauseModel):
    tasks = ("article", "span")

    def fit(self, train, labels) -> None:
        from transformers import DataCollatorForTokenClassification, DataCollatorWithPadding, Trainer

        cfg = self.cfg
        self.names = list(labels) if cfg.task == "article" else bio_labels(labels)
        model, self.tokenizer = _build(cfg, [e.text for e in train], self.names)
        self.tokenizer.model_max_length = cfg.max_length  # saved with the model: what ``load`` cuts inputs to
        if cfg.lora:
            model = _apply_lora(cfg, model)
        collate = (DataCollatorWithPadding if cfg.task == "article" else DataCollatorForTokenClassification)
        trainer = Trainer(model=model, args=cfg.training_arguments(), train_dataset=[self._features(e) for e in train],
                          data_collator=collate(self.tokenizer))
        with shared.mlflow_run(cfg, "extract_clauses") as tracked:
            self.result = shared.fit(trainer, cfg, self.tokenizer)
            if tracked:
                _log(self.result, cfg.log_model)
        self.model = trainer.model.eval()

    def _features(self, example) -> dict:
        cfg, index = self.cfg, {n: i for i, n in enumerate(self.names)}
        enc = self.tokenizer(example.text, truncation=True, max_length=cfg.max_length,
                             return_offsets_mapping=cfg.task == "span")
        features = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
        if cfg.task == "article":
            features["labels"] = index[example.label]
        else:
            offsets = trim_offsets(example.text, enc["offset_mapping"])
            tags = bio_tags(offsets, example.spans)
            features["labels"] = [index[t] if e > s else IGNORE for (s, e), t in zip(offsets, tags)]
        return features

    @torch.no_grad()
    def predict(self, examples: Sequence, batch_size: int = 32) -> list[Prediction]:
        out: list[Prediction] = []
        for at in item_bar(range(0, len(examples), batch_size), desc=f"{self.name} predict", unit="batch"):
            texts = [e.text for e in examples[at:at + batch_size]]
            enc = self.tokenizer(texts, truncation=True, max_length=self.cfg.max_length, padding=True,
                                 return_tensors="pt", return_offsets_mapping=True)
            offsets = enc.pop("offset_mapping").tolist()
            probs = self.model(**enc).logits.float().softmax(-1)
            if self.cfg.task == "article":
                out += [Prediction(self.names[int(p.argmax())], float(p.max())) for p in probs]
            else:
                out += [self._spans(t, o, p, m) for t, o, p, m in zip(texts, offsets, probs, enc["attention_mask"])]
        return out

    def _spans(self, text: str, offsets, probs, mask) -> Prediction:
        keep = [i for i, m in enumerate(mask.tolist()) if m]
        tags = [self.names[int(probs[i].argmax())] for i in keep]
        spans = spans_from_tags(trim_offsets(text, [tuple(offsets[i]) for i in keep]), tags)
        return Prediction(spans=spans, confidence=float(probs[keep].max(-1).values.min()) if keep else 1.0)


def _build(cfg, texts: Sequence[str], names: Sequence[str]):
    """(model with a fresh head of ``len(names)`` outputs, tokenizer)."""
    from transformers import (AutoModelForSequenceClassification, AutoModelForTokenClassification,
                              LlamaForSequenceClassification, LlamaForTokenClassification)

    label_kw = dict(num_labels=len(names), id2label=dict(enumerate(names)),
                    label2id={n: i for i, n in enumerate(names)})
    path = hf.resolve_model(cfg.model)
    if path == "tiny":
        tokenizer = hf.cached_tokenizer(list(texts), cfg.tokenizer_vocab_size)
        config = hf.tiny_llama_config(tokenizer, **cfg.tiny_overrides(), **label_kw)
        torch.manual_seed(cfg.seed)
        cls = LlamaForSequenceClassification if cfg.task == "article" else LlamaForTokenClassification
        return cls(config), tokenizer
    tokenizer = hf.load_tokenizer(path)
    auto = AutoModelForSequenceClassification if cfg.task == "article" else AutoModelForTokenClassification
    model = auto.from_pretrained(path, ignore_mismatched_sizes=True, **label_kw)
    model.config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def _log(result, log_model: bool) -> None:
    """The run's size and outcome; the model directory as artifacts (``models.mlflow_model`` wraps causal LMs
    for generation, which a classifier is not)."""
    import mlflow

    shared.log_result(result, log_model=False)
    if log_model:
        mlflow.log_artifacts(result.final_dir, "clause_model")
        mlflow.set_tag("lexlab.model_dir", result.final_dir)


def _apply_lora(cfg, model):
    from peft import LoraConfig, get_peft_model

    targets = cfg.lora_target_modules
    if targets != "all-linear":
        targets = [t.strip() for t in targets.split(",") if t.strip()]
    return get_peft_model(model, LoraConfig(
        r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout, target_modules=targets,
        task_type="SEQ_CLS" if cfg.task == "article" else "TOKEN_CLS"))


def load(model: str, max_length: int = 0) -> FineTuned:
    """A fine-tuned clause model saved by ``fit`` (its ``final/`` directory, a run, a registered model), ready to
    ``predict``; the task (article or span) is read from its architecture, inputs are cut to ``max_length``
    tokens (0: the length it was trained with)."""
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoModelForTokenClassification

    from lexlab.clauses.config import ClauseConfig

    path = hf.resolve_model(model)
    config = AutoConfig.from_pretrained(path)
    task = "span" if any(a.endswith("ForTokenClassification") for a in config.architectures or []) else "article"
    tokenizer = hf.load_tokenizer(path)
    longest = min(tokenizer.model_max_length, getattr(config, "max_position_embeddings", 512))
    extractor = FineTuned(ClauseConfig(task=task, max_length=max_length or longest, report_to="none"))
    extractor.name, extractor.tokenizer = "finetune", tokenizer
    auto = AutoModelForTokenClassification if task == "span" else AutoModelForSequenceClassification
    extractor.model = auto.from_pretrained(path).eval()
    extractor.names = [config.id2label[i] for i in range(config.num_labels)]
    return extractor
