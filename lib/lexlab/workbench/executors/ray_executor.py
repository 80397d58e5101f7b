"""``lexlab run … --executor ray``: each grid cell (one grid point's chain of stages) as a task on a Ray cluster.

A cell runs in a worker process of its own (a Ray actor started for it and stopped after it), which executes the
same ``runner._run_point`` the sequential loop calls: the run tree, stage reuse, run names, descriptions, secrets
handling and notebook artifacts are the runner's, unchanged. What this module adds:

- resources: a stage may say ``resources: {num_cpus: 4, num_gpus: 1}`` in the experiment YAML; a cell asks Ray
  for the largest of its stages' requests (default 1 CPU, no GPU), and at most ``max_parallel`` cells run at once.
- a worker that dies mid-cell (killed, OOM, lost node): the runs it had opened (found by their ``lexlab.pid`` and
  ``lexlab.host`` tags) are closed FAILED with ``lexlab.error`` saying so, and the cell is retried ``retries``
  times (default 0); the other cells go on. The parent run records how many cells failed (``lexlab.cells``,
  metrics ``cells_failed`` / ``cells_total``).
- Ctrl-C / SIGTERM of the driver stops the running workers and closes their runs as KILLED.
- a store workers on other machines cannot reach (a local ``sqlite:///`` file) is refused before any run exists
  when the cluster is not this machine (a ``ray://`` address, or more than one node).
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import socket
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any, Mapping

import mlflow
import ray

from lexlab.workbench import config, paths, signals
from lexlab.workbench.runner import ExperimentError, StageResult

DEFAULT_RESOURCES = {"num_cpus": 1.0, "num_gpus": 0.0}
_ENV_PASSED = ("MLFLOW_TRACKING_URI", "LEXLAB_WORK", "LEXLAB_MLRUNS", "LEXLAB_KERNEL", "HF_HUB_OFFLINE",
               "OMP_NUM_THREADS", "TOKENIZERS_PARALLELISM")


def cell_resources(exp) -> dict[str, float]:
    """What one cell asks Ray for: per resource, the most any of its stages asks for (``resources:`` in YAML)."""
    raw_stages = []
    if exp.source is not None and exp.source.suffix in {".yaml", ".yml"}:
        raw_stages = config.load_yaml_with_includes(exp.source).get("stages") or []
    need = dict(DEFAULT_RESOURCES)
    for i, raw in enumerate(raw_stages):
        asked = raw.get("resources") if isinstance(raw, Mapping) else None
        if asked is None:
            continue
        where = f"{exp.source}: stages[{i}].resources"
        if not isinstance(asked, Mapping):
            raise ExperimentError(f"{where} must be a mapping like {{num_cpus: 4, num_gpus: 1}}")
        for key, value in asked.items():
            if key not in DEFAULT_RESOURCES:
                raise ExperimentError(f"{where}: unknown key '{key}' (use {', '.join(DEFAULT_RESOURCES)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ExperimentError(f"{where}.{key} must be a number >= 0, got {value!r}")
            need[key] = max(need[key], float(value))
    return need


def is_local_store(uri: str) -> bool:
    """A store only this machine can open: a SQLite file, a file store, a bare path."""
    return uri.startswith(("sqlite:", "file:")) or "://" not in uri


def check_store_shared(uri: str, address: str | None, n_nodes: int = 1) -> None:
    """Refuse a local store when workers may run on other machines (they would each log into a file of their
    own, or fail): a ``ray://`` address, or a cluster of several nodes."""
    remote = (address or "").startswith("ray://") or n_nodes > 1
    if remote and is_local_store(uri):
        where = address if (address or "").startswith("ray://") else f"a Ray cluster of {n_nodes} nodes"
        raise ExperimentError(
            f"the MLflow store {uri} is a file on this machine; Ray workers on {where} cannot reach it. "
            "Start a tracking server (`lexlab server --host 0.0.0.0`, or a team's PostgreSQL-backed one), "
            "`export MLFLOW_TRACKING_URI=http://<this host>:5000`, and run again")


LOCAL_RAY = {"include_dashboard": False, "object_store_memory": 300 * 2**20}  # a Ray this process starts


