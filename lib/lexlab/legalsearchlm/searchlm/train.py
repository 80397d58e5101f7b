"""Self-supervised LegalSearchLM training: every corpus case, masked like a query, → one of its own legal elements."""
from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Mapping, Sequence

from lexlab.legalsearchlm.bench.masking import mask_like_query
from lexlab.legalsearchlm.searchlm.prompt import prompt_ids, span_token_ids
from lexlab.legalsearchlm.searchlm.elements import Element, build_targets, normalize_text
from lexlab.workbench import tracking

# -------------------------------------------------------------------------------------------------
class _PairDataset:
    """(prompt, target) pairs as token ids; loss only on the target and its EOS."""

    def __init__(self, examples: list[tuple[list[int], list[int]]], eos: int):
        self.examples = examples
        self.eos = eos

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i: int) -> dict:
        p, t = self.examples[i]
        ids = p + t + [self.eos]
        labels = [-100] * len(p) + t + [self.eos]
        return {"input_ids": ids, "labels": labels}


def _collate(pad_id: int):
    import torch

    def fn(batch: list[dict]) -> dict:
        n = max(len(b["input_ids"]) for b in batch)
        ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
        labels = torch.full((len(batch), n), -100, dtype=torch.long)
        att = torch.zeros((len(batch), n), dtype=torch.long)
        for i, b in enumerate(batch):
            L = len(b["input_ids"])
            ids[i, :L] = torch.tensor(b["input_ids"])
            labels[i, :L] = torch.tensor(b["labels"])
            att[i, :L] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": att}

    return fn


def build_training_pairs(
    records: Sequence[Mapping],
    tokenizer,
    elements: Sequence[Sequence[Element]],
    max_input_tokens: int = 320,
    windows_per_element: int = 1,
    mask_input: bool = True,
    seed: int = 0,
    fm=None,
) -> tuple[list[tuple[list[int], list[int]]], dict]:
    """Token-id pairs; a target that does not occur in the FM-index (if given) is dropped and counted."""
    rng = random.Random(seed)
    pairs, stats = [], {"targets": 0, "targets_not_in_corpus": 0, "cases_without_targets": 0}
    for rec, els in zip(records, elements):
        text = mask_like_query(rec["text"]) if mask_input else rec["text"]
        # Windows never need more than the first few thousand tokens; tokenizing once per case keeps this linear.
        doc_ids = tokenizer(normalize_text(text)[: 40 * max_input_tokens], add_special_tokens=False)["input_ids"]
        kept = 0
        for e in els:
            t = span_token_ids(tokenizer, e.text)
            stats["targets"] += 1
            if not t or (fm is not None and fm.count(t) == 0):
                stats["targets_not_in_corpus"] += 1
                continue
            kept += 1
            for _ in range(windows_per_element):
                pairs.append((prompt_ids(tokenizer, doc_ids, max_input_tokens, rng), t))
        if not kept:
            stats["cases_without_targets"] += 1
    rng.shuffle(pairs)
    stats["pairs"] = len(pairs)
    return pairs, stats


