"""The one way a stage runs: a notebook executed by papermill inside an MLflow run.

The CLI (`lexlab run`), batch grids and the tests all come through ``run_experiment``. An experiment YAML names
stages (notebooks with parameters) and optionally a grid; see docs/CONTRACTS.md for the format. A file may
``include:`` other experiment files, and a stage may include stage files (experiments/recipes/); the merge rule is
in ``lexlab.workbench.config.merge_experiment``. Layout of runs:

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
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import mlflow
import yaml
from mlflow.tracking import MlflowClient

from lexlab.workbench import config, failures, notebook_html, orphans, paths, preflight, reuse, run_naming, secrets
from lexlab.workbench import signals, tracking
from lexlab.workbench import progress as bars


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
    reused_from: str | None = None  # a finished run with the same content key (lexlab.workbench.reuse)


@dataclass
class ExperimentResult:
    name: str
    parent_run_id: str | None
    stages: list[StageResult]

    @property
    def ok(self) -> bool:
        return all(s.status == "FINISHED" for s in self.stages)


def load_experiment(path: str | Path) -> Experiment:
    """Read an experiment YAML (``include:`` resolved, see ``config.load_yaml_with_includes``), or wrap a bare
    notebook path as a one-stage experiment."""
    path = Path(path)
    if not path.is_file():
        raise ExperimentError(f"{path}: {'is a directory, not an' if path.is_dir() else 'no such'} experiment file")
    if path.suffix == ".ipynb":
        return Experiment(name=path.stem, stages=[Stage(path.stem, path.resolve())], source=path)
    try:
        spec = config.load_yaml_with_includes(path)
    except config.IncludeError as exc:
        raise ExperimentError(str(exc)) from exc
    stages = _read_stages(path, spec.get("stages"))
    for key in ("name", "experiment"):
        if not isinstance(spec.get(key), (str, int, float, type(None))):
            raise ExperimentError(f"{path}: field {key!r} must be text, got a {type(spec[key]).__name__}")
    return Experiment(
        name=str(spec.get("name") or path.stem),
        stages=stages,
        params=dict(spec.get("params") or {}),
        grid=_read_grid(path, spec.get("grid"), [s.name for s in stages]),
        experiment=str(spec.get("experiment") or tracking.DEFAULT_EXPERIMENT),
        source=path,
    )


def _read_stages(path: Path, raw_stages: Any) -> list[Stage]:
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
        if not isinstance(raw.get("name"), (str, type(None))):
            raise ExperimentError(f"{path}: stages[{i}].name must be text")
        if not isinstance(params, dict):
            raise ExperimentError(f"{path}: stages[{i}].params must be a mapping")
        stages.append(Stage(str(raw.get("name") or nb.stem), nb, dict(params)))
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise ExperimentError(f"{path}: stage names must be unique, got {names}")
    return stages


def _read_grid(path: Path, grid: Any, stage_names: list[str]) -> dict[str, list[Any]]:
    grid = grid or {}
    if not isinstance(grid, dict) or any(not isinstance(v, list) or not v for v in grid.values()):
        raise ExperimentError(f"{path}: field 'grid' must map parameter names to non-empty lists")
    for key in grid:
        _check_key(key, stage_names, f"{path}: grid")
    return dict(grid)


def _check_key(key: str, stage_names: list[str], where: str) -> None:
    if "." in key and key.split(".", 1)[0] not in stage_names:
        raise ExperimentError(f"{where}: '{key}' names stage '{key.split('.', 1)[0]}', not one of {stage_names}")


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


def run_experiment(
    experiment: str | Path | Experiment,
    overrides: Mapping[str, Any] | None = None,
    progress: bool = True,
    stop_on_failure: bool = True,
    rerun: bool = False,
    executor=None,
) -> ExperimentResult:
    """Run every stage of every grid point; returns the stage results (the CLI turns failures into exit 1).
    A stage whose notebook, parameters and inputs match a finished run is reused unless ``rerun``.
    ``executor`` runs the grid's cells (``lexlab.workbench.executors``; default: one after another, here)."""
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    overrides = dict(overrides or {})
    for key in overrides:
        _check_key(key, [s.name for s in exp.stages], "-p")
    preflight.check(exp, overrides)  # unknown keys, wrong types, credentials, unsafe names: before any run exists
    _check_configs(exp, overrides)  # every stage's config dataclass accepts what it would get, at every grid point
    tracking.setup_mlflow(exp.experiment)
    from lexlab.workbench import executors

    executor = executor or executors.make()
    executor.prepare(exp)  # Ray: connects, refuses a store its workers cannot reach; still before any run
    try:
        with signals.terminate_as_interrupt():  # SIGTERM closes runs as KILLED, like Ctrl-C
            return _run_batch(exp, overrides, progress, stop_on_failure, rerun, executor)
    finally:
        executor.close()


