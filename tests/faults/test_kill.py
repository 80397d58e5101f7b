"""Fault: the runner is killed mid-stage. SIGTERM closes the run as KILLED, stops the kernel and keeps the executed
notebook; after a SIGKILL the run stays RUNNING until the next ``lexlab run`` marks it FAILED (orphaned)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import mlflow
import yaml
from mlflow.tracking import MlflowClient

from faults.procs import alive, env, wait_for
from lexlab.workbench import runner
from testdata import FIXTURES

NB = FIXTURES / "notebooks"


def _start(tmp_path, name: str) -> tuple[subprocess.Popen, int]:
    """``lexlab run`` of the sleeping fixture in a child process; returns it and its kernel's pid once running."""
    exp = tmp_path / "exp.yaml"
    marker = tmp_path / "kernel.pid"
    exp.write_text(yaml.safe_dump({"name": name, "experiment": "faults", "stages": [
        {"name": "sleep", "notebook": str(NB / "sleep.ipynb"), "params": {"marker": str(marker)}}]}))
    proc = subprocess.Popen([sys.executable, "-m", "lexlab", "run", str(exp), "--no-progress"], env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, int(wait_for(marker))


def _run(runner_pid: int):
    """The ``sleep`` stage run that the runner with this pid created."""
    runs = mlflow.search_runs(experiment_names=["faults"], output_format="list",
                              filter_string=f"tags.`lexlab.stage` = 'sleep' and tags.`lexlab.pid` = '{runner_pid}'")
    assert len(runs) == 1
    return runs[0]


def _gone(pid: int, timeout: float = 20.0) -> bool:
    deadline = time.time() + timeout
    while alive(pid) and time.time() < deadline:
        time.sleep(0.2)
    return not alive(pid)


def test_sigterm_closes_the_run_as_killed_stops_the_kernel_and_keeps_the_notebook(tmp_path):
    name = f"term-{uuid.uuid4().hex[:6]}"
    proc, kernel = _start(tmp_path, name)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr[-2000:]
    assert "terminated by SIGTERM" in stderr
    run = _run(proc.pid)
    assert run.info.status == "KILLED"
    assert "terminated by SIGTERM" in run.data.tags["lexlab.error"]
    assert run.data.tags["lexlab.pid"] == str(proc.pid)
    assert [a.path for a in MlflowClient().list_artifacts(run.info.run_id, "notebook")]
    assert _gone(kernel), "the papermill kernel outlived its runner"


def test_sigkill_leaves_an_orphan_that_the_next_run_marks_failed(tmp_path):
    name = f"kill-{uuid.uuid4().hex[:6]}"
    proc, kernel = _start(tmp_path, name)
    proc.kill()
    proc.communicate(timeout=60)
    if not _gone(kernel, timeout=5):  # nothing can close a SIGKILLed runner's kernel but the kernel itself
        os.kill(kernel, signal.SIGKILL)
    assert _run(proc.pid).info.status == "RUNNING"
    exp = tmp_path / "next.yaml"
    exp.write_text(yaml.safe_dump({"name": "next", "experiment": "faults",
                                   "stages": [{"name": "ok", "notebook": str(NB / "ok.ipynb")}]}))
    assert runner.run_experiment(exp, progress=False).ok  # the next lexlab run, on this host
    run = _run(proc.pid)
    assert run.info.status == "FAILED"
    assert f"pid {proc.pid}" in run.data.tags["lexlab.error"] and "orphaned" in run.data.tags["lexlab.error"]


def test_a_live_runner_is_not_an_orphan():
    from lexlab.workbench import orphans

    client = MlflowClient()
    mlflow.set_experiment("faults")
    exp_id = mlflow.get_experiment_by_name("faults").experiment_id
    mine = client.create_run(exp_id, tags=orphans.owner_tags()).info.run_id  # this (alive) process
    assert mine not in orphans.close_orphans(client, [exp_id])
    assert client.get_run(mine).info.status == "RUNNING"
    client.set_terminated(mine, "FINISHED")
