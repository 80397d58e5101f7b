"""Runs whose runner died (SIGKILL, power loss, OOM killer) are closed by the next ``lexlab run``.

Every run the runner creates carries the tags ``lexlab.pid`` and ``lexlab.host`` (``owner_tags``). A RUNNING run
whose host is this machine and whose pid is no longer alive (or is alive but started after the run: a reused pid)
can never finish: ``close_orphans`` marks it FAILED and says why in ``lexlab.error``. Runs of other hosts are left
alone — this machine cannot see their processes.
"""
from __future__ import annotations

import os
import socket
import time

PID_TAG, HOST_TAG = "lexlab.pid", "lexlab.host"


def owner_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _process_start(pid: int) -> float | None:
    """When ``pid`` started (epoch seconds), from /proc; None where that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            ticks = int(f.read().rsplit(b")", 1)[1].split()[19])
        with open("/proc/stat", "rb") as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith(b"btime"))
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return btime + ticks / os.sysconf("SC_CLK_TCK")


def runner_alive(pid: int, run_start_ms: int) -> bool:
    """Is the process that created a run (started at ``run_start_ms``) still there?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, another user's
    started = _process_start(pid)
    return started is None or started <= run_start_ms / 1000 + 2  # 2 s: clock tick rounding


def close_orphans(client, experiment_ids: list[str] | None = None) -> list[str]:
    """Mark this host's RUNNING runs whose runner is gone as FAILED; returns their ids."""
    if experiment_ids is None:
        experiment_ids = [e.experiment_id for e in client.search_experiments()]
    if not experiment_ids:
        return []
    host = socket.gethostname()
    runs = client.search_runs(experiment_ids, filter_string=f"attributes.status = 'RUNNING' and tags.`{HOST_TAG}` = '{host}'",
                              max_results=5000)
    closed = []
    for run in runs:
        pid = run.data.tags.get(PID_TAG, "")
        if not pid.isdigit() or runner_alive(int(pid), run.info.start_time or 0):
            continue
        client.set_tag(run.info.run_id, "lexlab.error",
                       f"orphaned: its runner (pid {pid} on {host}) ended without closing the run "
                       f"(SIGKILL, crash or power loss); marked FAILED by a later lexlab run at "
                       f"{time.strftime('%Y-%m-%d %H:%M:%S')}")
        client.set_terminated(run.info.run_id, "FAILED")
        closed.append(run.info.run_id)
    return closed
