"""The one wrapper around the Hugging Face ``Trainer`` that every training entry point uses.

CPT and IT (``lexlab.legalmidm.train``), the LegalSearchLM span generator and the dense encoder all train the same
way: ``TrainingArguments`` from a config (``training_arguments``), resume from the last checkpoint under
``<model_dir>/checkpoints`` (a run that already reached ``max_steps`` is loaded, not trained further), and save
model + tokenizer to ``<model_dir>/final`` with a JSON file describing the run (``fit``, ``save_run_json``). The
outcome is a ``TrainResult``.

MLflow: with ``report_to="mlflow"`` the Trainer's own callback logs losses and its ``TrainingArguments`` into the
active run (the one ``tracking.stage_run`` opened, or the one ``mlflow_run`` opens from the command line; see
``tracking.hide_run_id_from_trainer`` for why it must not see ``MLFLOW_RUN_ID``). It knows nothing of our own
settings, so entry points log those (``config_params``) under names that avoid the Trainer's and the model
config's (e.g. ``tokenizer_vocab_size``, not ``vocab_size``): MLflow refuses to change a logged value, and a clash
would silently drop the Trainer's whole batch of params. For the same reason ``run_name`` must be the notebook's.
"""
from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Literal, Mapping, Sequence

import torch
from transformers import Trainer, TrainerCallback, TrainingArguments
from transformers.trainer import TRAINER_STATE_NAME
from transformers.trainer_callback import TrainerCallback, TrainerState

from lexlab.models import checkpoints, hf, trainer_params
from lexlab.workbench import progress, tracking
from lexlab.workbench.config import check_choices, check_non_negative, check_positive

log = logging.getLogger(__name__)

SchedulerType = Literal["linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
                        "constant_with_warmup", "inverse_sqrt", "cosine_with_min_lr", "warmup_stable_decay"]
# "auto": "mlflow" when an MLflow run is active, else "none"
ReportTo = Literal["auto", "mlflow", "none", "tensorboard", "wandb"]


# ------------------------------------------------------------------------------------------------ configs

@dataclass
class TrainConfig:
    """What the shared trainer reads; each entry point's config adds its own fields and defaults."""

    run_name: str = ""                    # the Trainer's run name (the notebook's); "" → the Trainer's default
    seed: int = 0
    max_steps: int = 100
    learning_rate: float = 1e-3
    warmup_steps: int = 0
    weight_decay: float = 0.0
    lr_scheduler_type: SchedulerType = "cosine"
    save_steps: int = 50
    save_total_limit: int = 2
    resume: bool = True                   # continue from the last checkpoint in model_dir()/checkpoints
    report_to: ReportTo = "mlflow"        # "" is read as "none"
    torch_threads: int = 0                # CPU threads for torch; 0 → torch's default (all cores)
    use_cpu: bool = False                 # force CPU; also what makes `torchrun` run DDP over CPU processes
    progress: bool = True                 # progress bars

    def __post_init__(self) -> None:
        self.report_to = self.report_to or "none"
        check_choices(self)
        check_positive(self, "max_steps", "save_steps", "save_total_limit", "learning_rate")
        check_non_negative(self, "warmup_steps", "weight_decay", "torch_threads")

    def model_dir(self) -> Path:
        """Where ``checkpoints/`` and ``final/`` go."""
        raise NotImplementedError


def config_params(cfg: Any) -> dict[str, Any]:
    """A config's own knobs for MLflow, all of them (the Trainer's callback logs no params: see
    ``lexlab.models.trainer_params``); ``lora_*`` only when LoRA is on."""
    values = asdict(cfg)
    lora_off = values.get("lora") is False
    return {k: (",".join(v) if isinstance(v, list) else v) for k, v in values.items()
            if not (lora_off and k.startswith("lora_"))}


def resolve_report_to(report_to: str) -> str:
    if report_to != "auto":
        return report_to
    import mlflow

    return "mlflow" if mlflow.active_run() is not None else "none"


def training_arguments(cfg: TrainConfig, **overrides: Any) -> TrainingArguments:
    """The config's shared fields as ``TrainingArguments`` (checkpoints in ``model_dir()/checkpoints``); the
    entry point passes the rest (batch size, logging steps, ...) as ``overrides``."""
    if cfg.torch_threads > 0:
        # on a CPU shared with other jobs, 1 thread avoids OpenMP spin-waiting (measured: 0.23 vs 2.2 CPU-s/step)
        torch.set_num_threads(cfg.torch_threads)
    report_to = resolve_report_to(cfg.report_to)
    values = dict(
        output_dir=str(cfg.model_dir() / "checkpoints"),
        run_name=cfg.run_name or None,
        seed=cfg.seed,
        data_seed=cfg.seed,
        max_steps=cfg.max_steps,
        learning_rate=cfg.learning_rate,
        warmup_steps=cfg.warmup_steps,
        weight_decay=cfg.weight_decay,
        lr_scheduler_type=cfg.lr_scheduler_type,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=cfg.save_total_limit,
        use_cpu=cfg.use_cpu,
        report_to=[] if report_to == "none" else [report_to],
        dataloader_num_workers=0,
        dataloader_pin_memory=torch.cuda.is_available(),
        disable_tqdm=not cfg.progress or progress.mode() == "off",
    )
    return TrainingArguments(**{**values, **overrides})


