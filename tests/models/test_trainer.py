"""The shared trainer's pieces that need no training: configs, arguments, checkpoints, the result."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mlflow
import pytest

from lexlab.models import trainer
from lexlab.models.trainer import TrainConfig, TrainResult


@dataclass
class _Cfg(TrainConfig):
    out_dir: str = ""

    def model_dir(self) -> Path:
        return Path(self.out_dir)


def test_training_arguments_come_from_the_config(tmp_path):
    cfg = _Cfg(out_dir=str(tmp_path), run_name="r", seed=3, max_steps=7, learning_rate=2e-3, warmup_steps=1,
               lr_scheduler_type="linear", save_steps=5, report_to="none", progress=False)
    args = trainer.training_arguments(cfg, per_device_train_batch_size=4)
    assert args.output_dir == str(tmp_path / "checkpoints") and args.run_name == "r"
    assert (args.seed, args.data_seed, args.max_steps, args.save_steps) == (3, 3, 7, 5)
    assert args.lr_scheduler_type == "linear" and args.report_to == [] and args.disable_tqdm
    assert args.per_device_train_batch_size == 4


def test_report_to_auto_follows_the_active_mlflow_run(tmp_path):
    cfg = _Cfg(out_dir=str(tmp_path), report_to="auto")
    assert mlflow.active_run() is None and trainer.resolve_report_to(cfg.report_to) == "none"
    with mlflow.start_run():
        assert trainer.training_arguments(cfg).report_to == ["mlflow"]
    assert trainer.resolve_report_to("none") == "none"


@pytest.mark.parametrize("field, value, message", [
    ("lr_scheduler_type", "cosine_typo", "lr_scheduler_type must be one of"),
    ("report_to", "slack", "report_to must be one of"),
    ("max_steps", 0, "max_steps must be positive"),
    ("save_steps", -1, "save_steps must be positive"),
    ("torch_threads", -1, "torch_threads must be 0 or more"),
])
def test_the_base_config_checks_its_fields(field, value, message):
    with pytest.raises(ValueError, match=message):
        _Cfg(**{field: value})


def test_resume_finds_the_newest_checkpoint_by_step(tmp_path):
    for step in (2, 10, 4):  # complete checkpoints: state and weights (an incomplete one is skipped)
        ckpt = tmp_path / "checkpoints" / f"checkpoint-{step}"
        ckpt.mkdir(parents=True)
        (ckpt / "trainer_state.json").write_text("{}")
        (ckpt / "model.safetensors").write_bytes(b"")
    assert trainer.last_checkpoint(_Cfg(out_dir=str(tmp_path))).endswith("checkpoint-10")
    assert trainer.last_checkpoint(_Cfg(out_dir=str(tmp_path), resume=False)) is None
    assert trainer.last_checkpoint(_Cfg(out_dir=str(tmp_path / "fresh"))) is None


def test_result_summary_flattens_extra_and_drops_the_history():
    history = [{"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.5}, {"step": 2, "train_loss": 1.75}]
    res = TrainResult(final_dir="f", global_step=2, resumed_from=None, train_loss=1.75, final_loss=1.5,
                      train_seconds=0.1, log_history=history, n_params=10, n_trainable_params=4,
                      extra={"mix": {"n": 3}})
    assert res.losses() == {1: 2.0, 2: 1.5}
    summary = res.summary()
    assert summary["mix"] == {"n": 3} and summary["global_step"] == 2
    assert "log_history" not in summary and "extra" not in summary
    fig = trainer.loss_curve(history, "t", ylabel="nll")
    assert fig.axes[0].get_ylabel() == "nll" and len(fig.axes[0].lines[0].get_xdata()) == 2
