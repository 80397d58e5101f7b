"""The one way a stage runs: a notebook executed by papermill inside an MLflow run.

The CLI (`lexlab run`), batch grids and the tests all come through ``run_experiment``. An experiment YAML names
stages (notebooks with parameters) and optionally a grid; see docs/CONTRACTS.md for the format. Layout of runs:

- one stage, no grid            → one run
- several stages, no grid       → a parent run with one nested run per stage
- grid over one stage           → a parent run with one nested run per grid point
- grid over several stages      → parent → one run per grid point → one nested run per stage

The kernel finds its run through ``MLFLOW_RUN_ID`` (see ``tracking.stage_run``); the runner owns the run's
status, so a failing cell marks it FAILED and the executed notebook is still attached for inspection.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import mlflow
import yaml
from mlflow.tracking import MlflowClient

from lexlab.workbench import paths, tracking


class ExperimentError(ValueError):
    """A malformed experiment file; the message names the file and the field."""


@dataclass
class Stage:
    name: str
    notebook: Path
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Experiment:
    name: str
    stages: list[Stage]
    params: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, list[Any]] = field(default_factory=dict)
    experiment: str = tracking.DEFAULT_EXPERIMENT
    source: Path | None = None


@dataclass
class StageResult:
    stage: str
    run_id: str
    status: str
    notebook: Path
    seconds: float
    error: str | None = None


@dataclass
class ExperimentResult:
    name: str
    parent_run_id: str | None
    stages: list[StageResult]

    @property
    def ok(self) -> bool:
        return all(s.status == "FINISHED" for s in self.stages)


def load_experiment(path: str | Path) -> Experiment:
    """Read an experiment YAML, or wrap a bare notebook path as a one-stage experiment."""
    path = Path(path)
    if not path.exists():
        raise ExperimentError(f"{path}: no such experiment file")
    if path.suffix == ".ipynb":
        return Experiment(name=path.stem, stages=[Stage(path.stem, path.resolve())], source=path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ExperimentError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(spec, dict):
        raise ExperimentError(f"{path}: top level must be a mapping")
    raw_stages = spec.get("stages")
    if not raw_stages or not isinstance(raw_stages, list):
        raise ExperimentError(f"{path}: field 'stages' must be a non-empty list")
    stages = []
    for i, raw in enumerate(raw_stages):
        if not isinstance(raw, dict) or "notebook" not in raw:
            raise ExperimentError(f"{path}: stages[{i}] needs a 'notebook' field")
        nb = (paths.REPO / raw["notebook"]).resolve()
        if not nb.exists():
            raise ExperimentError(f"{path}: stages[{i}].notebook: {raw['notebook']} does not exist")
        params = raw.get("params") or {}
        if not isinstance(params, dict):
            raise ExperimentError(f"{path}: stages[{i}].params must be a mapping")
        stages.append(Stage(str(raw.get("name") or nb.stem), nb, dict(params)))
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise ExperimentError(f"{path}: stage names must be unique, got {names}")
    grid = spec.get("grid") or {}
    if not isinstance(grid, dict) or any(not isinstance(v, list) or not v for v in grid.values()):
        raise ExperimentError(f"{path}: field 'grid' must map parameter names to non-empty lists")
    for key in grid:
        _check_key(key, names, f"{path}: grid")
    return Experiment(
        name=str(spec.get("name") or path.stem),
        stages=stages,
        params=dict(spec.get("params") or {}),
        grid=dict(grid),
        experiment=str(spec.get("experiment") or tracking.DEFAULT_EXPERIMENT),
        source=path,
    )


def _check_key(key: str, stage_names: list[str], where: str) -> None:
    if "." in key and key.split(".", 1)[0] not in stage_names:
        raise ExperimentError(f"{where}: '{key}' names stage '{key.split('.', 1)[0]}', not one of {stage_names}")


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """``-p key=value`` pairs; values are read as YAML scalars (1 → int, true → bool, text stays text)."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ExperimentError(f"-p {item!r}: expected key=value")
        key, value = item.split("=", 1)
        parsed = yaml.safe_load(value) if value != "" else ""
        if isinstance(parsed, str) and _FLOAT.match(parsed):
            parsed = float(parsed)  # YAML 1.1 reads "1e-3" as text; a learning rate is meant
        out[key.strip()] = parsed
    return out


