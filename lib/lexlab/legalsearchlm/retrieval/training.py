"""Self-supervised model training for the retrievers that need a model: one entry point, ``train_model``.

``lexlab retrieve`` without ``--model`` and notebook 10 without a dense model both train one here. The trainers
(and torch/transformers with them) are imported only when a model is trained.

Users should not pay twice: `DefaultModel` is where ``lexlab retrieve`` keeps the model it trains without
``--model``, ``work/retrieval/auto/<method>-<key>/``, the key a digest of the corpus fingerprint
(`inputs.corpus_fingerprint`), the method trained and every training setting that shapes the model (steps and the
``train_*`` options, defaults included). ``--method hybrid`` after ``--method searchlm`` on the same corpus finds
the searchlm model there; a run that crashed resumes from its checkpoints (the shared trainer does).
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import shutil
import time
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


# Config fields that say where, how visibly or how often a run saves, not what model it trains: not in the key.
_NOT_THE_MODEL = frozenset({"out_dir", "progress", "report_to", "resume", "run_name", "torch_threads", "save_steps",
                            "save_total_limit"})
TRAINED_FILE = "lexlab-trained.json"  # written when training finished: what a reuse reads


@dataclasses.dataclass
class DefaultModel:
    """The cached default model of ``method`` for one corpus and one set of training settings."""

    method: str
    dir: Path
    settings: dict

    @property
    def final(self) -> str:
        return str(self.dir / "final")

    def trained(self) -> dict | None:
        """What the finished training recorded (`record`), or None: never trained, or crashed half-way."""
        path = self.dir / TRAINED_FILE
        if not path.exists() or not (self.dir / "final").is_dir():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def record(self, corpus_sha256: str, seconds: float) -> None:
        info = {"method": self.method, "corpus_sha256": corpus_sha256, "settings": self.settings,
                "trained_at": time.strftime("%Y-%m-%d %H:%M"), "steps": self.settings.get("max_steps"),
                "seconds": round(seconds, 1)}
        (self.dir / TRAINED_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=1, default=str),
                                            encoding="utf-8")

    def clear(self) -> None:
        """Forget this model (``--retrain``): checkpoints, final model and record."""
        shutil.rmtree(self.dir, ignore_errors=True)


def model_settings(method: str, train_kw: Mapping[str, Any]) -> dict:
    """Every field of ``method``'s training config that shapes the model (defaults filled in), JSON-ready;
    ``train_kw`` as `train_model` takes them. A bad field fails here, before anything is trained."""
    from lexlab.workbench.config import config_from_dict

    config_cls, _ = trainer_for(method)
    cfg = config_from_dict(config_cls, {**train_kw, "out_dir": "."}, source="--opt train_*")
    values = {k: v for k, v in dataclasses.asdict(cfg).items() if k not in _NOT_THE_MODEL}
    return json.loads(json.dumps(values, sort_keys=True, default=str))


def default_model(method: str, corpus_sha256: str, train_kw: Mapping[str, Any]) -> DefaultModel:
    """Where the default ``method`` model for this corpus (by fingerprint) and these settings lives."""
    from lexlab.workbench import paths

    settings = model_settings(method, train_kw)
    key = hashlib.sha256(json.dumps({"method": method, "corpus_sha256": corpus_sha256, "settings": settings},
                                    sort_keys=True).encode()).hexdigest()[:16]
    return DefaultModel(method, paths.work_dir("retrieval", "auto", f"{method}-{key}"), settings)
