"""Stage 2's model: token classification (is this token personal data?) fine-tuned through the shared trainer.

"tiny" is a small BERT built from a config with a tokenizer trained on the review set's training text (no weights
can be downloaded here; bidirectional, because whether "김민수" is a party or a judge is often said after it);
any Hugging Face path loads ``AutoModelForTokenClassification`` instead, and LoRA applies there (``lora="auto"``:
on for a pretrained model, off for "tiny", whose random base has nothing for a low-rank update to adapt).
Documents longer than ``max_tokens`` are read in consecutive windows, in training and in prediction alike.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

import numpy as np
import torch
from transformers import Trainer

from lexlab.models import trainer as shared
from lexlab.models.trainer import SchedulerType, TrainConfig, TrainResult
from lexlab.workbench.config import check_choices, check_positive


@dataclass
class SpanConfig(TrainConfig):
    """How one member of the ensemble trains; it lands in ``out_dir/final`` (checkpoints beside it)."""

    out_dir: str = ""
    model: str = "tiny"                  # "tiny" (built here) or a Hugging Face path / hub id
    lora: Literal["auto", "on", "off"] = "auto"
    lora_r: int = 8
    max_steps: int = 300
    batch_size: int = 16
    max_tokens: int = 192
    learning_rate: float = 1e-3
    warmup_steps: int = 20
    lr_scheduler_type: SchedulerType = "linear"
    positive_weight: float = 3.0         # loss weight of personal-data tokens (they are a few % of tokens)
    vocab_size: int = 4000
    hidden_size: int = 128
    num_layers: int = 2
    save_steps: int = 100
    save_total_limit: int = 1
    report_to: shared.ReportTo = "none"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choices(self)
        if not self.out_dir:
            raise ValueError("SpanConfig.out_dir is required")
        check_positive(self, "batch_size", "max_tokens", "positive_weight", "vocab_size", "hidden_size",
                       "num_layers", "lora_r")

    def model_dir(self) -> Path:
        return Path(self.out_dir)

    def uses_lora(self) -> bool:
        return self.lora == "on" or (self.lora == "auto" and self.model != "tiny")


def encode(tokenizer, text: str) -> tuple[list[int], list[tuple[int, int]]]:
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    return enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]]


def token_labels(offsets: Sequence[tuple[int, int]], spans: Sequence[dict]) -> list[int]:
    """1 for a token overlapping a span, else 0."""
    return [int(any(s["start"] < e and b < s["end"] for s in spans)) for b, e in offsets]


def windows(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, max(n, 1), size)]


def training_windows(docs: Sequence[dict], tokenizer, max_tokens: int) -> list[tuple[list[int], list[int]]]:
    out = []
    for d in docs:
        ids, offsets = encode(tokenizer, d["text"])
        labels = token_labels(offsets, d["spans"])
        out.extend((ids[a:b], labels[a:b]) for a, b in windows(len(ids), max_tokens) if b > a)
    return out


class _Batches(torch.utils.data.Dataset):
    """Item ``step`` is that step's whole batch, a function of (seed, step): a resumed run sees the same data."""

    def __init__(self, items, cfg: SpanConfig, pad_id: int):
        self.items, self.cfg, self.pad_id = items, cfg, pad_id

    def __len__(self) -> int:
        return self.cfg.max_steps

    def __getitem__(self, step: int) -> dict[str, torch.Tensor]:
        rng = random.Random(f"spans:{self.cfg.seed}:{step}")
        return pad([self.items[rng.randrange(len(self.items))] for _ in range(self.cfg.batch_size)], self.pad_id)


def pad(items, pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(ids) for ids, _ in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    labels = torch.full((len(items), width), -100, dtype=torch.long)
    for i, (x, y) in enumerate(items):
        ids[i, :len(x)], labels[i, :len(y)] = torch.tensor(x), torch.tensor(y)
    return {"input_ids": ids, "attention_mask": (labels != -100).long(), "labels": labels}


def _one_batch(items: list[dict]) -> dict:
    (item,) = items
    return item


class _WeightedTrainer(Trainer):
    loss_is_scaled_for_ga = False

    def __init__(self, *args, positive_weight: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.weight = torch.tensor([1.0, positive_weight])

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        logits = model(**inputs).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 2), labels.reshape(-1),
                                                 weight=self.weight.to(logits.device), ignore_index=-100)
        return (loss, None) if return_outputs else loss


