"""Continual pre-training and instruction tuning: two plain functions around the Hugging Face Trainer.

``run_cpt(CPTConfig)`` and ``run_it(ITConfig)`` are the whole API. Notebooks call them, the command line calls
them (``python -m lexlab.legalmidm.train cpt --config cpt.yaml``), and so does ``accelerate launch -m lexlab.legalmidm.train ...``:
the Trainer picks up DDP/FSDP from the launcher's environment, so multi-GPU needs no code path of its own.

The same code takes "tiny" (a Llama built from a config, tokenizer trained on our corpus, minutes on 2 CPU
cores) or any Hugging Face model path. Runs are resumable: checkpoints go to ``work/models/<name>/checkpoints``
every ``save_steps`` and a re-run with the same name continues from the last one (model, optimizer, scheduler,
RNG and data position), so a killed job loses at most ``save_steps`` steps. The result lands in
``work/models/<name>/final`` (model or LoRA adapter + tokenizer) and is logged to MLflow as an artifact.

MLflow: the Trainer's own callback (``report_to="mlflow"``) logs losses and TrainingArguments into the active
run (the one ``lexlab.workbench.tracking.stage_run`` opened, or one we open when called from the command line). It knows
nothing of data mixing, formats or LoRA, so we log those ourselves. Our parameter names avoid the Trainer's and
the model config's (e.g. ``tokenizer_vocab_size``, not ``vocab_size``): MLflow refuses to change a logged value,
and a clash would silently drop the Trainer's whole batch of params.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import torch
from datasets import Dataset
from transformers import DataCollatorForSeq2Seq, Trainer, TrainerCallback, TrainingArguments, default_data_collator
from transformers.trainer_callback import TrainerState
from transformers.trainer_utils import get_last_checkpoint
from transformers.trainer import TRAINER_STATE_NAME

from lexlab.legalmidm import formats, mixing
from lexlab.models import hf as modeling
from lexlab.workbench.config import config_from_dict  # noqa: F401  (part of this module's API)
from lexlab.workbench import paths

log = logging.getLogger(__name__)

CPT_STAGE, IT_STAGE = "continual_pretraining", "instruction_tuning"


# ------------------------------------------------------------------------------------------------ configs

@dataclass
class TrainConfig:
    """What both stages share. Defaults are sized for one variant in ~1–2 minutes on 2 CPU cores."""

    run_name: str = "default"
    model_name: str = ""                  # directory under work/models/; "" → run_name
    seed: int = 0
    max_steps: int = 150
    per_device_train_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    learning_rate: float = 1e-3
    warmup_steps: int = 10
    weight_decay: float = 0.0
    lr_scheduler_type: str = "cosine"
    logging_steps: int = 10
    save_steps: int = 50
    save_total_limit: int = 2
    resume: bool = True                   # continue from the last checkpoint of the same model_name
    general_fraction: float = mixing.DEFAULT_GENERAL_FRACTION
    stopping_strategy: str = "first_exhausted"
    general_jsonl: str = ""               # a user's general data instead of the press releases
    snapshot: str = "latest"
    bf16: bool = False
    activation_checkpointing: bool = False  # trade compute for memory on big models
    report_to: str = "mlflow"             # "none" to train without tracking
    torch_threads: int = 0                # CPU threads for torch; 0 → torch's default (all cores)
    use_cpu: bool = False                 # force CPU; also what makes `torchrun` run DDP over CPU processes
    log_model: bool = True                # log work/models/<name>/final to MLflow as an artifact
    # the tiny model's shape (ignored for a real checkpoint); names avoid the Llama config's own keys
    tokenizer_vocab_size: int = 8000
    tiny_hidden_size: int = 128
    tiny_layers: int = 4
    tiny_heads: int = 4
    tiny_intermediate_size: int = 384

    def name(self) -> str:
        return self.model_name or self.run_name

    def model_dir(self) -> Path:
        return paths.work_dir("models", self.name())


@dataclass
class CPTConfig(TrainConfig):
    """Continual pre-training on legal raw text, mixed with general text by ``general_fraction``."""

    model: str = "tiny"                   # "tiny", a local model dir, a models/<name>, or a hub id
    block_size: int = 128
    legal_tables: list[str] = field(default_factory=lambda: ["statutes", "decisions", "interpretations"])
    max_legal_docs: int = 300             # per legal table; 0 → all of the train split
    max_general_docs: int = 300           # 0 → all
    legal_jsonl: str = ""                 # a user's legal corpus ({"id","text"}) instead of the snapshot


@dataclass
class ITConfig(TrainConfig):
    """Instruction tuning on law QA (stage 02 output) mixed with general instructions, LoRA by default."""

    model: str = "tiny"                   # usually a CPT output: its models/<name> or final dir
    qa_dir: str = "law_qa"                # accepted.jsonl, its dir, or a run name under work/qa/
    format: str = "ref_in_output"
    system_prompt: str = ""
    max_length: int = 512
    max_ref_chars: int = 400              # statute text in ref_in_* formats is clipped to fit max_length
    max_qa_items: int = 0                 # 0 → all
    max_general_items: int = 0            # 0 → all that the general docs yield
    max_general_docs: int = 600
    general_tasks: list[str] = field(default_factory=lambda: ["title", "continue"])
    lora: bool = True                     # False → full fine-tuning
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_target_modules: str = "all-linear"
    learning_rate: float = 2e-3


# ------------------------------------------------------------------------------------------------ helpers

def resolve_qa(qa_dir: str) -> Path:
    """Stage 02's output: a JSONL file, a directory holding ``accepted.jsonl``, or a run name under work/qa."""
    path = Path(qa_dir)
    for candidate in (path, paths.work_dir("qa") / qa_dir):
        if candidate.is_file() or (candidate / mixing.QA_FILE).is_file():
            return candidate
    raise FileNotFoundError(
        f"qa_dir {qa_dir!r}: neither {path} nor {paths.work_dir('qa') / qa_dir} holds {mixing.QA_FILE}; run "
        "stage 02 (notebooks/02_generate_law_qa.ipynb) first or point qa_dir at a JSONL of QA items")


