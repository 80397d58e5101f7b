"""What a training run logs as MLflow params: our configuration, and the Trainer's arguments that differ from
their defaults. The Trainer's own callback would log every ``TrainingArguments`` field and the model config
(about 180 params a run, most of them defaults; ``tracking.hide_run_id_from_trainer`` turns that off); the full
dump is kept as JSON artifacts (``trainer/training_args.json``, ``trainer/model_config.json``).
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

# paths and names that say where, not how: the run already shows them
_NOT_SETTINGS = {"output_dir", "logging_dir", "run_name", "hub_token", "push_to_hub_token"}


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def default_arguments(args) -> dict[str, Any]:
    """The same ``TrainingArguments`` class with only ``output_dir`` given."""
    return type(args)(output_dir=args.output_dir).to_dict()


def changed_arguments(args, skip: Iterable[str] = ()) -> dict[str, Any]:
    """``TrainingArguments`` fields whose value differs from the default, minus ``skip`` (our config's names)."""
    skip = set(skip) | _NOT_SETTINGS
    defaults = default_arguments(args)
    out = {}
    for key, value in args.to_dict().items():
        if key in skip or _plain(value) == _plain(defaults.get(key)):
            continue
        out[key] = ",".join(map(str, value)) if isinstance(value, list) else value
    return out


def log_trainer_settings(trainer, config: Mapping[str, Any]) -> dict[str, Any]:
    """Into the active MLflow run: the changed arguments as params, the full dumps as artifacts; returns the
    params logged. ``config`` is our own configuration (logged by the entry point): its names are not repeated."""
    import mlflow

    from lexlab.workbench import tracking

    params = changed_arguments(trainer.args, skip=config)
    tracking.log_params(params)
    mlflow.log_text(json.dumps(trainer.args.to_dict(), ensure_ascii=False, indent=1, default=str),
                    "trainer/training_args.json")
    model_config = getattr(trainer.model, "config", None)
    if model_config is not None:
        mlflow.log_text(json.dumps(model_config.to_dict(), ensure_ascii=False, indent=1, default=str),
                        "trainer/model_config.json")
    return params
