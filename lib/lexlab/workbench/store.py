"""The MLflow store made ready before anything logs: a fresh SQLite store is created and migrated once, under an
inter-process lock; a tracking server is probed so an unreachable one fails in seconds, not after minutes of
silent retries (MLflow's default for an ``http://`` URI)."""
from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

from lexlab.workbench import locks

PROBE_SECONDS = 5.0
_READY: set[str] = set()


class TrackingUnreachable(RuntimeError):
    """``MLFLOW_TRACKING_URI`` names a server that does not answer."""


def ensure_store(uri: str) -> None:
    """Make the store at ``uri`` usable by several processes at once; once per process and URI."""
    if uri in _READY:
        return
    if uri.startswith("sqlite:///"):
        _init_sqlite(uri)
    elif uri.startswith(("http://", "https://")):
        probe(uri)
    _READY.add(uri)


def _init_sqlite(uri: str) -> None:
    """Open (and so create and migrate) the SQLite store while holding ``<db>.lock``: MLflow's own migration
    is not safe against a second process doing the same at the same time."""
    from mlflow.tracking import MlflowClient

    db = Path(uri[len("sqlite:///"):])
    with locks.locked(db.with_name(db.name + ".lock"), what=f"creating the MLflow store {db}"):
        MlflowClient(uri).search_experiments(max_results=1)


def probe(uri: str, timeout: float = PROBE_SECONDS) -> None:
    """Open a TCP connection to the server of ``uri``; `TrackingUnreachable` (one line) when it cannot."""
    parts = urlsplit(uri)
    host = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TrackingUnreachable(
            f"MLflow tracking server {redact_uri(uri)} is unreachable ({reason}, {timeout:.0f} s probe); start it "
            "or unset MLFLOW_TRACKING_URI to use the local store") from None


def redact_uri(uri: str) -> str:
    from lexlab.workbench.secrets import redact

    return redact(uri)
