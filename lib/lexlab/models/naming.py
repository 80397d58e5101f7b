"""The one way to name a model: ``resolve_model``. Light (no torch or transformers), so configs, the CLI and
benchmarks can resolve a model name without loading the ML stack; ``lexlab.models.hf.load_model`` builds on it."""
from __future__ import annotations

import re
from pathlib import Path

from lexlab.workbench import paths


def resolve_model(spec: str | Path) -> str:
    """What every stage accepts as a model, as a path ``from_pretrained`` can load (or "tiny", or a hub id).

    - ``"tiny"`` (or empty): the CPU model built from a config, returned as is;
    - ``run:<mlflow run id>``: that run's ``model_path`` param if it exists on disk, else the model it logged;
    - ``models:/<name>@<alias>``, ``models:/<name>/<version>``, ``models:/<model id>``: a registered or logged
      MLflow model (``lexlab.models.mlflow_model``), as its ``final/`` directory;
    - a directory (absolute, relative to the working dir or to the repository), or a bare name under
      ``work/models/``: its ``final/`` sub-directory when it has one (a training run's result), else itself;
    - ``org/name`` that is no local path: a hub id, left for ``from_pretrained``.
    """
    text = str(spec)
    if not text or text == "tiny":
        return "tiny"
    if text.startswith("run:"):
        return str(_run_model_path(text[4:]))
    if text.startswith("models:/"):
        from lexlab.models import mlflow_model

        return str(mlflow_model.local_dir(text))
    models = paths.work_dir("models")
    path = Path(text)
    for candidate in (path, paths.REPO / path, models / path):
        if candidate.exists():
            final = candidate / "final"
            return str((final if final.is_dir() else candidate).resolve())
    if re.fullmatch(r"[\w.-]+/[\w.-]+", text):
        return text
    raise FileNotFoundError(
        f"model {text!r}: not a directory, not {models / text}/final, not run:<id> nor a hub id (org/name); "
        "train that stage first, or give a model path, a hub id or 'tiny'")


def _run_model_path(run_id: str) -> Path:
    import mlflow

    run = mlflow.get_run(run_id)
    for key in ("model_path", "output_dir", "out_dir"):
        value = run.data.params.get(key)
        if value and Path(value).exists():
            return Path(value)
    from lexlab.models import mlflow_model

    uri = mlflow_model.run_model_uri(run_id)
    if uri:
        return mlflow_model.local_dir(uri)
    return Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="model"))  # runs before MLflow models