# ------------------------------------------------------------------------------------------------ MLflow

@contextlib.contextmanager
def mlflow_run(cfg: TrainConfig, stage: str, is_main: bool = True) -> Iterator[bool]:
    """The MLflow run a training logs into, shared with the Trainer's callback; yields whether it tracks.

    Inside a notebook ``stage_run`` has already opened it; from the command line we open one (honouring
    ``MLFLOW_RUN_ID``), tagged with ``stage``, and close it afterwards (FAILED if training raised).
    """
    if resolve_report_to(cfg.report_to) != "mlflow" or not is_main:
        yield False
        return
    import mlflow

    started = False
    if mlflow.active_run() is None:
        tracking.setup_mlflow()
        run_id = tracking.take_env_run_id()
        mlflow.start_run(run_id=run_id, run_name=None if run_id else cfg.model_dir().name)
        mlflow.set_tags({"lexlab.stage": stage, "lexlab.git_commit": tracking.git_commit()})
        started = True
    status = "FAILED"
    try:
        yield True
        status = "FINISHED"
    finally:
        if started:
            mlflow.end_run(status)


# ------------------------------------------------------------------------------------------------ fitting

@dataclass
class TrainResult:
    """What a training run produced; ``extra`` holds what only one entry point reports (data mix, counts)."""

    final_dir: str
    global_step: int
    resumed_from: str | None
    train_loss: float
    final_loss: float
    train_seconds: float
    log_history: list[dict]
    n_params: int
    n_trainable_params: int
    extra: dict[str, Any] = field(default_factory=dict)

    def losses(self) -> dict[int, float]:
        """``{step: logged training loss}``."""
        return {h["step"]: h["loss"] for h in self.log_history if "loss" in h}

    def summary(self) -> dict[str, Any]:
        """Everything but the log history, ``extra`` flattened in: what a command line prints."""
        out = {k: v for k, v in asdict(self).items() if k not in ("log_history", "extra")}
        return {**out, **self.extra}


def last_checkpoint(cfg: TrainConfig) -> str | None:
    """The checkpoint a run resumes from: the newest under ``model_dir()/checkpoints`` (``None`` without resume)."""
    if not cfg.resume:
        return None
    last, skipped = checkpoints.newest_complete(cfg.model_dir() / "checkpoints")  # skips a half-saved newest one
    checkpoints.announce(cfg.model_dir(), last, skipped)
    return last