def loss_curve(log_history: Sequence[dict], title: str = "training loss"):
    """The Trainer's log history as a matplotlib figure (for notebooks and ``mlflow.log_figure``)."""
    import matplotlib.pyplot as plt

    points = [(h["step"], h["loss"]) for h in log_history if "loss" in h]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if points:
        ax.plot(*zip(*points), marker=".")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _tiny_overrides(cfg: TrainConfig, context_len: int) -> dict[str, int]:
    return {
        "hidden_size": cfg.tiny_hidden_size,
        "num_hidden_layers": cfg.tiny_layers,
        "num_attention_heads": cfg.tiny_heads,
        "num_key_value_heads": cfg.tiny_heads,
        "intermediate_size": cfg.tiny_intermediate_size,
        "max_position_embeddings": max(1024, context_len),
    }


def _ensure_chat_template(tokenizer) -> None:
    """Base (non-chat) checkpoints have no template; give them ours with their own end-of-sequence token."""
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = modeling.CHAT_TEMPLATE.replace("</s>", tokenizer.eos_token or "</s>")


def _training_args(cfg: TrainConfig, output_dir: Path, remove_unused_columns: bool) -> TrainingArguments:
    if cfg.torch_threads > 0:
        # on a CPU shared with other jobs, 1 thread avoids OpenMP spin-waiting (measured: 0.23 vs 2.2 CPU-s/step)
        torch.set_num_threads(cfg.torch_threads)
    return TrainingArguments(
        output_dir=str(output_dir),
        run_name=cfg.run_name,
        seed=cfg.seed,
        data_seed=cfg.seed,
        max_steps=cfg.max_steps,
        per_device_train_batch_size=cfg.per_device_train_batch_size,
        gradient_accumulation_steps=cfg.gradient_accumulation_steps,
        learning_rate=cfg.learning_rate,
        warmup_steps=cfg.warmup_steps,
        weight_decay=cfg.weight_decay,
        lr_scheduler_type=cfg.lr_scheduler_type,
        logging_steps=cfg.logging_steps,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=cfg.save_total_limit,
        bf16=cfg.bf16,
        use_cpu=cfg.use_cpu,
        activation_checkpointing=cfg.activation_checkpointing,
        report_to=[] if cfg.report_to in ("", "none") else [cfg.report_to],
        remove_unused_columns=remove_unused_columns,
        dataloader_num_workers=0,
        dataloader_pin_memory=torch.cuda.is_available(),
        disable_tqdm=False,
    )