def _check_configs(exp: Experiment, overrides: Mapping[str, Any]) -> None:
    """Build each config-dataclass stage's config for every grid point, so a value its ``__post_init__`` refuses
    (``format=bogus``) fails before any run exists."""
    base_name = str(overrides.get("run_name") or exp.name)
    for point in grid_points(exp.grid):
        run_name = f"{base_name}-{_slug(point)}" if point else base_name
        for stage in exp.stages:
            params = preflight.for_notebook(stage.notebook, stage_params(exp, stage, {**point, **overrides}, run_name))
            at = ", ".join(f"{k}={v}" for k, v in point.items())
            where = f"{exp.source or exp.name}: stage {stage.name}" + (f" at grid point {at}" if point else "")
            preflight.build_config(stage.notebook, params, where)


def _run_batch(exp: Experiment, overrides: dict[str, Any], progress: bool, stop_on_failure: bool, rerun: bool,
               executor) -> ExperimentResult:
    orphaned = orphans.close_orphans(MlflowClient())
    if orphaned:
        print(f"lexlab: marked {len(orphaned)} orphaned RUNNING run(s) FAILED (their runner is gone): "
              + ", ".join(orphaned), file=sys.stderr)
    batch = _Batch(exp, MlflowClient(), mlflow.get_experiment_by_name(exp.experiment).experiment_id,
                   paths.work_dir("runs", re.sub(r"[^\w.-]+", "_", exp.name)), progress, stop_on_failure, rerun)
    base_name = str(overrides.get("run_name") or exp.name)
    points = grid_points(exp.grid)
    if len(points) > 1:  # a 1000-cell grid used to start without a word on its size
        print(f"lexlab: grid of {len(points)} points × {len(exp.stages)} stage(s) = {len(points) * len(exp.stages)} "
              "stage runs (Ctrl-C stops it; finished stages are reused on a rerun)", file=sys.stderr, flush=True)
    parent = _open_parent(batch, base_name, overrides)
    try:
        executor.run_cells(batch, points, overrides, base_name, parent)
    except KeyboardInterrupt:
        if parent:
            batch.client.set_terminated(parent, "KILLED")
        raise
    if parent:
        _refresh_snapshot_tag(batch.client, parent)
        batch.client.set_terminated(parent, "FINISHED" if all(r.status == "FINISHED" for r in batch.results)
                                    else "FAILED")
    return ExperimentResult(exp.name, parent, batch.results)


@dataclass
class _Batch:
    """What the runs of one ``run_experiment`` call share, and the stage results so far."""

    exp: Experiment
    client: MlflowClient
    exp_id: str
    out_root: Path
    progress: bool
    stop_on_failure: bool
    rerun: bool = False
    results: list[StageResult] = field(default_factory=list)
    names: run_naming.UniqueNames = field(default_factory=run_naming.UniqueNames)


def _open_parent(batch: _Batch, base_name: str, overrides: Mapping[str, Any]) -> str | None:
    """The parent run of a pipeline or grid (None for a single stage run), with the experiment's params."""
    exp = batch.exp
    if len(grid_points(exp.grid)) == 1 and len(exp.stages) == 1:
        return None
    parent = _create_run(batch.client, batch.exp_id, base_name, None, {
        "lexlab.experiment": exp.name, "lexlab.kind": "parent", "lexlab.snapshot": _snapshot_tag(),
        run_naming.NOTE: run_naming.parent_description(exp.source, [s.name for s in exp.stages], exp.grid)},
        source=exp.source, kind="LOCAL")
    for key, value in tracking.clean_params({**exp.params, **overrides}).items():
        batch.client.log_param(parent, key, value)
    if exp.grid:
        batch.client.set_tag(parent, "lexlab.grid", yaml.safe_dump(exp.grid, allow_unicode=True)[:4000])
    return parent


