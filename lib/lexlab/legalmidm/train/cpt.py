"""Continual pre-training: legal raw text mixed with general text, next-token loss on packed blocks."""
from __future__ import annotations

from dataclasses import asdict
from typing import Sequence

from datasets import Dataset
from transformers import Trainer, TrainerCallback, default_data_collator

from lexlab.legalmidm import mixing
from lexlab.legalmidm.train.config import CPTConfig, log_stage_inputs
from lexlab.legalmidm.train.data import cpt_corpus, pack
from lexlab.models import hf
from lexlab.models import trainer as shared
from lexlab.models.trainer import TrainResult

CPT_STAGE = "continual_pretraining"


def run_cpt(cfg: CPTConfig, legal_docs: Sequence[dict] | None = None, general_docs: Sequence[dict] | None = None,
            callbacks: Sequence[TrainerCallback] = ()) -> TrainResult:
    """Continual pre-training. ``legal_docs``/``general_docs`` (``{"text"}`` dicts) replace the snapshot when
    given — tests and users with in-memory data use that; the notebook lets them default.

    ``extra`` holds the realised ``mix``, ``n_legal_docs``, ``n_general_docs`` and ``tokens_per_step``.
    """
    if legal_docs is None:
        legal_docs, general_docs = cpt_corpus(cfg)
    general_docs = list(general_docs or [])
    if not legal_docs:
        raise ValueError("CPT has no legal documents (check the snapshot / legal_jsonl and max_legal_docs)")
    if cfg.effective_general_fraction > 0 and not general_docs:
        raise ValueError(f"CPT mixes general text (general_fraction={cfg.effective_general_fraction}) but there is "
                         "none (the snapshot's general table is empty); give general_jsonl, rebuild the snapshot "
                         "with general text, or train legal-only (cpt_mix=legal)")
    args = cfg.training_arguments(remove_unused_columns=True)
    legal_txt = [d["text"] for d in legal_docs]
    general_txt = [d["text"] for d in general_docs]
    with args.main_process_first(desc="tokenizer"):
        model, tokenizer = _model(cfg, legal_txt + general_txt)
    legal_blocks = pack(legal_txt, tokenizer, cfg.block_size)
    general_blocks = pack(general_txt, tokenizer, cfg.block_size) if cfg.effective_general_fraction > 0 else []
    if not legal_blocks:
        raise ValueError(f"legal text is shorter than one block of {cfg.block_size} tokens")
    train_ds, ratio = _mixed_blocks(cfg, legal_blocks, general_blocks)

    with shared.mlflow_run(cfg, CPT_STAGE, args.process_index == 0) as tracked:
        if tracked:
            log_stage_inputs(cfg, ratio, {
                "n_legal_docs": len(legal_docs), "n_general_docs": len(general_docs),
                "n_legal_blocks": len(legal_blocks), "n_general_blocks": len(general_blocks),
                "n_train_blocks": ratio["n"], "tokenizer_size": len(tokenizer)})
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, data_collator=default_data_collator,
                          processing_class=tokenizer, callbacks=list(callbacks))
        result = shared.fit(trainer, cfg, tokenizer)
        shared.save_run_json(trainer, result, "lexlab_train.json", {"stage": CPT_STAGE, "config": asdict(cfg)})
        if tracked:
            shared.log_result(result, cfg.log_model)
    result.extra.update({"mix": ratio, "n_legal_docs": len(legal_docs), "n_general_docs": len(general_docs),
                         "tokens_per_step": cfg.block_size * cfg.per_device_train_batch_size
                         * cfg.gradient_accumulation_steps * args.world_size})
    return result


def _model(cfg: CPTConfig, texts: Sequence[str]):
    """(model, tokenizer): "tiny" is built with a tokenizer trained on ``texts``; anything else is loaded."""
    model_path = hf.resolve_model(cfg.model)
    if model_path == "tiny":
        tokenizer = hf.cached_tokenizer(list(texts), cfg.tokenizer_vocab_size)
        return hf.build_model("tiny", tokenizer, seed=cfg.seed, **cfg.tiny_overrides(cfg.block_size)), tokenizer
    tokenizer = hf.load_tokenizer(model_path)
    return hf.build_model(model_path, tokenizer), tokenizer


def _mixed_blocks(cfg: CPTConfig, legal_blocks: list, general_blocks: list) -> tuple[Dataset, dict]:
    """The training set (mixed blocks with labels) and the realised mix."""
    legal_ds = Dataset.from_dict({"input_ids": legal_blocks})
    general_ds = Dataset.from_dict({"input_ids": general_blocks}) if general_blocks else None
    train_ds = mixing.mix(legal_ds, general_ds, cfg.effective_general_fraction, seed=cfg.seed,
                          stopping_strategy=cfg.stopping_strategy)
    ratio = mixing.realised_ratio(train_ds)
    train_ds = train_ds.remove_columns("origin").map(
        lambda b: {"labels": b["input_ids"], "attention_mask": [[1] * len(x) for x in b["input_ids"]]},
        batched=True)
    return train_ds, ratio