class OneLossName(TrainerCallback):
    """MLflow gets one training loss, ``loss`` (the curve): the Trainer's closing ``train_loss`` (its mean over
    the run) is taken out of the logs its MLflow callback reads; the log history and ``TrainResult`` keep it."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs is not None:
            logs.pop("train_loss", None)


class StepBar(TrainerCallback):
    """The Trainer's bar under the runner (``progress.mode() == "step"``): one text line over the steps, and no
    table of logged losses (the Trainer's notebook callback prints a "Training Loss" row per logging step into
    the saved notebook; the loss curve is in MLflow and in the notebook's plot)."""

    def on_train_begin(self, args, state, control, **kwargs):
        self.bar = progress.step_bar(total=state.max_steps, initial=state.global_step, desc="training", unit="step")

    def on_step_end(self, args, state, control, **kwargs):
        self.bar.update(state.global_step - self.bar.n)

    def on_train_end(self, args, state, control, **kwargs):
        self.bar.close()


def quiet_callbacks(trainer: Trainer) -> None:
    """One loss name for MLflow (``OneLossName``, ahead of its callback); under the runner, ``StepBar`` in place
    of the Trainer's own bar or notebook table; with progress off, no ``PrinterCallback`` (the Trainer's stand-in
    for its bar, which prints every logged ``{'loss': ..., 'epoch': ...}`` dict: quiet means quiet)."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback
    from transformers.utils.notebook import NotebookProgressCallback

    trainer.callback_handler.callbacks.insert(0, OneLossName())
    if trainer.args.disable_tqdm:
        trainer.remove_callback(PrinterCallback)
    if progress.mode() == "step" and not trainer.args.disable_tqdm:
        for cls in (ProgressCallback, NotebookProgressCallback):
            trainer.remove_callback(cls)
        trainer.add_callback(StepBar())


def fit(trainer: Trainer, cfg: TrainConfig, tokenizer) -> TrainResult:
    """Train (resuming from the last checkpoint), save model + tokenizer to ``model_dir()/final``."""
    quiet_callbacks(trainer)
    last = last_checkpoint(cfg)
    if trainer.is_world_process_zero():
        checkpoints.link_resumed_run(cfg.model_dir(), last)
    trainer.args.resume_from_checkpoint = last  # what the Trainer's MLflow callback logs as a param
    started = time.time()
    trainer.add_callback(FiniteLossGuard())
    with tracking.hide_run_id_from_trainer():
        loaded = bool(last) and checkpoints.step_of(last) >= cfg.max_steps
        if loaded:
            train_loss = _load_finished(trainer, last, cfg.max_steps)
        else:
            train_loss = trainer.train(resume_from_checkpoint=last).training_loss
        seconds = time.time() - started
        # a NaN model is never saved as final/ nor reported as trained; a loaded checkpoint may predate any logged
        # loss (NaN stands for "unknown" there), so only its logged losses and weights are checked
        check_finite(trainer, None if loaded else train_loss)
        final = cfg.model_dir() / "final"
        trainer.save_model(str(final))
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(final))
    if "mlflow" in (trainer.args.report_to or []) and trainer.is_world_process_zero():
        trainer_params.log_trainer_settings(trainer, asdict(cfg))
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return TrainResult(
        final_dir=str(final), global_step=trainer.state.global_step, resumed_from=last, train_loss=train_loss,
        final_loss=losses[-1] if losses else train_loss, train_seconds=seconds,
        log_history=trainer.state.log_history, n_params=hf.count_parameters(trainer.model),
        n_trainable_params=hf.count_parameters(trainer.model, trainable_only=True))


class NonFiniteTraining(RuntimeError):
    """The loss or the weights became NaN or infinite: the run fails rather than saving a broken model."""


class FiniteLossGuard(TrainerCallback):
    """Stops training at the first logged loss that is NaN or infinite (instead of finishing the run)."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            raise NonFiniteTraining(f"training loss became {loss} at step {state.global_step} (learning rate "
                                    f"{args.learning_rate}): the model diverged; lower the learning rate")


def check_finite(trainer: Trainer, train_loss: float | None) -> None:
    """`NonFiniteTraining` unless the training loss (when known), every logged loss and every weight are finite."""
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    if not all(math.isfinite(v) for v in [*([] if train_loss is None else [train_loss]), *losses]):
        raise NonFiniteTraining(f"training loss is not finite (train_loss={train_loss}, logged {losses[-5:]}); "
                                "the model diverged: lower the learning rate")
    bad = [name for name, p in trainer.model.named_parameters() if not torch.isfinite(p).all()]
    if bad:
        raise NonFiniteTraining(f"{len(bad)} weight tensor(s) hold NaN or inf after training (first: {bad[0]}); "
                                "the model diverged: lower the learning rate")


def _load_finished(trainer: Trainer, last: str, max_steps: int) -> float:
    """A run that finished before (e.g. a CPT model shared by ablation siblings, or killed while saving): resuming
    at ``max_steps`` would make the Trainer take one extra step, so its checkpoint is loaded instead."""
    log.info("already at step %d: loading %s, no training", max_steps, last)
    trainer._load_from_checkpoint(last)
    trainer.state = TrainerState.load_from_json(str(Path(last) / TRAINER_STATE_NAME))
    ended = [h["train_loss"] for h in trainer.state.log_history if "train_loss" in h]
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return (ended or losses or [float("nan")])[-1]


def save_run_json(trainer: Trainer, result: TrainResult, name: str, content: Mapping[str, Any]) -> Path:
    """``final/<name>``: a JSON description of the run next to the model it describes (main process only)."""
    path = Path(result.final_dir) / name
    if trainer.is_world_process_zero():
        path.write_text(json.dumps(content, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


def log_result(result: TrainResult, log_model: bool) -> None:
    """Into the active MLflow run: the run's size and outcome, and (``log_model``) ``final/`` as an MLflow model
    (``lexlab.models.mlflow_model``: MLflow's Logged Models page lists it, the registry can take it)."""
    import mlflow

    metrics = {"train_seconds": result.train_seconds,  # the loss is the Trainer's `loss` curve, said once
               "n_params": result.n_params, "n_trainable_params": result.n_trainable_params}
    mlflow.log_metrics({k: float(v) for k, v in metrics.items()})
    if not result.losses() and result.train_loss == result.train_loss:  # fewer steps than logging_steps
        mlflow.log_metric("loss", float(result.train_loss), step=result.global_step)  # still one loss, same name
    if log_model:
        from lexlab.models import mlflow_model

        run = mlflow.active_run()
        stage = mlflow.get_run(run.info.run_id).data.tags.get("lexlab.stage", "training") if run else "training"
        mlflow_model.log_model(result.final_dir, description=(
            f"{stage}: {result.n_trainable_params:,} of {result.n_params:,} parameters trained for "
            f"{result.global_step} steps (final loss {result.final_loss:.3f}); weights in {result.final_dir}"))
        mlflow.set_tag("lexlab.model_dir", result.final_dir)


def loss_curve(log_history: Sequence[dict], title: str = "training loss", ylabel: str = "loss",
               figsize: tuple[float, float] = (6, 3.5)):
    """The Trainer's log history as a matplotlib figure (for notebooks and ``mlflow.log_figure``)."""
    import matplotlib.pyplot as plt

    from lexlab.workbench import plots

    plots.setup()
    points = [(h["step"], h["loss"]) for h in log_history if "loss" in h]
    fig, ax = plt.subplots(figsize=figsize)
    if points:
        ax.plot(*zip(*points), marker=".")
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
