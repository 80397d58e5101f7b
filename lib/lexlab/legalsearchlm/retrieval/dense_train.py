"""Training the dense encoder (:mod:`.dense`) without labels, Contriever-style, on the shared HF trainer.

Two random crops of the same case are a positive pair, the other cases' crops in the batch are negatives
(symmetric InfoNCE at ``temperature``). The encoder is a small BERT sized by `DenseConfig`, with a tokenizer
trained on the corpus. Kept apart from the retriever so that using a dense (or any) index does not import the
trainer.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import torch
from transformers import Trainer, TrainerCallback

from lexlab.legalsearchlm.retrieval.dense import mean_pool
from lexlab.legalsearchlm.searchlm.elements import normalize_text
from lexlab.models import trainer as shared
from lexlab.models.trainer import SchedulerType, TrainConfig, TrainResult
from lexlab.workbench.config import check_positive


def _random_crop(ids: list[int], rng: random.Random, max_len: int, min_frac: float = 0.5) -> list[int]:
    if len(ids) <= 8:
        return ids
    n = max(8, min(max_len, int(len(ids) * rng.uniform(min_frac, 1.0))))
    a = rng.randrange(0, max(1, len(ids) - n + 1))
    return ids[a:a + n]


@dataclass
class DenseConfig(TrainConfig):
    """How ``train_dense`` trains; the encoder lands in ``out_dir/final`` and checkpoints in ``out_dir/checkpoints``."""

    out_dir: str = ""
    max_steps: int = 300
    batch_size: int = 32                  # cases per step: each one's two crops are a positive pair
    crop_tokens: int = 128
    learning_rate: float = 5e-4
    warmup_steps: int = 20
    weight_decay: float = 0.01
    lr_scheduler_type: SchedulerType = "linear"
    temperature: float = 0.05
    vocab_size: int = 8000
    hidden_size: int = 128
    num_layers: int = 2
    save_steps: int = 100
    save_total_limit: int = 1
    report_to: shared.ReportTo = "auto"   # "mlflow": dense_train_loss every 10 steps

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.out_dir:
            raise ValueError("DenseConfig.out_dir is required")
        check_positive(self, "batch_size", "crop_tokens", "temperature", "vocab_size", "hidden_size", "num_layers")

    def model_dir(self) -> Path:
        return Path(self.out_dir)


class _CropBatches(torch.utils.data.Dataset):
    """Item ``step`` is that step's whole batch: two random crops of ``batch_size`` distinct cases.

    A batch is a function of (seed, step) alone, so a resumed run sees exactly the batches of an uninterrupted one.
    """

    def __init__(self, docs: list[list[int]], cfg: DenseConfig, pad_id: int):
        self.docs, self.cfg, self.pad_id = docs, cfg, pad_id

    def __len__(self) -> int:
        return self.cfg.max_steps

    def __getitem__(self, step: int) -> dict[str, torch.Tensor]:
        rng = random.Random(f"dense:{self.cfg.seed}:{step}")
        batch = rng.sample(range(len(self.docs)), min(self.cfg.batch_size, len(self.docs)))
        out = {}
        for view in ("a", "b"):
            crops = [_random_crop(self.docs[i], rng, self.cfg.crop_tokens) for i in batch]
            ids = torch.full((len(crops), max(map(len, crops))), self.pad_id, dtype=torch.long)
            att = torch.zeros_like(ids)
            for j, x in enumerate(crops):
                ids[j, :len(x)] = torch.tensor(x)
                att[j, :len(x)] = 1
            out[f"input_ids_{view}"], out[f"attention_mask_{view}"] = ids, att
        return out


def _one_batch(items: list[dict]) -> dict:
    (item,) = items  # per_device_train_batch_size=1: each item is a whole batch
    return item


class _ContrastiveTrainer(Trainer):
    """In-batch InfoNCE between the two crops of each case, symmetric, at ``temperature``."""

    loss_is_scaled_for_ga = False  # a per-batch mean

    def __init__(self, *args, temperature: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.temperature = temperature

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        a, b = (_embed(model, inputs[f"input_ids_{v}"], inputs[f"attention_mask_{v}"]) for v in ("a", "b"))
        logits = a @ b.T / self.temperature
        target = torch.arange(len(a), device=logits.device)
        ce = torch.nn.functional.cross_entropy
        loss = (ce(logits, target) + ce(logits.T, target)) / 2
        return (loss, None) if return_outputs else loss


def _embed(model, ids, att):
    h = model(input_ids=ids, attention_mask=att).last_hidden_state
    return torch.nn.functional.normalize(mean_pool(h, att), dim=-1)


class _MeanLossToMlflow(TrainerCallback):
    """``dense_train_loss``: the mean loss of the last 10 steps, every 10 steps."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs and state.global_step % 10 == 0:
            import mlflow

            losses = [h["loss"] for h in state.log_history if "loss" in h][-10:]
            mlflow.log_metric("dense_train_loss", float(np.mean(losses)), step=state.global_step)


def train_dense(corpus: Sequence[Mapping], cfg: DenseConfig) -> TrainResult:
    """Unsupervised contrastive training (random crops, in-batch negatives); resumes from ``out_dir/checkpoints``.

    The result's ``extra`` is what ``final/dense.json`` records, with ``final_loss`` the mean of the last 20 steps.
    """
    from lexlab.models import hf

    t0 = time.time()
    cfg.model_dir().mkdir(parents=True, exist_ok=True)
    texts = [normalize_text(r["text"]) for r in corpus]
    tokenizer = hf.cached_tokenizer(texts, cfg.vocab_size)
    docs = [ids for ids in tokenizer(texts, add_special_tokens=False)["input_ids"] if len(ids) >= 8]
    if len(docs) < 2:
        raise ValueError("dense training needs at least two documents of 8+ tokens")
    args = shared.training_arguments(cfg, per_device_train_batch_size=1, logging_steps=1, report_to=[],
                                     train_sampling_strategy="sequential", remove_unused_columns=False)
    with shared.mlflow_run(cfg, "train_dense", args.process_index == 0) as tracked:
        trainer = _ContrastiveTrainer(
            model=_encoder(cfg, tokenizer), args=args, train_dataset=_CropBatches(docs, cfg, tokenizer.pad_token_id),
            data_collator=_one_batch, callbacks=[_MeanLossToMlflow()] if tracked else [],
            temperature=cfg.temperature)
        result = shared.fit(trainer, cfg, tokenizer)
    losses = list(result.losses().values())
    result.extra = {"max_steps": cfg.max_steps, "batch_size": cfg.batch_size, "crop_tokens": cfg.crop_tokens,
                    "temperature": cfg.temperature, "hidden_size": cfg.hidden_size, "num_layers": cfg.num_layers,
                    "seed": cfg.seed, "final_loss": float(np.mean(losses[-20:])) if losses else None,
                    "seconds": round(time.time() - t0, 1)}
    shared.save_run_json(trainer, result, "dense.json", result.extra)
    return result


def _encoder(cfg: DenseConfig, tokenizer):
    """A small BERT sized by the config (no pooling layer: cases are mean-pooled)."""
    from transformers import BertConfig, BertModel

    torch.manual_seed(cfg.seed)
    bert = BertConfig(vocab_size=len(tokenizer), hidden_size=cfg.hidden_size, num_hidden_layers=cfg.num_layers,
                      num_attention_heads=max(1, cfg.hidden_size // 32), intermediate_size=4 * cfg.hidden_size,
                      max_position_embeddings=max(512, cfg.crop_tokens + 2), pad_token_id=tokenizer.pad_token_id)
    return BertModel(bert, add_pooling_layer=False)
