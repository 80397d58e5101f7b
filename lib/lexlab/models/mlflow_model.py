"""Trained models as MLflow models, so MLflow's Logged Models and Model Registry pages list them.

A model is logged as a pyfunc whose one artifact is the training run's ``final/`` directory, untouched (the
layout ``hf.load_model`` reads, full model or peft adapter): ``predict`` generates text for prompts. The
transformers flavour would re-save the model in its own layout, which our loaders and the adapter-on-base
models do not share. ``models:/<name>@<alias>`` (and ``models:/<model id>``) resolve to that directory again
(``local_dir``), so every place that takes a model path takes a registered model too.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import mlflow

log = logging.getLogger(__name__)

ARTIFACT = "final"
MODEL_DIR_TAG = "lexlab.model_dir"


class CausalLM(mlflow.pyfunc.PythonModel):
    """A lexlab causal LM behind MLflow's pyfunc interface: a list (or one-column frame) of prompts in, texts out."""

    def load_context(self, context) -> None:
        from lexlab.models import hf

        self.model, self.tokenizer, _ = hf.load_model(context.artifacts[ARTIFACT])
        self.model.eval()

    # typed: MLflow validates the input against the hints (and warns once per class definition without them)
    def predict(self, context, model_input: list[str], params: dict[str, Any] | None = None) -> list[str]:
        import torch

        prompts = list(model_input.iloc[:, 0]) if hasattr(model_input, "iloc") else list(model_input)
        max_new = int((params or {}).get("max_new_tokens", 64))
        out = []
        with torch.no_grad():
            for prompt in prompts:
                ids = self.tokenizer(str(prompt), return_tensors="pt")["input_ids"]
                gen = self.model.generate(input_ids=ids, max_new_tokens=max_new, do_sample=False,
                                          pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id)
                out.append(self.tokenizer.decode(gen[0, ids.shape[1]:], skip_special_tokens=True))
        return out


def log_model(final_dir: str | Path, name: str = "", description: str = ""):
    """Log ``final_dir`` as an MLflow model of the active run; returns MLflow's ``ModelInfo``.

    The Models page lists it by ``name`` (default: the model's directory under work/models/, i.e. the variant,
    not "model"), with ``description`` and the run's notebook as where it was logged from (not
    "ipykernel_launcher.py", what MLflow sees inside a papermill kernel)."""
    final_dir = Path(final_dir)
    name = name or (final_dir.parent.name if final_dir.name == "final" else final_dir.name)
    run = mlflow.active_run()
    source = {k: v for k, v in (mlflow.get_run(run.info.run_id).data.tags.items() if run else ())
              if k in ("mlflow.source.name", "mlflow.source.type")}
    note = {"mlflow.note.content": description} if description else {}
    return mlflow.pyfunc.log_model(name=name, python_model=CausalLM(), artifacts={ARTIFACT: str(final_dir)},
                                   pip_requirements=["torch", "transformers", "peft"],  # no slow inference
                                   tags={MODEL_DIR_TAG: str(final_dir), **source, **note})


def register(model_uri: str, name: str, alias: str, tags: dict[str, str] | None = None) -> str:
    """Register ``model_uri`` under ``name`` and point ``alias`` at the new version; returns the version."""
    from mlflow.tracking import MlflowClient

    version = mlflow.register_model(model_uri, name, tags=tags or None)
    MlflowClient().set_registered_model_alias(name, alias, version.version)
    return str(version.version)


def run_model_uri(run_id: str) -> str | None:
    """The ``models:/<id>`` of the model a run logged (the newest), or None."""
    models = mlflow.search_logged_models(filter_string=f"source_run_id = '{run_id}'", output_format="list",
                                         order_by=[{"field_name": "creation_timestamp", "ascending": False}])
    return f"models:/{models[0].model_id}" if models else None


def local_dir(model_uri: str) -> Path:
    """The training run's ``final/`` directory behind ``models:/...`` (downloaded from the artifact store)."""
    root = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri))
    final = root / "artifacts" / ARTIFACT
    if not final.is_dir():
        raise FileNotFoundError(f"{model_uri}: not a lexlab model ({final} is missing)")
    return final
