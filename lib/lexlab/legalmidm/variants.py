"""Which models one evaluation stage scores, and the baselines beside them, each in its own MLflow run.

The notebook's parameters (a list of ``models`` with their ablation factors, or one ``model`` inside a grid whose
factors come from the runner's ``lexlab.grid.*`` tags) become model specs; ``evaluate_all`` runs
``lexlab.legalmidm.evaluate.evaluate_and_log`` for each model and baseline.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from lexlab.legalmidm.api_eval import api_model, is_api_spec
from lexlab.legalmidm.evaluate import (EvalResult, GenerationSettings, evaluate_and_log, log_averages, scores_frame,
                                       untrained_like)
from lexlab.workbench.progress import step_bar

if TYPE_CHECKING:
    from lexlab.legalmidm.config import EvaluateConfig

log = logging.getLogger(__name__)


def grid_factors() -> dict[str, str]:
    """Ablation factors of the active run, from the runner's ``lexlab.grid.<stage>.<param>`` tags."""
    import mlflow

    run = mlflow.active_run()
    if run is None:
        return {}
    tags = mlflow.get_run(run.info.run_id).data.tags
    return {k[len("lexlab.grid."):].split(".")[-1]: v for k, v in tags.items() if k.startswith("lexlab.grid.")}


def model_specs(models: Sequence[Mapping[str, Any]] | None, model: str = "", variant: str = "",
                factors: Mapping[str, Any] | None = None, seed: int | None = None) -> list[dict[str, Any]]:
    """Normalise the notebook's model parameters to ``[{"name", "path", "factors"}]``.

    ``models`` is a list of mappings with ``name`` and ``path``; every other key is an ablation factor (format,
    cpt_mix, it_mix, seed, …). A single ``model`` takes its factors from ``factors`` and from the grid tags.
    """
    specs = []
    for i, m in enumerate(models or []):
        if "path" not in m:
            raise ValueError(f"models[{i}] needs a 'path' (a model dir, a run name, run:<id> or openai:<name>)")
        extra = {k: v for k, v in m.items() if k not in ("name", "path", "base_url")}
        name = m.get("name") or (m["path"] if is_api_spec(m["path"]) else Path(str(m["path"])).parent.name)
        specs.append({"name": str(name), "path": str(m["path"]), "factors": extra,
                      **({"base_url": str(m["base_url"])} if m.get("base_url") else {})})
    if model:
        f = {**grid_factors(), **dict(factors or {})}
        if seed is not None:
            f.setdefault("seed", seed)
        # Inside a grid the variant is named by its factors without the seed, so seeds of one variant pool.
        by_factors = "-".join(f"{k}={v}" for k, v in sorted(f.items()) if k != "seed")
        fallback = Path(str(model)).parent.name if Path(str(model)).name == "final" else Path(str(model)).name
        specs.append({"name": variant or by_factors or fallback or str(model), "path": str(model), "factors": f})
    if not specs:
        raise ValueError("nothing to evaluate: set 'model' (a path or run name) or 'models' (a list)")
    return specs


def evaluate_all(cfg: EvaluateConfig, task_examples) -> dict[str, EvalResult]:
    """Stage 06: every model of ``cfg`` and the baselines it names, each in its own nested run; then each run's
    average over the same tasks (``evaluate.log_averages``)."""
    results, first = evaluate_models(cfg, task_examples)
    results.update(evaluate_baselines(cfg, first, task_examples))
    log_averages(results, scores_frame(results))
    return results


def evaluate_models(cfg: EvaluateConfig, task_examples) -> tuple[dict[str, EvalResult], tuple[Any, Any] | None]:
    """Each model of ``cfg.specs()`` loaded and scored in its own nested run; also the first local (model,
    tokenizer), whose architecture the untrained baseline copies (None when every model is API-served).
    ``openai:<name>`` models are asked through ``cfg.api_options()``; a spec's own ``base_url`` wins."""
    settings, prompt = cfg.settings(), cfg.prompt()[1] or None
    results, first = {}, None
    for spec in step_bar(cfg.specs(), desc="models", unit="model"):
        model, tokenizer, path = _load(spec, settings, cfg.api_options())
        if tokenizer is not None:
            first = first or (model, tokenizer)
        results[spec["name"]] = evaluate_and_log(spec["name"], model, tokenizer, task_examples, settings, prompt,
                                                 spec["factors"], cfg.rouge_tokenizers, cfg.n_boot, cfg.seed,
                                                 model_path=str(path))
    return results, first


def _load(spec: Mapping[str, Any], settings: GenerationSettings, api: Mapping[str, Any]):
    """(model, tokenizer, path): a local model through ``hf.load_model``, an API model with tokenizer None."""
    if is_api_spec(spec["path"]):
        options = {**api, **({"base_url": spec["base_url"]} if spec.get("base_url") else {})}
        model = api_model(spec["path"], max_new_tokens=settings.max_new_tokens, **options)
        return model, None, f"{spec['path']} at {model.client.params()['llm_base_url']}"
    from lexlab.models import hf

    return hf.load_model(spec["path"])


def evaluate_baselines(cfg: EvaluateConfig, first: tuple[Any, Any] | None, task_examples) -> dict[str, EvalResult]:
    """The baselines named in ``cfg.baselines``, each in its own nested run tagged baseline.

    "untrained" is ``cfg.base_model`` when given, else ``untrained_like`` the first evaluated model: ``first`` is
    the (model, tokenizer) ``evaluate_models`` returned."""
    from lexlab.models import hf

    wanted = set(cfg.baselines)
    settings, prompt = cfg.settings(), cfg.prompt()[1] or None
    results = {}
    if "untrained" in wanted and not cfg.base_model and first is None:
        wanted.discard("untrained")  # API models only: no local architecture to copy (give base_model)
        log.warning("no untrained baseline: every evaluated model is API-served and base_model is not set")
    if "untrained" in wanted:
        if cfg.base_model:
            model, tokenizer, path = hf.load_model(cfg.base_model)
        else:
            model, tokenizer = untrained_like(first[0], cfg.seed), first[1]
            path = "untrained copy of " + cfg.specs()[0]["path"]
        results["base_untrained"] = evaluate_and_log(
            "base_untrained", model, tokenizer, task_examples, settings, prompt, {}, cfg.rouge_tokenizers,
            cfg.n_boot, cfg.seed, model_path=str(path), kind="baseline")
    if "extractive" in wanted:
        results["extractive_lead"] = evaluate_and_log(
            "extractive_lead", None, None, task_examples, settings, None, {}, cfg.rouge_tokenizers, cfg.n_boot,
            cfg.seed, kind="baseline")
    return results
