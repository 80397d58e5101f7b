"""Stage 09's model in MLflow's Model Registry, as stage 07 registers the instruction-tuned model
(`lexlab.legalmidm.registry`): logged as an MLflow model of the training run (`lexlab.models.mlflow_model`) and
registered as ``lexlab-legalsearchlm`` with an alias, the variant by default, so
``models:/lexlab-legalsearchlm@legal`` names the default LegalSearchLM model wherever a model is taken (notebook 10's
``searchlm_models``, ``lexlab retrieve --model``; `lexlab.models.naming.resolve_model`)."""
from __future__ import annotations

from typing import Any, Mapping

DEFAULT_NAME = "lexlab-legalsearchlm"


def register_model(final_dir: str, name: str, alias: str, meta: Mapping[str, Any]) -> dict[str, str]:
    """Log ``final_dir`` as an MLflow model of the active run and register it as ``name`` with ``alias``; ``meta``
    (the trainer's summary, ``searchlm.json``) goes into the description and the version's tags. Returns what was
    registered, with ``load_as`` (``models:/<name>@<alias>``)."""
    import mlflow

    from lexlab.models import mlflow_model

    info = mlflow_model.log_model(final_dir, description=(
        f"LegalSearchLM span generator ({meta.get('variant', '?')}): {meta.get('max_steps', '?')} steps on "
        f"{meta.get('train_cases', '?')} cases, train loss {float(meta.get('train_loss', float('nan'))):.3f}; "
        f"weights in {final_dir}"))
    tags = {f"lexlab.{k}": str(meta[k]) for k in ("variant", "max_steps", "train_cases", "corpus_sha256") if k in meta}
    version = mlflow_model.register(info.model_uri, name, alias, tags={**tags, mlflow_model.MODEL_DIR_TAG: final_dir})
    mlflow.set_tags({"lexlab.registered_model": f"{name}/{version}", mlflow_model.MODEL_DIR_TAG: final_dir})
    return {"name": name, "version": version, "alias": alias, "model_uri": info.model_uri,
            "load_as": f"models:/{name}@{alias}"}
