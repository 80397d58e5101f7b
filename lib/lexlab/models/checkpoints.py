"""Which checkpoint a training resumes from, and the link from the resumed MLflow run to the one it continues.

A job killed while the Trainer saves leaves its newest ``checkpoint-N`` without ``trainer_state.json`` (written
last, after weights, optimizer and RNG state); resuming from it raised ``FileNotFoundError`` on every restart.
``newest_complete`` skips such checkpoints and says which one it takes. ``link_resumed_run`` tags the new run with
the run that wrote the checkpoint (``lexlab.resumed_from_run``) and logs the step as ``resumed_from_step``.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

STATE = "trainer_state.json"
RUN_FILE = "lexlab_run.json"  # in <model_dir>: the MLflow run that last trained into it
_CKPT = re.compile(r"^checkpoint-(\d+)$")


def step_of(checkpoint: str | Path) -> int:
    return int(_CKPT.match(Path(checkpoint).name).group(1))


def incomplete_reason(checkpoint: Path) -> str | None:
    """Why a checkpoint cannot be resumed from (None when it can)."""
    state = checkpoint / STATE
    if not state.is_file():
        return f"no {STATE}"
    try:
        json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"unreadable {STATE} ({exc})"
    if not any(p.suffix in (".safetensors", ".bin") for p in checkpoint.iterdir()):
        return "no weights"
    return None


def newest_complete(ckpt_dir: str | Path) -> tuple[str | None, list[str]]:
    """(the newest complete ``checkpoint-N`` under ``ckpt_dir`` or None, notes on newer incomplete ones skipped)."""
    ckpt_dir = Path(ckpt_dir)
    if not ckpt_dir.is_dir():
        return None, []
    found = sorted((p for p in ckpt_dir.iterdir() if p.is_dir() and _CKPT.match(p.name)), key=step_of, reverse=True)
    skipped = []
    for ckpt in found:
        reason = incomplete_reason(ckpt)
        if reason is None:
            return str(ckpt), skipped
        skipped.append(f"{ckpt.name} ({reason})")
    return None, skipped


def announce(model_dir: Path, last: str | None, skipped: list[str]) -> None:
    """Say on the console (and the log) which checkpoint the run resumes from, and what it skipped."""
    if skipped:
        msg = f"{model_dir.name}: skipping incomplete checkpoint(s) {', '.join(skipped)}"
        log.warning(msg)
        print(msg)
    if last:
        msg = f"{model_dir.name}: resuming from {Path(last).name} (step {step_of(last)})"
        log.warning(msg)
        print(msg)


def link_resumed_run(model_dir: Path, last: str | None) -> None:
    """Into the active MLflow run: where it resumes from (tags + ``resumed_from_step``); then record this run as
    the one training ``model_dir``. Nothing without an active run (``report_to="none"``)."""
    import mlflow

    run = mlflow.active_run()
    if run is None:
        return
    if last:
        previous = _previous_run(model_dir)
        tags = {"lexlab.resumed_from_checkpoint": str(last)}
        if previous and previous != run.info.run_id:
            tags["lexlab.resumed_from_run"] = previous
        mlflow.set_tags(tags)
        if "resumed_from_step" not in mlflow.get_run(run.info.run_id).data.params:
            mlflow.log_param("resumed_from_step", step_of(last))
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / RUN_FILE).write_text(json.dumps({"run_id": run.info.run_id}), encoding="utf-8")


def _previous_run(model_dir: Path) -> str | None:
    try:
        return json.loads((model_dir / RUN_FILE).read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError, AttributeError):
        return None
