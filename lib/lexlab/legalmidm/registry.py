"""The model a pipeline selects, in MLflow's Model Registry: the best instruction-tuned variant by the task
average of the comparison, registered with an alias so later stages (and people) load it as
``models:/<name>@<alias>`` (``lexlab.models.naming.resolve_model``)."""
from __future__ import annotations

import math

import pandas as pd

DEFAULT_NAME = "lexlab-legalmidm-it"
DEFAULT_ALIAS = "best"


def best_variant(runs: pd.DataFrame, metric: str = "avg") -> pd.Series | None:
    """The model run (not a baseline) with the highest ``metric``, or None when no model has one."""
    models = runs[(runs["kind"] == "model")] if "kind" in runs else runs
    if metric not in models or models[metric].isna().all():
        return None
    return models.loc[models[metric].idxmax()]


def register_best(runs: pd.DataFrame, name: str = DEFAULT_NAME, alias: str = DEFAULT_ALIAS,
                  metric: str = "avg") -> dict[str, str] | None:
    """Register the MLflow model behind the best evaluated variant; returns what was registered, or None (with
    the reason in ``reason``) when the best variant's model was not logged as an MLflow model."""
    import mlflow

    from lexlab.models import mlflow_model

    best = best_variant(runs, metric)
    if best is None:
        return None
    model_dir = mlflow.get_run(best["run_id"]).data.params.get("model_path", "")
    trained = mlflow.search_runs(search_all_experiments=True, output_format="list", max_results=5,
                                 filter_string=f"tags.`{mlflow_model.MODEL_DIR_TAG}` = '{model_dir}'",
                                 order_by=["attributes.start_time DESC"])
    uri = next((u for u in (mlflow_model.run_model_uri(r.info.run_id) for r in trained) if u), None)
    if uri is None:
        return {"variant": str(best["variant"]), "reason": f"no MLflow model logged for {model_dir}"}
    score = float(best[metric])
    version = mlflow_model.register(uri, name, alias, tags={
        "lexlab.variant": str(best["variant"]), f"lexlab.{metric}": "nan" if math.isnan(score) else f"{score:.4f}",
        "lexlab.eval_run": str(best["run_id"])})
    return {"variant": str(best["variant"]), "model_uri": uri, "name": name, "version": version,
            "alias": alias, "load_as": f"models:/{name}@{alias}"}


def log_headline(runs: pd.DataFrame, registered: dict[str, str] | None, metric: str = "avg") -> str | None:
    """The comparison's headline onto this run and its parents (``tracking.log_headline``): the best model
    variant's same-task average (``headline.best_avg``), the number of variants and tasks compared, and a
    description naming the variant and linking its registered model. Returns the description (None without a
    scored model)."""
    from lexlab.workbench import tracking

    best = best_variant(runs, metric)
    if best is None:
        return None
    n_tasks = len(runs.attrs.get("avg_over", []))
    text = (f"Best variant: **{best['variant']}**, average {100 * float(best[metric]):.1f} over the same "
            f"{n_tasks} tasks for every variant ({runs['variant'].nunique()} variants compared).")
    if registered and "version" in registered:
        text += (f" Registered as model `{registered['name']}` version {registered['version']} "
                 f"(load `{registered['load_as']}`; Models page: #/models/{registered['name']}"
                 f"/versions/{registered['version']}).")
    tracking.log_headline({"best_avg": float(best[metric]), "n_variants": float(runs["variant"].nunique()),
                           "n_tasks_averaged": float(n_tasks)}, description=text)
    import mlflow

    mlflow.set_tag("lexlab.best_variant", str(best["variant"]))
    if registered and "version" in registered:
        mlflow.set_tag("lexlab.registered_model", f"{registered['name']}/{registered['version']}")
    return text