def build_model(cfg: SpanConfig, tokenizer):
    from transformers import AutoModelForTokenClassification, BertConfig, BertForTokenClassification

    torch.manual_seed(cfg.seed)
    if cfg.model == "tiny":
        bert = BertConfig(vocab_size=len(tokenizer), hidden_size=cfg.hidden_size, num_hidden_layers=cfg.num_layers,
                          num_attention_heads=max(1, cfg.hidden_size // 32), intermediate_size=4 * cfg.hidden_size,
                          max_position_embeddings=max(512, cfg.max_tokens), pad_token_id=tokenizer.pad_token_id,
                          num_labels=2)
        model = BertForTokenClassification(bert)
    else:
        model = AutoModelForTokenClassification.from_pretrained(cfg.model, num_labels=2)
    if cfg.uses_lora():
        from peft import LoraConfig, TaskType, get_peft_model

        model = get_peft_model(model, LoraConfig(task_type=TaskType.TOKEN_CLS, r=cfg.lora_r,
                                                 lora_alpha=2 * cfg.lora_r, target_modules="all-linear",
                                                 exclude_modules=["classifier", "score"]))
    return model


def train_span_model(train_docs: Sequence[dict], cfg: SpanConfig, tokenizer) -> TrainResult:
    """Fine-tune one member; resumes from ``out_dir/checkpoints``, and a finished member is loaded, not retrained."""
    cfg.model_dir().mkdir(parents=True, exist_ok=True)
    items = training_windows(train_docs, tokenizer, cfg.max_tokens)
    args = shared.training_arguments(cfg, per_device_train_batch_size=1, logging_steps=10,
                                     train_sampling_strategy="sequential", remove_unused_columns=False)
    with shared.mlflow_run(cfg, "train_review_spans", args.process_index == 0):
        trainer = _WeightedTrainer(model=build_model(cfg, tokenizer), args=args,
                                   train_dataset=_Batches(items, cfg, tokenizer.pad_token_id),
                                   data_collator=_one_batch, positive_weight=cfg.positive_weight)
        result = shared.fit(trainer, cfg, tokenizer)
    result.extra = {"seed": cfg.seed, "windows": len(items), "lora": cfg.uses_lora()}
    shared.save_run_json(trainer, result, "spans.json", result.extra)
    return result


def load_member(final_dir: str | Path):
    """A trained member (a LoRA adapter brings its base along), in eval mode."""
    from transformers import AutoModelForTokenClassification

    path = Path(final_dir)
    if (path / "adapter_config.json").exists():
        from peft import AutoPeftModelForTokenClassification

        model = AutoPeftModelForTokenClassification.from_pretrained(str(path))
    else:
        model = AutoModelForTokenClassification.from_pretrained(str(path))
    return model.eval()


@torch.no_grad()
def token_probs(model, tokenizer, texts: Sequence[str], max_tokens: int, batch_size: int = 32
                ) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
    """Per document: P(personal data) of each token, and the tokens' character offsets."""
    encoded = [encode(tokenizer, t) for t in texts]
    chunks = [(i, a, ids[a:b]) for i, (ids, _) in enumerate(encoded) for a, b in windows(len(ids), max_tokens)]
    probs = [np.zeros(len(ids)) for ids, _ in encoded]
    for k in range(0, len(chunks), batch_size):
        part = chunks[k:k + batch_size]
        batch = pad([(ids, [0] * len(ids)) for _, _, ids in part], tokenizer.pad_token_id)
        p = torch.softmax(model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits, -1)
        for j, (i, a, ids) in enumerate(part):
            probs[i][a:a + len(ids)] = p[j, :len(ids), 1].numpy()
    return [(p, offsets) for p, (_, offsets) in zip(probs, encoded)]


def spans_from_tokens(probs: np.ndarray, offsets: Sequence[tuple[int, int]], threshold: float) -> list[dict]:
    """Runs of tokens at or above ``threshold`` as character spans, each with its highest token probability."""
    out: list[dict] = []
    for p, (b, e) in zip(probs, offsets):
        if p < threshold or e <= b:
            continue
        if out and b <= out[-1]["end"] + 1:
            out[-1]["end"], out[-1]["p"] = max(out[-1]["end"], e), max(out[-1]["p"], float(p))
        else:
            out.append({"start": int(b), "end": int(e), "p": float(p)})
    return out