def init_ray(address: str | None = None, attempts: int | None = None, **options: Any) -> None:
    """Connect to the cluster at ``address``, or start a small local one (no dashboard, 300 MB object store).

    Ray 2.60's raylet gives its dashboard agent 15 s to report its ports and aborts otherwise; on a loaded
    machine the agent's imports can take longer ("The current node timed out during startup"; seen here at load
    13-17 on 2 cores, even with Ray's daemons at normal priority). Try ``attempts`` times (env
    ``LEXLAB_RAY_START_ATTEMPTS``, default 3), killing what a failed attempt left running."""
    attempts = attempts or int(os.environ.get("LEXLAB_RAY_START_ATTEMPTS", "3"))
    options = {**({} if address else LOCAL_RAY), "log_to_driver": True, **options}
    for attempt in range(attempts):
        before = _children()
        try:
            ray.init(address=address, **options)
            return
        except Exception as exc:  # noqa: BLE001 - Ray raises a bare Exception for the start-up time-out
            ray.shutdown()
            for pid in _children() - before:  # a failed start leaves its GCS, monitor and dashboard running
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if address or "timed out during startup" not in str(exc) or attempt == attempts - 1:
                raise RuntimeError(str(exc).splitlines()[0]) from exc
            print(f"lexlab: Ray start-up timed out (attempt {attempt + 1} of {attempts}); trying again",
                  file=sys.stderr)


def _children() -> set[int]:
    """Ids of this process's child processes (from /proc; empty where there is none)."""
    me, out = os.getpid(), set()
    for entry in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(entry.read_bytes().rsplit(b")", 1)[1].split()[1]) == me:
                out.add(int(entry.parent.name))
    return out


@ray.remote(max_restarts=0, max_task_retries=0)
class CellWorker:
    """One worker process for one cell: runs the runner's own ``_run_point`` against the shared store."""

    def where(self) -> tuple[int, str]:
        return os.getpid(), socket.gethostname()

    def run(self, batch, point, overrides, base_name, parent) -> list[StageResult]:
        from mlflow.tracking import MlflowClient

        from lexlab.workbench import runner, tracking

        tracking.setup_mlflow(batch.exp.experiment)
        batch = dataclasses.replace(batch, client=MlflowClient(), results=[])
        runner._run_point(batch, point, overrides, base_name, parent)
        return batch.results


def shared_first_stage(exp, points: list[dict[str, Any]], overrides: Mapping[str, Any], base_name: str
                       ) -> list[int | None]:
    """Per cell, the earlier cell whose first stage gets the same parameters (``run_name`` aside), else None.

    Such cells share that stage's output (ablation_format: the three formats of a seed share one CPT model): run
    one after the other, the later one reuses the finished stage (or finds its final checkpoint) as the
    sequential loop does, instead of training the same model into the same folder at the same time."""
    from lexlab.workbench import preflight, reuse, runner

    stage, seen, after = exp.stages[0], {}, []
    for i, point in enumerate(points):
        run_name = f"{base_name}-{runner._slug(point)}" if point else base_name
        params = preflight.for_notebook(stage.notebook, runner.stage_params(exp, stage, {**point, **overrides},
                                                                            run_name))
        effective = preflight.effective_params(stage.notebook, params, stage.name)
        effective.pop("run_name", None)
        first = seen.setdefault(reuse.stage_key(stage.notebook, effective, []), i)
        after.append(first if first != i else None)
    return after


def _next_ready(pending: deque, after: list[int | None], outcomes: dict[int, Any]) -> "_Cell | None":
    """The first pending cell whose first-stage twin (``shared_first_stage``) has finished; removed from the queue."""
    for cell in pending:
        if after[cell.index] is None or after[cell.index] in outcomes:
            pending.remove(cell)
            return cell
    return None


@dataclasses.dataclass
class _Cell:
    index: int
    point: dict[str, Any]
    attempt: int = 0
    actor: Any = None
    where: Any = None  # ObjectRef of (pid, host), resolved as soon as the worker is up
    submitted_ms: int = 0