def _run_point(batch: _Batch, point: dict[str, Any], overrides: Mapping[str, Any], base_name: str,
               parent: str | None) -> None:
    """One grid point: its stages, under a variant run of their own when the point has several stages."""
    run_name = f"{base_name}-{_slug(point)}" if point else base_name
    variant = parent
    if point and len(batch.exp.stages) > 1:
        variant = _create_run(batch.client, batch.exp_id, batch.names(parent, run_naming.point_label(point)), parent,
                              {"lexlab.experiment": batch.exp.name, "lexlab.kind": "variant",
                               run_naming.NOTE: "Grid point " + run_naming.point_label(point)})
        for key, value in tracking.clean_params(point).items():
            batch.client.log_param(variant, key, value)
    first, interrupted = len(batch.results), False
    try:
        _run_stages(batch, point, overrides, run_name, variant)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        if variant and variant != parent:
            failed = any(r.status == "FAILED" for r in batch.results[first:])
            batch.client.set_terminated(variant, "KILLED" if interrupted else "FAILED" if failed else "FINISHED")


def _run_stages(batch: _Batch, point: dict[str, Any], overrides: Mapping[str, Any], run_name: str,
                parent: str | None) -> None:
    tags = {"lexlab.experiment": batch.exp.name, **{f"lexlab.grid.{k}": str(v) for k, v in point.items()}}
    failed, upstream = False, []
    for stage in batch.exp.stages:
        if failed and batch.stop_on_failure:
            break
        params = stage_params(batch.exp, stage, {**point, **overrides}, run_name)
        params = preflight.for_notebook(stage.notebook, params)  # only what this notebook declares
        # What each sibling stage (same notebook) gets, so the description says what this one was really run with.
        siblings = [preflight.for_notebook(s.notebook, stage_params(batch.exp, s, {**point, **overrides}, run_name))
                    for s in batch.exp.stages if s.notebook == stage.notebook and s is not stage]
        display = batch.names(parent, run_naming.stage_run_name(stage.name, point, len(batch.exp.stages)))
        key = reuse.stage_key(stage.notebook, preflight.effective_params(stage.notebook, params, stage.name),
                              upstream)
        original = None if batch.rerun else reuse.find_reusable(batch.client, batch.exp_id, key)
        if batch.progress:
            print(f"▶ {display}: {run_naming.notebook_title(stage.notebook)}"
                  + (f" — reused {original.info.run_id}" if original else ""), flush=True)
        if original:
            result = _link_stage(batch, stage, original, parent, display, {**tags, reuse.KEY_TAG: key})
        else:
            result = execute_stage(batch.client, batch.exp_id, stage, params, parent, batch.out_root, batch.progress,
                                   {**tags, reuse.KEY_TAG: key}, display_name=display,
                                   description=run_naming.stage_description(stage.name, stage.notebook,
                                                                            params, siblings, point))
        batch.results.append(result)
        upstream.append(result.reused_from or result.run_id)
        failed = failed or result.status == "FAILED"


def _link_stage(batch: _Batch, stage: Stage, original, parent: str | None, name: str, tags: Mapping[str, str]
                ) -> StageResult:
    """A FINISHED run in the new tree that points at the reused one (``lexlab.reused_from``) instead of copying."""
    run_id = _create_run(batch.client, batch.exp_id, name, parent, {
        "lexlab.stage": stage.name, "lexlab.notebook": stage.notebook.name, **dict(tags),
        reuse.REUSED_TAG: original.info.run_id, "lexlab.snapshot": original.data.tags.get("lexlab.snapshot", "none"),
        run_naming.NOTE: reuse.link_description(original)}, source=stage.notebook, kind="NOTEBOOK")
    batch.client.set_terminated(run_id, "FINISHED")
    return StageResult(stage.name, run_id, "FINISHED", Path(), 0.0, reused_from=original.info.run_id)