@contextlib.contextmanager
def _mlflow_run(cfg: TrainConfig, stage: str, is_main: bool) -> Iterator[Any]:
    """The MLflow run this training logs into, shared with the Trainer's callback.

    Inside a notebook ``stage_run`` has already opened it; from the command line we open one (honouring
    ``MLFLOW_RUN_ID``). While training, ``MLFLOW_RUN_ID`` is hidden from the Trainer's callback: seeing it, the
    callback would try to start that run a second time while it is active, which MLflow refuses.
    """
    if cfg.report_to != "mlflow" or not is_main:
        yield None
        return
    import mlflow

    from lexlab.workbench import tracking

    started = False
    if mlflow.active_run() is None:
        tracking.setup_mlflow()
        mlflow.start_run(run_id=os.environ.get("MLFLOW_RUN_ID") or None,
                         run_name=None if os.environ.get("MLFLOW_RUN_ID") else cfg.name())
        mlflow.set_tags({"lexlab.stage": stage, "lexlab.git_commit": tracking.git_commit()})
        started = True
    status = "FAILED"
    try:
        with tracking.hide_run_id_from_trainer():
            yield mlflow.active_run()
        status = "FINISHED"
    finally:
        if started:
            mlflow.end_run(status)


def _log_params(run, params: dict[str, Any]) -> None:
    if run is None:
        return
    from lexlab.workbench import tracking

    tracking.log_params(params)


def _log_metrics(run, metrics: dict[str, float]) -> None:
    if run is not None:
        import mlflow

        mlflow.log_metrics({k: float(v) for k, v in metrics.items()})


def _checkpoint_step(path: str) -> int:
    return int(Path(path).name.rsplit("-", 1)[-1])


def _fit(cfg: TrainConfig, model, tokenizer, train_ds: Dataset, collator, args: TrainingArguments,
         run, stage: str, callbacks: Sequence[TrainerCallback] = ()) -> dict[str, Any]:
    """Train (resuming if a checkpoint exists), save final model + tokenizer, log it; return a summary."""
    ckpt_dir = Path(args.output_dir)
    last = get_last_checkpoint(str(ckpt_dir)) if cfg.resume and ckpt_dir.is_dir() else None
    if last:
        log.info("resuming %s from %s", cfg.name(), last)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, data_collator=collator,
                      processing_class=tokenizer, callbacks=list(callbacks))
    started = time.time()
    if last and _checkpoint_step(last) >= cfg.max_steps:
        # Finished before (e.g. a CPT model shared by ablation siblings, or killed while saving). Resuming at
        # max_steps would make the Trainer take one extra step, so load the checkpoint instead of training.
        log.info("%s already reached step %d: loading %s, no training", cfg.name(), cfg.max_steps, last)
        trainer._load_from_checkpoint(last)
        trainer.state = TrainerState.load_from_json(str(Path(last) / TRAINER_STATE_NAME))
        ended = [h["train_loss"] for h in trainer.state.log_history if "train_loss" in h]
        losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
        training_loss = (ended or losses or [float("nan")])[-1]
    else:
        training_loss = trainer.train(resume_from_checkpoint=last).training_loss
    wall = time.time() - started

    final = cfg.model_dir() / "final"
    trainer.save_model(str(final))
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(final))
        (final / "lexlab_train.json").write_text(
            json.dumps({"stage": stage, "config": asdict(cfg)}, ensure_ascii=False, indent=2), encoding="utf-8")
    losses = [(h["step"], h["loss"]) for h in trainer.state.log_history if "loss" in h]
    summary = {
        "final_dir": str(final),
        "global_step": trainer.state.global_step,
        "resumed_from": last,
        "train_loss": training_loss,
        "final_loss": losses[-1][1] if losses else training_loss,
        "train_seconds": wall,
        "log_history": trainer.state.log_history,
        "n_params": modeling.count_parameters(model),
        "n_trainable_params": modeling.count_parameters(model, trainable_only=True),
    }
    _log_metrics(run, {"train_seconds": wall, "final_loss": summary["final_loss"],
                       "n_params": summary["n_params"], "n_trainable_params": summary["n_trainable_params"]})
    if run is not None and cfg.log_model and trainer.is_world_process_zero():
        import mlflow

        mlflow.log_artifacts(str(final), artifact_path="model")
        mlflow.set_tag("lexlab.model_dir", str(final))
    return summary