class RayExecutor:
    name = "ray"

    def __init__(self, address: str | None = None, max_parallel: int | None = None, retries: int = 0,
                 init_options: Mapping[str, Any] | None = None):
        if max_parallel is not None and max_parallel < 1:
            raise ValueError(f"max_parallel must be >= 1, got {max_parallel}")
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        self.address, self.max_parallel, self.retries = address, max_parallel, retries
        self.init_options = dict(init_options or {})
        self.resources = dict(DEFAULT_RESOURCES)
        self._started_ray = False

    # -- before any run exists ------------------------------------------------------------------------
    def prepare(self, exp) -> None:
        self.resources = cell_resources(exp)
        uri = mlflow.get_tracking_uri()
        check_store_shared(uri, self.address)  # before connecting: a ray:// address is remote by definition
        if not ray.is_initialized():
            try:
                init_ray(self.address, **self.init_options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ExperimentError(f"--address {self.address}: cannot connect to Ray ({exc})") from None
            self._started_ray = True
        check_store_shared(uri, self.address, len([n for n in ray.nodes() if n.get("Alive")]))
        self._check_feasible(exp)

    def _check_feasible(self, exp) -> None:
        total = ray.cluster_resources()
        have = {"num_cpus": total.get("CPU", 0.0), "num_gpus": total.get("GPU", 0.0)}
        for key, value in self.resources.items():
            if value > have[key]:
                raise ExperimentError(f"{exp.source or exp.name}: a cell asks for {key}={value:g} but the Ray cluster "
                                      f"has {have[key]:g} in all; add nodes that have it or lower 'resources'")

    def close(self) -> None:
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    # -- the cells --------------------------------------------------------------------------------------
    def run_cells(self, batch, points: list[dict[str, Any]], overrides: Mapping[str, Any], base_name: str,
                  parent: str | None) -> None:
        shipped = dataclasses.replace(batch, client=None, results=[])
        args = (dict(overrides), base_name, parent)
        pending = deque(_Cell(i, p) for i, p in enumerate(points))
        running: dict[Any, _Cell] = {}
        outcomes: dict[int, list[StageResult]] = {}
        limit = self.max_parallel or len(points)
        after = shared_first_stage(batch.exp, points, overrides, base_name)
        try:
            while pending or running:
                while len(running) < limit and (cell := _next_ready(pending, after, outcomes)) is not None:
                    running[self._submit(cell, shipped, args)] = cell
                [ref], _ = ray.wait(list(running), num_returns=1)
                cell = running.pop(ref)
                results, ok = self._collect(batch, cell, ref)
                if not ok and cell.attempt < self.retries:
                    pending.append(dataclasses.replace(cell, attempt=cell.attempt + 1))
                else:
                    outcomes[cell.index] = results
        except KeyboardInterrupt as exc:
            for cell in running.values():
                self._stop(batch, cell, "KILLED", f"{signals.describe(exc)}: the Ray worker was stopped")
            raise
        for index in sorted(outcomes):
            batch.results.extend(outcomes[index])
        self._tag_parent(batch, parent, outcomes)

    def _submit(self, cell: _Cell, shipped, args) -> Any:
        env = {k: os.environ[k] for k in _ENV_PASSED if k in os.environ}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(paths.REPO / "lib"), os.environ.get("PYTHONPATH")]))
        cell.actor = CellWorker.options(runtime_env={"env_vars": env}, **self.resources).remote()
        cell.where = cell.actor.where.remote()
        cell.submitted_ms = int(time.time() * 1000) - 2000  # clock rounding between the store and this host
        return cell.actor.run.remote(shipped, cell.point, *args)

    def _collect(self, batch, cell: _Cell, ref) -> tuple[list[StageResult], bool]:
        """The cell's stage results, and False when its worker died or raised (its open runs closed FAILED)."""
        try:
            return ray.get(ref), True
        except ray.exceptions.RayError as exc:
            reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            retry = " (retrying the cell)" if cell.attempt < self.retries else ""
            print(f"lexlab: cell {cell.point or '(no grid)'}: Ray worker failed: {reason}{retry}", file=sys.stderr)
            why = f"the Ray worker running this cell died or raised mid-cell: {reason}{retry}"
            results = self._stop(batch, cell, "FAILED", why)
            if all(r.status == "FINISHED" for r in results):  # it died between stages, or before the first
                results.append(StageResult(f"cell {cell.point or ''}".strip(), "", "FAILED", paths.WORK, 0.0, why))
            return results, False
        finally:
            ray.kill(cell.actor)

    def _stop(self, batch, cell: _Cell, status: str, why: str) -> list[StageResult]:
        """Close the runs the cell's worker left open as ``status``; its stage runs as results."""
        ray.kill(cell.actor)
        try:
            pid, host = ray.get(cell.where, timeout=5)
        except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError):
            return []  # the worker never came up: it opened no run
        runs = batch.client.search_runs(
            [batch.exp_id], filter_string=f"tags.`lexlab.pid` = '{pid}' and tags.`lexlab.host` = '{host}' "
                                          f"and attributes.start_time >= {cell.submitted_ms}", max_results=1000)
        results = []
        for run in sorted(runs, key=lambda r: r.info.start_time):
            run_status = run.info.status
            if run_status == "RUNNING":
                batch.client.set_tag(run.info.run_id, "lexlab.error", f"{why} (worker pid {pid} on {host})")
                batch.client.set_terminated(run.info.run_id, status)
                run_status = status
            if "lexlab.stage" in run.data.tags:
                results.append(StageResult(run.data.tags["lexlab.stage"], run.info.run_id, run_status,
                                           paths.WORK, 0.0, error=why if run_status != "FINISHED" else None))
        return results

    def _tag_parent(self, batch, parent: str | None, outcomes: dict[int, list[StageResult]]) -> None:
        if not parent:
            return
        failed = sum(any(r.status != "FINISHED" for r in results) for results in outcomes.values())
        batch.client.set_tag(parent, "lexlab.cells", f"{failed} of {len(outcomes)} cells failed (executor ray)")
        batch.client.log_metric(parent, "cells_failed", failed)
        batch.client.log_metric(parent, "cells_total", len(outcomes))