_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")


def grid_points(grid: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    if not grid:
        return [{}]
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


def _slug(point: Mapping[str, Any]) -> str:
    text = "-".join(f"{k.split('.')[-1]}={v}" for k, v in point.items())
    return re.sub(r"[^0-9A-Za-z가-힣_.=-]+", "_", text)


def stage_params(exp: Experiment, stage: Stage, overrides: Mapping[str, Any], run_name: str) -> dict[str, Any]:
    """Experiment params < stage params < overrides; "<stage>.<param>" keys only reach that stage.

    String values may use ``{run_name}`` (and any other parameter) as placeholders, so a pipeline can wire one
    stage's output directory into the next stage's input.
    """
    merged: dict[str, Any] = {"run_name": run_name}
    merged.update(exp.params)
    merged.update(stage.params)
    for key, value in overrides.items():
        if "." in key:
            target, name = key.split(".", 1)
            if target == stage.name:
                merged[name] = value
        else:
            merged[key] = value
    context = {k: v for k, v in merged.items() if not isinstance(v, (dict, list))}
    return {k: _fill(v, context) for k, v in merged.items()}


def _fill(value: Any, context: Mapping[str, Any]) -> Any:
    if isinstance(value, str) and "{" in value:
        try:
            return value.format_map(context)
        except (KeyError, IndexError, ValueError):
            return value
    return value


def _snapshot_tag() -> str:
    pointer = paths.work_dir("snapshot") / "LATEST"
    return pointer.read_text(encoding="utf-8").strip() if pointer.exists() else "none"


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _create_run(client: MlflowClient, exp_id: str, name: str, parent: str | None, tags: dict[str, str]) -> str:
    tags = {"mlflow.runName": name, "lexlab.git_commit": tracking.git_commit(), **tags}
    if parent:
        tags["mlflow.parentRunId"] = parent
    return client.create_run(exp_id, tags=tags, run_name=name).info.run_id


def execute_stage(
    client: MlflowClient,
    exp_id: str,
    stage: Stage,
    params: dict[str, Any],
    parent: str | None,
    out_dir: Path,
    progress: bool = True,
    extra_tags: Mapping[str, str] | None = None,
) -> StageResult:
    """Execute one notebook as one MLflow run and close the run with the notebook's fate."""
    import papermill as pm

    run_id = _create_run(
        client, exp_id, f"{params.get('run_name', stage.name)}/{stage.name}", parent,
        {"lexlab.stage": stage.name, "lexlab.snapshot": _snapshot_tag(), "lexlab.notebook": stage.notebook.name,
         **dict(extra_tags or {})},
    )
    for key, value in tracking.clean_params(params).items():
        client.log_param(run_id, key, value)
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / f"{stage.name}_{run_id[:8]}.ipynb"
    started = time.time()
    status, error = "FINISHED", None
    env = {
        "MLFLOW_RUN_ID": run_id,
        "MLFLOW_TRACKING_URI": mlflow.get_tracking_uri(),
        "MLFLOW_EXPERIMENT_NAME": client.get_experiment(exp_id).name,
        "LEXLAB_WORK": str(paths.work_dir()),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(paths.REPO / "lib"), os.environ.get("PYTHONPATH")])),
    }
    try:
        with _env(**env):
            pm.execute_notebook(
                str(stage.notebook), str(output), parameters=params, cwd=str(paths.REPO),
                kernel_name=os.environ.get("LEXLAB_KERNEL", "python3"), progress_bar=progress,
                log_output=False, request_save_on_cell_execute=True,
            )
    except Exception as exc:  # PapermillExecutionError, NoSuchKernel, ...: the run fails, the notebook stays
        status, error = "FAILED", f"{type(exc).__name__}: {exc}"
    except KeyboardInterrupt:  # Ctrl-C / SIGINT: close the run as KILLED rather than leave it RUNNING forever
        client.set_terminated(run_id, "KILLED")
        raise
    seconds = time.time() - started
    client.log_metric(run_id, "stage_seconds", seconds)
    if output.exists():
        client.log_artifact(run_id, str(output), artifact_path="notebook")
    if error:
        client.set_tag(run_id, "lexlab.error", error[:4000])
    client.set_terminated(run_id, status)
    return StageResult(stage.name, run_id, status, output, seconds, error)


