"""Self-supervised model training for the retrievers that need a model: one entry point, ``train_model``.

``lexlab retrieve`` without ``--model`` and notebook 10 without a dense model both train one here. The trainers
(and torch/transformers with them) are imported only when a model is trained.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Mapping, Sequence

# method → (module, its config class, its training function)
TRAINERS: dict[str, tuple[str, str, str]] = {
    "dense": ("lexlab.legalsearchlm.retrieval.dense_train", "DenseConfig", "train_dense"),
    "searchlm": ("lexlab.legalsearchlm.searchlm.train", "SearchLMConfig", "train_searchlm"),
}


# The seconds per step (default batch size) and per corpus case behind the estimate printed before training
# starts. searchlm: 0.33 s/step and ~0.05 s/case (targets, tokenizer, FM-index) measured on the 2-core machine at
# load 2.8. dense: rough figures, not re-measured in issue #10.
_SECONDS_PER_STEP: dict[str, float] = {"dense": 1.0, "searchlm": 0.33}
_SECONDS_PER_CASE: dict[str, float] = {"dense": 0.01, "searchlm": 0.05}
_DEFAULT_BATCH: dict[str, int] = {"dense": 16, "searchlm": 16}


def estimate_seconds(method: str, steps: int, n_cases: int, train_kw: Mapping[str, Any] | None = None) -> float:
    """Rough wall time of ``train_model(method, ...)`` on 2 CPU cores: steps × measured s/step (scaled by batch
    size) + preparing the corpus (tokenizer, targets, FM-index)."""
    batch = float((train_kw or {}).get("batch_size", _DEFAULT_BATCH[method]))
    return steps * _SECONDS_PER_STEP[method] * batch / _DEFAULT_BATCH[method] + n_cases * _SECONDS_PER_CASE[method]


def default_steps(method: str) -> int:
    """The steps `lexlab retrieve` trains when no --model is given: the default of the method's config
    (searchlm: chosen by the learning curve, benchmarks/results/searchlm_learning_curve.json)."""
    return trainer_for(method)[0].max_steps


def trainer_for(method: str) -> tuple[type, Any]:
    """(config class, training function) of ``method``'s model; ValueError when it has no trainer."""
    if method not in TRAINERS:
        raise ValueError(f"no self-supervised trainer for {method!r}")
    module, config_cls, train_fn = TRAINERS[method]
    mod = importlib.import_module(module)
    return getattr(mod, config_cls), getattr(mod, train_fn)


def train_model(method: str, corpus: Sequence[Mapping], out_dir: str | Path, **train_kw) -> tuple[str, dict]:
    """Train a ``method`` ("dense" or "searchlm") model self-supervised on ``corpus``: (its path, the trainer's
    summary). ``train_kw`` are the config's fields, as values or CLI strings (``--opt train_<field>=...``)."""
    from lexlab.workbench.config import config_from_dict

    config_cls, train_fn = trainer_for(method)
    cfg = config_from_dict(config_cls, {**train_kw, "out_dir": str(out_dir)}, source="--opt train_*")
    meta = train_fn(corpus, cfg).extra
    return str(Path(out_dir) / "final"), meta
