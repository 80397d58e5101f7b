"""``lexlab server``: an MLflow tracking server that Ray workers on other machines (and a team) log into.

A database backend store (a SQLite file by default, ``--store postgresql://…`` for a team) and an artifact root
the server itself serves (``--serve-artifacts``): workers send artifacts over HTTP to the server, which writes them
under ``--artifacts``, so no worker needs the server's disk. The default store is ``mlruns/server/mlflow.db``, apart
from the local ``mlruns/mlflow.db``, whose experiments name ``file://`` artifact paths only this machine can write.

The server runs in the foreground in a process group of its own; Ctrl-C or SIGTERM stops the whole group (MLflow
starts helper processes beside its web server).
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from lexlab.workbench import paths, signals, store


def server_command(store_uri: str, artifacts: Path, host: str, port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", store_uri,
            "--artifacts-destination", artifacts.resolve().as_uri(), "--serve-artifacts",
            "--host", host, "--port", str(port), "--workers", str(workers)]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lexlab server", description="Start an MLflow tracking server (database store, served artifacts) that "
        "lexlab run --executor ray workers and a team can share.")
    root = paths.MLRUNS / "server"
    parser.add_argument("--store", default=f"sqlite:///{root / 'mlflow.db'}",
                        help="backend store URI: sqlite:///… (one machine) or postgresql://user@host/db (a team; "
                        "the password from PGPASSWORD or ~/.pgpass, never on the command line)")
    parser.add_argument("--artifacts", type=Path, default=root / "artifacts",
                        help="where the server writes the artifacts it receives")
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0 to accept workers on other machines")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="web server processes")
    return parser


def serve_main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if urlsplit(args.store).password:  # it would show in ps, in logs and in the terminal
        print("lexlab server: --store holds a password; put it in PGPASSWORD or ~/.pgpass", file=sys.stderr)
        return 2
    if args.store.startswith("sqlite:///"):
        Path(args.store[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        store.ensure_store(args.store)  # created and migrated once, under the store's lock
    args.artifacts.mkdir(parents=True, exist_ok=True)
    host = socket.gethostname() if args.host in {"0.0.0.0", "::"} else args.host
    print(f"lexlab server: MLflow on http://{host}:{args.port} (store {store.redact_uri(args.store)}, artifacts "
          f"{args.artifacts}); point runs at it with\n  export MLFLOW_TRACKING_URI=http://{host}:{args.port}",
          flush=True)
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": os.environ.get(
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")}
    proc = subprocess.Popen(server_command(args.store, args.artifacts, args.host, args.port, args.workers),
                            env=env, start_new_session=True)
    try:
        with signals.terminate_as_interrupt():
            return proc.wait()
    except KeyboardInterrupt as exc:
        print(f"lexlab server: {signals.describe(exc)}; stopping the server", file=sys.stderr)
        _stop_group(proc)
        return 143 if isinstance(exc, signals.Terminated) else 130


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL after 10 s."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