def run_experiment(
    experiment: str | Path | Experiment,
    overrides: Mapping[str, Any] | None = None,
    progress: bool = True,
    stop_on_failure: bool = True,
) -> ExperimentResult:
    """Run every stage of every grid point; returns the stage results (the CLI turns failures into exit 1)."""
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    overrides = dict(overrides or {})
    names = [s.name for s in exp.stages]
    for key in overrides:
        _check_key(key, names, "-p")
    tracking.setup_mlflow(exp.experiment)
    client = MlflowClient()
    exp_id = mlflow.get_experiment_by_name(exp.experiment).experiment_id
    points = grid_points(exp.grid)
    base_name = str(overrides.get("run_name") or exp.name)
    nested = len(points) > 1 or len(exp.stages) > 1
    parent = (
        _create_run(client, exp_id, base_name, None, {"lexlab.experiment": exp.name, "lexlab.kind": "parent",
                                                      "lexlab.snapshot": _snapshot_tag()})
        if nested else None
    )
    if parent:
        for key, value in tracking.clean_params({**exp.params, **overrides}).items():
            client.log_param(parent, key, value)
        if exp.grid:
            client.set_tag(parent, "lexlab.grid", yaml.safe_dump(exp.grid, allow_unicode=True)[:4000])
    out_root = paths.work_dir("runs", re.sub(r"[^\w.-]+", "_", exp.name))
    results: list[StageResult] = []
    try:
        _run_points(exp, points, overrides, base_name, client, exp_id, parent, out_root, progress,
                    stop_on_failure, results)
    except KeyboardInterrupt:
        if parent:
            client.set_terminated(parent, "KILLED")
        raise
    if parent:
        client.set_terminated(parent, "FINISHED" if all(r.status == "FINISHED" for r in results) else "FAILED")
    return ExperimentResult(exp.name, parent, results)


def _run_points(exp: Experiment, points: list[dict[str, Any]], overrides: Mapping[str, Any], base_name: str,
                client: MlflowClient, exp_id: str, parent: str | None, out_root: Path, progress: bool,
                stop_on_failure: bool, results: list[StageResult]) -> None:
    for point in points:
        run_name = f"{base_name}-{_slug(point)}" if point else base_name
        variant_parent = parent
        if point and len(exp.stages) > 1:
            variant_parent = _create_run(client, exp_id, run_name, parent,
                                         {"lexlab.experiment": exp.name, "lexlab.kind": "variant"})
            for key, value in tracking.clean_params(point).items():
                client.log_param(variant_parent, key, value)
        variant_status = "FINISHED"
        try:
            for stage in exp.stages:
                if variant_status == "FAILED" and stop_on_failure:
                    break
                params = stage_params(exp, stage, {**point, **overrides}, run_name)
                tags = {"lexlab.experiment": exp.name, **{f"lexlab.grid.{k}": str(v) for k, v in point.items()}}
                result = execute_stage(client, exp_id, stage, params, variant_parent, out_root, progress, tags)
                results.append(result)
                variant_status = result.status if result.status == "FAILED" else variant_status
        except KeyboardInterrupt:
            variant_status = "KILLED"
            raise
        finally:
            if variant_parent and variant_parent != parent:
                client.set_terminated(variant_parent, variant_status)