# --------------------------------------------------------------------------------------------------- CPT

def pack(texts: Sequence[str], tokenizer, block_size: int) -> list[list[int]]:
    """Concatenate documents (each ended by EOS) and cut into ``block_size`` blocks; the ragged tail is dropped.

    Packing each side (legal, general) separately before mixing makes every example one full block, so the
    example ratio that ``mixing.mix`` realises is also the token ratio.
    """
    eos = tokenizer.eos_token_id
    stream: list[int] = []
    for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]:
        stream.extend(ids)
        stream.append(eos)
    return [stream[i: i + block_size] for i in range(0, len(stream) - block_size + 1, block_size)]


def cpt_corpus(cfg: CPTConfig) -> tuple[list[dict], list[dict]]:
    """(legal docs, general docs) for CPT from the snapshot's train split, or the user's JSONL files."""
    from lexlab.data import general_text

    need_snapshot = not cfg.legal_jsonl or (cfg.general_fraction > 0 and not cfg.general_jsonl)
    snap = None
    if need_snapshot:
        from lexlab.data import snapshot as snapshot_mod

        snap = snapshot_mod.load_snapshot(None if cfg.snapshot in ("", "latest") else paths.snapshot_dir(cfg.snapshot))
    if cfg.legal_jsonl:
        legal = mixing.read_text_jsonl(cfg.legal_jsonl)
        legal = legal[: cfg.max_legal_docs] if cfg.max_legal_docs else legal
    else:
        legal = mixing.legal_texts(snap, cfg.legal_tables, max_docs=cfg.max_legal_docs or None)
    general: list[dict] = []
    if cfg.general_fraction > 0 or not cfg.general_jsonl:
        # general text is read even for legal-only runs when it comes from the snapshot, so that the
        # tokenizer (trained on both sides) is the same in every variant of a mixing ablation
        general = general_text.general_texts(snap, jsonl=cfg.general_jsonl or None,
                                             max_docs=cfg.max_general_docs or None)
    return legal, general


def run_cpt(cfg: CPTConfig, legal_docs: Sequence[dict] | None = None, general_docs: Sequence[dict] | None = None,
            callbacks: Sequence[TrainerCallback] = ()) -> dict[str, Any]:
    """Continual pre-training. ``legal_docs``/``general_docs`` (``{"text"}`` dicts) replace the snapshot when
    given — tests and users with in-memory data use that; the notebook lets them default."""
    if legal_docs is None:
        legal_docs, general_docs = cpt_corpus(cfg)
    general_docs = list(general_docs or [])
    if not legal_docs:
        raise ValueError("CPT has no legal documents (check the snapshot / legal_jsonl and max_legal_docs)")
    args = _training_args(cfg, cfg.model_dir() / "checkpoints", remove_unused_columns=True)
    model_path = modeling.resolve_model(cfg.model)
    legal_txt = [d["text"] for d in legal_docs]
    general_txt = [d["text"] for d in general_docs]
    with args.main_process_first(desc="tokenizer"):
        if model_path == "tiny":
            tokenizer = modeling.cached_tokenizer(legal_txt + general_txt, cfg.tokenizer_vocab_size)
            model = modeling.build_model("tiny", tokenizer, seed=cfg.seed, **_tiny_overrides(cfg, cfg.block_size))
        else:
            tokenizer = _load_tokenizer(model_path)
            model = modeling.build_model(model_path, tokenizer)
    legal_blocks = pack(legal_txt, tokenizer, cfg.block_size)
    general_blocks = pack(general_txt, tokenizer, cfg.block_size) if cfg.general_fraction > 0 else []
    if not legal_blocks:
        raise ValueError(f"legal text is shorter than one block of {cfg.block_size} tokens")
    legal_ds = Dataset.from_dict({"input_ids": legal_blocks})
    general_ds = Dataset.from_dict({"input_ids": general_blocks}) if general_blocks else None
    train_ds = mixing.mix(legal_ds, general_ds, cfg.general_fraction, seed=cfg.seed,
                          stopping_strategy=cfg.stopping_strategy)
    ratio = mixing.realised_ratio(train_ds)
    train_ds = train_ds.remove_columns("origin").map(
        lambda b: {"labels": b["input_ids"], "attention_mask": [[1] * len(x) for x in b["input_ids"]]},
        batched=True)

    with _mlflow_run(cfg, CPT_STAGE, args.process_index == 0) as run:
        _log_params(run, {**_config_params(cfg), "n_legal_docs": len(legal_docs),
                          "n_general_docs": len(general_docs), "n_legal_blocks": len(legal_blocks),
                          "n_general_blocks": len(general_blocks), "n_train_blocks": ratio["n"],
                          "tokenizer_size": len(tokenizer)})
        _log_metrics(run, {"realised_general_fraction": ratio["general_fraction"]})
        summary = _fit(cfg, model, tokenizer, train_ds, default_data_collator, args, run, CPT_STAGE, callbacks)
    summary.update({"mix": ratio, "n_legal_docs": len(legal_docs), "n_general_docs": len(general_docs),
                    "tokens_per_step": cfg.block_size * cfg.per_device_train_batch_size
                    * cfg.gradient_accumulation_steps * args.world_size})
    return summary


