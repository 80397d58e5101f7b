"""MLflow in one place.

MLflow 3's default store is a SQLite file relative to the *current directory*, so a kernel started elsewhere
would write to another database. We pin the store to ``<repo>/mlruns/mlflow.db`` (artifacts beside it) unless the
user points ``MLFLOW_TRACKING_URI`` at a shared server, in which case everything logs there unchanged.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator, Mapping

import mlflow

from lexlab.workbench import inputs, paths, secrets, store

log = logging.getLogger(__name__)

DEFAULT_EXPERIMENT = "lexlab"
# MLflow's UI opens an experiment in its GenAI view unless this tag says it holds model training
EXPERIMENT_KIND = {"mlflow.experimentKind": "custom_model_development"}
STAGE_RUN_ENV = "LEXLAB_STAGE_RUN_ID"  # where stage_run keeps the runner's MLFLOW_RUN_ID once it resumed it
_METRIC_BAD = re.compile(r"[^0-9A-Za-z_\-. /]")  # ":" too: the same names become artifact files (forbidden there)


def default_tracking_uri(mlruns: Path | None = None) -> str:
    root = Path(mlruns or os.environ.get("LEXLAB_MLRUNS", paths.MLRUNS)).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{root / 'mlflow.db'}"


def artifact_root(tracking_uri: str) -> str | None:
    """Artifacts go beside a SQLite store (else MLflow would use ./mlruns of whatever the cwd is)."""
    if not tracking_uri.startswith("sqlite:///"):
        return None  # a server decides for itself
    db = Path(tracking_uri[len("sqlite:///"):])
    return (db.parent / "artifacts").resolve().as_uri()


def setup_mlflow(experiment: str | None = None) -> str:
    """Point MLflow at the project store (or the user's server) and select the experiment; idempotent."""
    uri = os.environ.get("MLFLOW_TRACKING_URI") or default_tracking_uri()
    os.environ["MLFLOW_TRACKING_URI"] = uri
    mlflow.set_tracking_uri(uri)
    store.ensure_store(uri)  # a fresh SQLite store is migrated once, under a lock; a server is probed
    name = experiment or os.environ.get("MLFLOW_EXPERIMENT_NAME") or DEFAULT_EXPERIMENT
    if mlflow.get_experiment_by_name(name) is None:
        # A SQLite store would otherwise put artifacts under ./mlruns of whatever the cwd is.
        try:
            mlflow.create_experiment(name, artifact_location=artifact_root(uri))
        except mlflow.exceptions.MlflowException:
            pass  # created meanwhile by another process
    experiment_obj = mlflow.set_experiment(name)
    if any(experiment_obj.tags.get(k) != v for k, v in EXPERIMENT_KIND.items()):
        for key, value in EXPERIMENT_KIND.items():
            mlflow.set_experiment_tag(key, value)
    return uri


def metric_key(name: str) -> str:
    """MLflow refuses metric names with characters such as '=' or '+' (variant names like "it_mix=legal+general"),
    and artifact file names with ':' (``openai:NAME``, ``run:ID`` generators): a name safe for both."""
    return _METRIC_BAD.sub("_", name)


def clean_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Flatten to strings MLflow accepts, dropping anything that looks like a credential."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if secrets.is_secret_key(key):
            continue
        text = secrets.redact(str(value))
        out[key] = text if len(text) <= 6000 else text[:5997] + "..."
    return out


def log_params(params: Mapping[str, Any]) -> None:
    """Log params, skipping secrets and keys already logged with the same value (re-runs, resumes).

    MLflow refuses to change a logged param, so a key already logged with another value keeps the logged one
    and a warning names the key, both values and the run.
    """
    run = mlflow.active_run()
    existing = mlflow.get_run(run.info.run_id).data.params if run is not None else {}
    fresh: dict[str, str] = {}
    for key, value in clean_params(params).items():
        if key not in existing:
            fresh[key] = value
        elif existing[key] != value:
            log.warning("MLflow run %s already logged param %r = %r; keeping it, not %r",
                        run.info.run_id, key, existing[key], value)
    if fresh:
        mlflow.log_params(fresh)


def git_commit() -> str:
    """HEAD's commit, with "-dirty" when tracked files changed; "unknown" outside a git checkout."""
    try:
        commit = _git("rev-parse", "HEAD") or "unknown"
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def _git(*args: str) -> str:
    out = subprocess.run(["git", *args], cwd=paths.REPO, capture_output=True, text=True, timeout=10)
    return out.stdout.strip()


def stage_run(stage: str, params: Mapping[str, Any] | Any = None) -> mlflow.ActiveRun:
    """Open the MLflow run a notebook logs into, and leave it open across cells.

    Under ``lexlab run`` the runner has created the run and passed its id in ``MLFLOW_RUN_ID``; we resume it and
    the runner closes it after execution (FAILED if a cell raised, with the executed notebook attached). Opened
    by hand in JupyterLab the notebook gets a run of its own, closed by MLflow's exit hook or by ``mlflow.end_run()``.
    ``params`` is the stage's config dataclass (every field is logged) or a mapping of extra params.
    The returned ``ActiveRun`` is also a context manager, for scripts that prefer ``with stage_run(...):``.
    """
    from lexlab.workbench import plots, progress

    setup_mlflow()
    plots.setup()  # every notebook comes through here: one matplotlib set-up (Korean font, figure size)
    if progress.mode() == "step":
        progress.quiet_report()  # under the runner the notebook is a report (see progress.quiet_report)
    run_id = take_env_run_id()
    active = mlflow.active_run()
    if active is not None and active.info.run_id != run_id:
        mlflow.end_run()
        active = None
    run = active or mlflow.start_run(run_id=run_id, run_name=None if run_id else stage)
    if not run_id:
        mlflow.set_tags({"lexlab.stage": stage, "lexlab.git_commit": git_commit(), "lexlab.interactive": "1"})
    inputs.flush()  # files read before the run was active
    if dataclasses.is_dataclass(params):
        from lexlab.workbench.config import config_params

        params = config_params(params)  # a stage config: every field, what really ran
    if params:
        log_params(params)
    return run


def take_env_run_id() -> str | None:
    """The runner's run id, moved from ``MLFLOW_RUN_ID`` to ``LEXLAB_STAGE_RUN_ID`` (the one place for nested runs).

    While ``MLFLOW_RUN_ID`` is set, MLflow's next ``start_run`` — a nested evaluation run, the Trainer's callback —
    resumes (and renames) the stage run instead of starting a child. Once the stage run is active nobody needs the
    variable; the id stays readable for a second ``stage_run`` call (a re-run cell).
    """
    run_id = os.environ.pop("MLFLOW_RUN_ID", None)
    if run_id:
        os.environ[STAGE_RUN_ENV] = run_id
    return run_id or os.environ.get(STAGE_RUN_ENV) or None


@contextlib.contextmanager
def child_run(name: str, description: str | None = None, tags: Mapping[str, str] | None = None
              ) -> Iterator[mlflow.ActiveRun]:
    """A run nested under the active one (or a top-level run without one), never a resumed stage run.

    Every nested run inside a stage goes through here: ``MLFLOW_RUN_ID`` is taken out of the environment first
    (see ``take_env_run_id``) and the parent is named explicitly.
    """
    take_env_run_id()
    parent = mlflow.active_run()
    inherited = {k: v for k, v in (mlflow.get_run(parent.info.run_id).data.tags.items() if parent else ())
                 if k.startswith("mlflow.source.")}  # the notebook, not ipykernel_launcher.py
    with mlflow.start_run(run_name=name, nested=parent is not None, description=description,
                          parent_run_id=parent.info.run_id if parent else None,
                          tags={**inherited, **dict(tags or {})}) as run:
        yield run


@contextlib.contextmanager
def hide_run_id_from_trainer() -> Iterator[None]:
    """Let the HF Trainer's MLflow callback log into the already active run, without its ~180 params.

    Seeing ``MLFLOW_RUN_ID`` (set by the runner), the callback would start that run a second time while it is
    active, which MLflow refuses; without it the callback uses the active run. ``MLFLOW_MAX_LOG_PARAMS=0`` stops it
    dumping every ``TrainingArguments`` field and the model config as params: ``lexlab.models.trainer_params``
    logs the arguments that differ from their defaults and keeps the full dump as a JSON artifact. Restored
    afterwards.
    """
    hidden = {k: os.environ.pop(k) for k in ("MLFLOW_RUN_ID", "MLFLOW_NESTED_RUN") if k in os.environ}
    saved = os.environ.get("MLFLOW_MAX_LOG_PARAMS")
    os.environ["MLFLOW_MAX_LOG_PARAMS"] = "0"
    try:
        yield
    finally:
        os.environ.update(hidden)
        if saved is None:
            os.environ.pop("MLFLOW_MAX_LOG_PARAMS", None)
        else:
            os.environ["MLFLOW_MAX_LOG_PARAMS"] = saved


def log_headline(metrics: Mapping[str, float], description: str | None = None) -> None:
    """A stage's headline result: logged on its own run and copied to its parent run(s) up the tree, so the runs
    table shows the result on the pipeline's row (``headline.*`` metrics; a description line when given)."""
    run = mlflow.active_run()
    if run is None:
        raise RuntimeError("log_headline needs an active run (call stage_run first)")
    clean = {f"headline.{metric_key(k)}": float(v) for k, v in metrics.items() if v is not None}
    client = mlflow.MlflowClient()
    run_id: str | None = run.info.run_id
    while run_id:
        client.log_batch(run_id, metrics=[mlflow.entities.Metric(k, v, int(time.time() * 1000), 0)
                                          for k, v in clean.items()])
        parent = client.get_run(run_id).data.tags.get("mlflow.parentRunId")
        if description and parent:
            note = client.get_run(parent).data.tags.get("mlflow.note.content", "")
            if description not in note:
                client.set_tag(parent, "mlflow.note.content", (note + "\n\n" + description).strip()[:5000])
        run_id = parent