def execute_stage(
    client: MlflowClient,
    exp_id: str,
    stage: Stage,
    params: dict[str, Any],
    parent: str | None,
    out_dir: Path,
    progress: bool = True,
    extra_tags: Mapping[str, str] | None = None,
    display_name: str | None = None,
    description: str | None = None,
) -> StageResult:
    """Execute one notebook as one MLflow run and close the run with the notebook's fate."""
    run_id = _create_run(
        client, exp_id, display_name or stage.name, parent,
        {"lexlab.stage": stage.name, "lexlab.snapshot": _snapshot_tag(), "lexlab.notebook": stage.notebook.name,
         run_naming.NOTE: description or run_naming.stage_description(stage.name, stage.notebook, params),
         **dict(extra_tags or {})},
        source=stage.notebook, kind="NOTEBOOK",
    )
    for key, value in tracking.clean_params(preflight.effective_params(stage.notebook, params, stage.name)).items():
        client.log_param(run_id, key, value)
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / f"{stage.name}_{run_id[:8]}.ipynb"
    started = time.time()
    try:
        with _env(**_kernel_env(client, exp_id, run_id)):
            error = _execute_notebook(stage.notebook, output, preflight.papermill_parameters(stage.notebook, params),
                                      progress and {"desc": stage.name})
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: KILLED, not RUNNING forever; the notebook so far is kept
        _keep_notebook(client, run_id, output)
        client.set_tag(run_id, "lexlab.error", f"{signals.describe(exc)}; executed notebook: {output}")
        client.set_terminated(run_id, "KILLED")
        raise
    seconds = time.time() - started
    client.log_metric(run_id, "stage_seconds", seconds)
    _keep_notebook(client, run_id, output)
    _refresh_snapshot_tag(client, run_id)
    if error:
        error = f"{error}\nexecuted notebook: {output}"
        client.set_tag(run_id, "lexlab.error", failures.for_tag(error))
    status = "FAILED" if error else "FINISHED"
    client.set_terminated(run_id, status)
    return StageResult(stage.name, run_id, status, output, seconds, error)


def _keep_notebook(client: MlflowClient, run_id: str, output: Path) -> None:
    """The executed notebook (credentials redacted) as the run's artifact, with its HTML rendering (MLflow's
    artifact viewer shows .ipynb as JSON, HTML as a page)."""
    if output.exists():
        secrets.scrub_file(output)
        client.log_artifact(run_id, str(output), artifact_path="notebook")
        html = notebook_html.render(output)
        if html is not None:
            client.log_artifact(run_id, str(html), artifact_path="notebook")


def _kernel_env(client: MlflowClient, exp_id: str, run_id: str) -> dict[str, str]:
    """What the kernel needs to find its run, the store and the work dir (see ``tracking.stage_run``)."""
    return {
        "MLFLOW_RUN_ID": run_id,
        "MLFLOW_TRACKING_URI": mlflow.get_tracking_uri(),
        "MLFLOW_EXPERIMENT_NAME": client.get_experiment(exp_id).name,
        "LEXLAB_WORK": str(paths.work_dir()),
        **bars.kernel_env(),  # one bar per long step in a saved notebook
        "PYTHONPATH": os.pathsep.join(filter(None, [str(paths.REPO / "lib"), os.environ.get("PYTHONPATH")])),
    }


def _execute_notebook(notebook: Path, output: Path, params: dict[str, Any], progress: bool | dict) -> str | None:
    """Run the notebook with papermill; the error as text when it failed (the run fails, the notebook stays)."""
    import papermill as pm

    try:
        pm.execute_notebook(
            str(notebook), str(output), parameters=params, cwd=str(paths.REPO),
            kernel_name=os.environ.get("LEXLAB_KERNEL", "python3"), progress_bar=progress,
            log_output=False, request_save_on_cell_execute=True, extra_arguments=bars.kernel_arguments(),
        )
    except Exception as exc:  # PapermillExecutionError, NoSuchKernel, ...
        return failures.summarize(exc)
    return None


def _create_run(client: MlflowClient, exp_id: str, name: str, parent: str | None, tags: dict[str, str],
                source: Path | None = None, kind: str | None = None) -> str:
    """A run with our tags; with a ``kind``, also MLflow's own source tags (``source``: the notebook or experiment
    file). The commit is read once for both."""
    commit = tracking.git_commit()
    own = run_naming.source_tags(source, commit, kind) if kind else {}
    tags = {"mlflow.runName": name, "lexlab.git_commit": commit, **orphans.owner_tags(), **own, **tags}
    if parent:
        tags["mlflow.parentRunId"] = parent
    return client.create_run(exp_id, tags=tags, run_name=name).info.run_id


def _snapshot_tag() -> str:
    """The latest snapshot's version, "none" before the first build."""
    try:
        return paths.snapshot_dir("latest").name
    except FileNotFoundError:
        return "none"


def _refresh_snapshot_tag(client: MlflowClient, run_id: str) -> None:
    """A run opened before stage 01 built the first snapshot says "none": give it the snapshot that now exists
    (a notebook that set the tag to the snapshot it read keeps its value)."""
    if client.get_run(run_id).data.tags.get("lexlab.snapshot", "none") == "none":
        client.set_tag(run_id, "lexlab.snapshot", _snapshot_tag())


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