# ---------------------------------------------------------------------------------------------------- IT

def _load_tokenizer(model_path: str):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_path)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def it_items(cfg: ITConfig) -> tuple[list[dict], list[dict]]:
    """(legal QA items, general instruction items) per the config; see ``mixing.load_qa`` and
    ``general_text.general_instructions``."""
    from lexlab.data import general_text

    legal = mixing.load_qa(resolve_qa(cfg.qa_dir), max_items=cfg.max_qa_items or None)
    general: list[dict] = []
    if cfg.general_fraction > 0:
        if cfg.general_jsonl:
            general = general_text.read_instruction_jsonl(cfg.general_jsonl)
        else:
            from lexlab.data import snapshot as snapshot_mod

            snap = snapshot_mod.load_snapshot(None if cfg.snapshot in ("", "latest")
                                              else paths.snapshot_dir(cfg.snapshot))
            docs = general_text.general_texts(snap, max_docs=cfg.max_general_docs or None)
            general = general_text.general_instructions(docs, cfg.general_tasks, seed=cfg.seed)
        general = general[: cfg.max_general_items] if cfg.max_general_items else general
    return legal, general


def _it_model(cfg: ITConfig, texts_for_tokenizer: Sequence[str]):
    """Base model + tokenizer for IT. A fresh "tiny" base is saved first so a LoRA adapter on it can be
    reloaded later (an adapter records its base's path)."""
    model_path = modeling.resolve_model(cfg.model)
    if model_path == "tiny":
        base_dir = cfg.model_dir() / "base"
        if not (base_dir / "config.json").exists():
            tok = modeling.cached_tokenizer(list(texts_for_tokenizer), cfg.tokenizer_vocab_size)
            base = modeling.build_model("tiny", tok, seed=cfg.seed, **_tiny_overrides(cfg, cfg.max_length))
            base.save_pretrained(str(base_dir))
            tok.save_pretrained(str(base_dir))
        model_path = str(base_dir)
    tokenizer = _load_tokenizer(model_path)
    _ensure_chat_template(tokenizer)
    model = modeling.build_model(model_path, tokenizer)
    return model_path, model, tokenizer


def _apply_lora(cfg: ITConfig, model):
    from peft import LoraConfig, get_peft_model

    targets: Any = cfg.lora_target_modules
    if targets != "all-linear":
        targets = [t.strip() for t in targets.split(",") if t.strip()]
    peft_cfg = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                          target_modules=targets, task_type="CAUSAL_LM")
    return get_peft_model(model, peft_cfg)


def encode_items(items: Sequence[dict], tokenizer, cfg: ITConfig) -> tuple[Dataset, int]:
    """Render + tokenize items in the configured format; returns (dataset, number dropped for lack of room)."""
    rows, dropped = [], 0
    system = cfg.system_prompt or None
    for it in items:
        enc = formats.encode(it, cfg.format, tokenizer, cfg.max_length, system, cfg.max_ref_chars)
        if enc.pop("n_target_tokens") == 0:
            dropped += 1
            continue
        rows.append({**enc, "origin": it["origin"]})
    if not rows:
        raise ValueError(f"no IT example fits max_length={cfg.max_length}")
    return Dataset.from_list(rows), dropped