def train_searchlm(
    corpus: Sequence[Mapping],
    out_dir: str | Path,
    model: str = "tiny",
    targets: str = "legal",
    first_token_aware: bool = True,
    extractor: str = "offline",
    llm: Mapping | None = None,
    max_elements: int = 8,
    max_input_tokens: int = 320,
    vocab_size: int = 8000,
    model_config: Mapping | None = None,
    max_steps: int = 600,
    batch_size: int = 16,
    learning_rate: float = 1e-3,
    warmup_steps: int = 30,
    seed: int = 0,
    save_steps: int = 200,
    train_ids: Sequence[str] | None = None,
    report_to: str | None = None,
    progress: bool = True,
    extra_meta: Mapping | None = None,
    run_name: str | None = None,
) -> dict:
    """Fine-tune (or train from a config) the span generator; returns stats. Resumes from ``out_dir/checkpoints``.

    ``train_ids`` restricts training to those cases (the OOD ablation: train on one category); the tokenizer is
    still trained on the whole corpus, which is unlabelled text the deployed system indexes anyway.
    The final model + tokenizer land in ``out_dir/final`` with ``searchlm.json`` describing how it was trained.
    """
    import torch
    from transformers import Trainer, TrainingArguments

    from lexlab.models import hf as modeling

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    texts = [normalize_text(r["text"]) for r in corpus]
    if model == "tiny":
        tok_dir = out_dir / "tokenizer"
        if (tok_dir / "tokenizer.json").exists():
            from transformers import AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(str(tok_dir))
        else:
            tokenizer = modeling.train_tokenizer(texts, vocab_size=vocab_size, out_dir=tok_dir)
        lm = modeling.build_model("tiny", tokenizer, seed=seed, **dict(model_config or {}))
    else:
        lm, tokenizer = modeling.load_model_and_tokenizer(model)
        lm.train()
    train_recs = list(corpus)
    if train_ids is not None:
        keep = set(map(str, train_ids))
        train_recs = [r for r in corpus if str(r["id"]) in keep]
        if not train_recs:
            raise ValueError("train_ids selects no corpus record")
    els = build_targets(train_recs, targets=targets, first_token_aware=first_token_aware,
                        max_elements=max_elements, seed=seed, extractor=extractor, llm=llm, progress=progress)
    pairs, stats = build_training_pairs(train_recs, tokenizer, els, max_input_tokens=max_input_tokens, seed=seed)
    if not pairs:
        raise ValueError("no training pairs: no case yielded a target")
    with (out_dir / "targets.jsonl").open("w", encoding="utf-8") as f:
        for r, es in zip(train_recs, els):
            f.write(json.dumps({"id": r["id"], "targets": [e.text for e in es]}, ensure_ascii=False) + "\n")
    stats["seconds_prepare"] = round(time.time() - t0, 1)

    ckpt = out_dir / "checkpoints"
    has_ckpt = ckpt.exists() and any(p.name.startswith("checkpoint-") for p in ckpt.iterdir())
    if report_to is None:
        import mlflow

        report_to = "mlflow" if mlflow.active_run() is not None else "none"
    args = TrainingArguments(
        output_dir=str(ckpt), per_device_train_batch_size=batch_size, max_steps=max_steps,
        learning_rate=learning_rate, warmup_steps=warmup_steps, lr_scheduler_type="cosine", weight_decay=0.01,
        logging_steps=max(1, min(50, max_steps // 10)), save_steps=save_steps, save_total_limit=1,
        report_to=report_to, seed=seed, dataloader_num_workers=0, disable_tqdm=not progress,
        use_cpu=not torch.cuda.is_available(), remove_unused_columns=False,
        # The Trainer's MLflow callback logs its arguments as params; run_name must equal the notebook's or MLflow
        # refuses the changed value.
        run_name=run_name or os.environ.get("LEXLAB_RUN_NAME"),
    )
    trainer = Trainer(model=lm, args=args, train_dataset=_PairDataset(pairs, tokenizer.eos_token_id),
                      data_collator=_collate(tokenizer.pad_token_id))
    t1 = time.time()
    with tracking.hide_run_id_from_trainer():  # under `lexlab run` the notebook's run is already active
        result = trainer.train(resume_from_checkpoint=True if has_ckpt else None)
    stats["seconds_train"] = round(time.time() - t1, 1)
    stats["train_loss"] = float(result.training_loss)
    final = out_dir / "final"
    trainer.save_model(str(final))
    tokenizer.save_pretrained(str(final))
    meta = {"model": model, "targets": targets, "first_token_aware": first_token_aware, "extractor": extractor,
            "max_input_tokens": max_input_tokens, "max_elements": max_elements, "max_steps": max_steps,
            "batch_size": batch_size, "learning_rate": learning_rate, "seed": seed,
            "train_cases": len(train_recs), **dict(extra_meta or {}), **stats}
    (final / "searchlm.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return meta


