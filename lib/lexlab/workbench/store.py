"""The MLflow store made ready before anything logs: a fresh SQLite store is created and migrated once, under an
inter-process lock, in a temporary file renamed into place when complete (a full disk mid-migration used to leave a
half-migrated store that every later run failed on); a half-created one left by older code is set aside and made
again. A tracking server is probed so an unreachable one fails in seconds, not after minutes of silent retries
(MLflow's default for an ``http://`` URI). A URI that cannot be a store is one line (`StoreError`)."""
from __future__ import annotations

import os
import socket
import sqlite3
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from lexlab.workbench import locks

PROBE_SECONDS = 5.0
_READY: set[str] = set()
_DB_SCHEMES = ("postgresql", "mysql", "mssql")
_SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(RuntimeError):
    """``MLFLOW_TRACKING_URI`` names no usable store; the message says what it is and what to do."""


class TrackingUnreachable(StoreError):
    """``MLFLOW_TRACKING_URI`` names a server that does not answer."""


def ensure_store(uri: str) -> None:
    """Make the store at ``uri`` usable by several processes at once; once per process and URI."""
    if uri in _READY:
        return
    scheme = urlsplit(uri).scheme.split("+")[0]
    if uri.startswith("sqlite:///"):
        _init_sqlite(uri)
    elif uri.startswith(("http://", "https://")):
        probe(uri)
    elif scheme in _DB_SCHEMES:
        _open(uri)
    elif scheme in ("", "file") or len(scheme) == 1:  # "mlruns", "/x/y", "C:\\x": MLflow's retired file store
        raise StoreError(f"MLFLOW_TRACKING_URI={redact_uri(uri)!r} is a path, not a store URI; use "
                         "sqlite:///<dir>/mlflow.db, or http://host:port for a tracking server")
    _READY.add(uri)


def _init_sqlite(uri: str) -> None:
    """Create (atomically) or open the SQLite store while holding ``<db>.lock``: MLflow's own migration is not safe
    against a second process doing the same at the same time."""
    db = Path(uri[len("sqlite:///"):])
    if db.is_dir():
        raise StoreError(f"MLflow store {db} is a directory; name the database file, e.g. sqlite:///{db}/mlflow.db")
    with locks.locked(db.with_name(db.name + ".lock"), what=f"creating the MLflow store {db}"):
        if db.exists() and db.stat().st_size and not _is_sqlite(db):
            raise StoreError(f"MLflow store {db} is not an SQLite database (another kind of file); point "
                             "MLFLOW_TRACKING_URI elsewhere or move the file away")
        if db.exists() and _half_created(db):
            aside = db.with_name(f"{db.name}.broken-{int(time.time())}")
            os.replace(db, aside)
            print(f"lexlab: {db} was a store whose creation stopped halfway (no run in it; a full disk?): moved to "
                  f"{aside.name}, creating it again", file=sys.stderr)
        if not db.exists() or not db.stat().st_size:
            _create_sqlite(db)
        _open(uri)


def _create_sqlite(db: Path) -> None:
    """Migrate a temporary database beside ``db``, then rename it into place: ``db`` is whole or absent."""
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(f".{db.name}.creating-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        _open(f"sqlite:///{tmp}")
        os.replace(tmp, db)
    finally:
        tmp.unlink(missing_ok=True)


def _is_sqlite(db: Path) -> bool:
    with open(db, "rb") as fh:
        return fh.read(16) == _SQLITE_MAGIC


def _half_created(db: Path) -> bool:
    """A store whose first migration stopped: tables but no ``alembic_version`` row, or leftover
    ``_alembic_tmp_*`` tables, and no run (nothing to lose by making it again)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
            if not tables:
                return False
            versioned = "alembic_version" in tables and con.execute("select count(*) from alembic_version").fetchone()[0]
            leftovers = any(t.startswith("_alembic_tmp_") for t in tables)
            runs = "runs" in tables and con.execute("select count(*) from runs").fetchone()[0]
    except sqlite3.DatabaseError:
        return False
    return (not versioned or leftovers) and not runs


def _open(uri: str) -> None:
    """Open the store (MLflow creates or migrates its tables); any failure as one `StoreError` line."""
    from mlflow.tracking import MlflowClient

    try:
        MlflowClient(uri).search_experiments(max_results=1)
    except Exception as exc:  # noqa: BLE001 - driver missing, newer schema, disk full...: said in one line
        raise StoreError(f"MLflow store {redact_uri(uri)} cannot be opened: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, ImportError) or "No module named" in text:
        return f"{text} (install the database driver, e.g. pip install psycopg2-binary for postgresql://)"
    if "out-of-date database schema" in str(exc) and _newer_schema(str(exc)):
        return ("it was created or upgraded by a newer MLflow than the one installed here (do not run `mlflow db "
                "upgrade`); open it with that MLflow version, or use another store")
    return text


def _newer_schema(message: str) -> bool:
    """The "found version X" of MLflow's schema message is a revision this MLflow does not know."""
    import re

    from alembic.script import ScriptDirectory
    from mlflow.store.db.utils import _get_alembic_config

    found = re.search(r"found version (\w+)", message)
    if not found:
        return False
    script = ScriptDirectory.from_config(_get_alembic_config("sqlite://"))
    return found.group(1) not in {rev.revision for rev in script.walk_revisions()}


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