def run_it(cfg: ITConfig, legal_items: Sequence[dict] | None = None, general_items: Sequence[dict] | None = None,
           callbacks: Sequence[TrainerCallback] = ()) -> dict[str, Any]:
    """Instruction tuning. ``legal_items``/``general_items`` (QA dicts) replace stage-02 output / press-release
    instructions when given."""
    formats.check_format(cfg.format)
    if legal_items is None:
        legal_items, general_items = it_items(cfg)
    general_items = list(general_items or [])
    if not legal_items:
        raise ValueError("IT has no legal QA items (check qa_dir)")
    args = _training_args(cfg, cfg.model_dir() / "checkpoints", remove_unused_columns=False)
    with args.main_process_first(desc="base model"):
        texts = [f"{i['question']}\n{i['answer']}\n{i.get('reference', '')}" for i in [*legal_items, *general_items]]
        model_path, model, tokenizer = _it_model(cfg, texts)
    # mix at the item level (same ratio as requested), then render in the chosen format
    mixed = mixing.mix(mixing.items_dataset(legal_items),
                       mixing.items_dataset(general_items) if general_items else None,
                       cfg.general_fraction, seed=cfg.seed, stopping_strategy=cfg.stopping_strategy)
    ratio = mixing.realised_ratio(mixed)
    train_ds, dropped = encode_items(list(mixed), tokenizer, cfg)
    train_ds = train_ds.remove_columns("origin")
    if cfg.lora:
        model = _apply_lora(cfg, model)
    collator = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=formats.IGNORE_INDEX,
                                      return_tensors="pt")
    with _mlflow_run(cfg, IT_STAGE, args.process_index == 0) as run:
        _log_params(run, {**_config_params(cfg), "base_model_path": model_path,
                          "n_legal_items": len(legal_items), "n_general_items": len(general_items),
                          "n_train_examples": len(train_ds), "n_dropped_too_long": dropped})
        _log_metrics(run, {"realised_general_fraction": ratio["general_fraction"]})
        summary = _fit(cfg, model, tokenizer, train_ds, collator, args, run, IT_STAGE, callbacks)
    summary.update({"mix": ratio, "n_legal_items": len(legal_items), "n_general_items": len(general_items),
                    "n_dropped_too_long": dropped, "base_model_path": model_path})
    return summary


def _config_params(cfg: TrainConfig) -> dict[str, Any]:
    """Our own knobs for MLflow. Fields that are also TrainingArguments are left to the Trainer's callback,
    which logs them in its own spelling (e.g. ``report_to`` as a list); logging them first would clash."""
    trainer_fields = {f.name for f in dataclasses.fields(TrainingArguments)}
    return {k: (",".join(v) if isinstance(v, list) else v) for k, v in asdict(cfg).items() if k not in trainer_fields}


# ---------------------------------------------------------------------------------------------------- CLI

def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lexlab.legalmidm.train {cpt,it} --config file.yaml [--set key=value ...]``.

    Works unchanged under ``accelerate launch -m lexlab.legalmidm.train ...`` (one process per GPU; the Trainer does DDP).
    """
    import yaml

    parser = argparse.ArgumentParser(prog="python -m lexlab.legalmidm.train", description=main.__doc__)
    parser.add_argument("stage", choices=["cpt", "it"])
    parser.add_argument("--config", help="YAML mapping of config fields (a top-level 'params' key also works)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one field")
    ns = parser.parse_args(argv)
    values: dict[str, Any] = {}
    if ns.config:
        loaded = yaml.safe_load(Path(ns.config).read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise SystemExit(f"{ns.config}: top level must be a mapping of config fields")
        values.update(loaded.get("params", loaded))
    for item in ns.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set {item!r}: expected KEY=VALUE")
        values[key.strip()] = yaml.safe_load(value) if value else ""
    cls = CPTConfig if ns.stage == "cpt" else ITConfig
    cfg = config_from_dict(cls, values, source=ns.config or "--set")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    result = run_cpt(cfg) if ns.stage == "cpt" else run_it(cfg)
    result.pop("log_history", None)
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
