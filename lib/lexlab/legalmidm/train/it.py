"""Instruction tuning: law QA in one of the three formats, mixed with general instructions, LoRA by default."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any, Sequence

from transformers import DataCollatorForSeq2Seq, Trainer, TrainerCallback

from lexlab.legalmidm import formats, mixing
from lexlab.legalmidm.train.config import ITConfig, log_stage_inputs
from lexlab.legalmidm.train.data import encode_items, it_items
from lexlab.models import hf
from lexlab.models import trainer as shared
from lexlab.models.trainer import TrainResult

IT_STAGE = "instruction_tuning"


def run_it(cfg: ITConfig, legal_items: Sequence[dict] | None = None, general_items: Sequence[dict] | None = None,
           callbacks: Sequence[TrainerCallback] = ()) -> TrainResult:
    """Instruction tuning. ``legal_items``/``general_items`` (QA dicts) replace stage-02 output / press-release
    instructions when given.

    ``extra`` holds the realised ``mix``, ``n_legal_items``, ``n_general_items``, ``n_dropped_too_long`` and
    ``base_model_path``.
    """
    if cfg.qlora:  # refused here, before any data or model is loaded, where 4-bit cannot work
        from lexlab.models import quantization

        quantization.check_available()
    if legal_items is None:
        legal_items, general_items = it_items(cfg)
    general_items = list(general_items or [])
    if not legal_items:
        raise ValueError("IT has no legal QA items (check qa_dir)")
    args = cfg.training_arguments(remove_unused_columns=False)
    with args.main_process_first(desc="base model"):
        texts = [f"{i['question']}\n{i['answer']}\n{i.get('reference', '')}" for i in [*legal_items, *general_items]]
        model_path, model, tokenizer = _base_model(cfg, texts)
    # mix at the item level (same ratio as requested), then render in the chosen format
    mixed = mixing.mix(mixing.items_dataset(legal_items),
                       mixing.items_dataset(general_items) if general_items else None,
                       cfg.effective_general_fraction, seed=cfg.seed, stopping_strategy=cfg.stopping_strategy)
    ratio = mixing.realised_ratio(mixed)
    train_ds, dropped = encode_items(list(mixed), tokenizer, cfg)
    train_ds = train_ds.remove_columns("origin")
    if cfg.lora:
        model = _apply_lora(cfg, model)
    collator = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=formats.IGNORE_INDEX,
                                      return_tensors="pt")
    counts = {"n_legal_items": len(legal_items), "n_general_items": len(general_items),
              "n_dropped_too_long": dropped}
    with shared.mlflow_run(cfg, IT_STAGE, args.process_index == 0) as tracked:
        if tracked:
            log_stage_inputs(cfg, ratio, {"base_model_path": model_path, **counts, "n_train_examples": len(train_ds)})
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, data_collator=collator,
                          processing_class=tokenizer, callbacks=list(callbacks))
        result = shared.fit(trainer, cfg, tokenizer)
        shared.save_run_json(trainer, result, "lexlab_train.json", {"stage": IT_STAGE, "config": asdict(cfg)})
        if tracked:
            shared.log_result(result, cfg.log_model)
    result.extra.update({"mix": ratio, **counts, "base_model_path": model_path})
    return result


def _base_model(cfg: ITConfig, texts_for_tokenizer: Sequence[str]):
    """(path, model, tokenizer) of the base. A fresh "tiny" base is saved first so a LoRA adapter on it can be
    reloaded later (an adapter records its base's path)."""
    model_path = hf.resolve_model(cfg.model)
    if model_path == "tiny":
        base_dir = cfg.model_dir() / "base"
        if not (base_dir / "config.json").exists():
            tok = hf.cached_tokenizer(list(texts_for_tokenizer), cfg.tokenizer_vocab_size)
            base = hf.build_model("tiny", tok, seed=cfg.seed, **cfg.tiny_overrides(cfg.max_length))
            base.save_pretrained(str(base_dir))
            tok.save_pretrained(str(base_dir))
        model_path = str(base_dir)
    tokenizer = hf.load_tokenizer(model_path)
    hf.ensure_chat_template(tokenizer)
    if cfg.qlora:
        from lexlab.models import quantization

        if hf.resolve_model(cfg.model) == "tiny":
            raise ValueError("ITConfig.qlora: quantizes a pretrained checkpoint; give model: <hub id or dir>")
        return model_path, quantization.load_4bit(model_path, cfg.bf16, cfg.activation_checkpointing), tokenizer
    return model_path, hf.build_model(model_path, tokenizer), tokenizer


def _apply_lora(cfg: ITConfig, model):
    from peft import LoraConfig, get_peft_model

    targets: Any = cfg.lora_target_modules
    if targets != "all-linear":
        targets = [t.strip() for t in targets.split(",") if t.strip()]
    peft_cfg = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                          target_modules=targets, task_type="CAUSAL_LM")
    return get_peft_model(model, peft_cfg)
