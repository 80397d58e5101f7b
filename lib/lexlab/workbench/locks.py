"""Inter-process locks: one file lock per shared thing (the MLflow store, a snapshot root).

Two ``lexlab run`` started together must not both migrate a fresh SQLite store (MLflow's schema migration has no
lock of its own: "duplicate column name", "_alembic_tmp_tags already exists", a store broken for good), and two
stage-01 runs must not publish the same snapshot at once. ``filelock`` works across processes on one host.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

DEFAULT_TIMEOUT = 600.0  # seconds: a first migration takes ~3 s, a snapshot build of all data a few minutes


@contextlib.contextmanager
def locked(path: str | Path, timeout: float = DEFAULT_TIMEOUT, what: str = "") -> Iterator[None]:
    """Hold the lock file ``path`` (created with its folder); a clear error after ``timeout`` seconds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(path), timeout=timeout):
            yield
    except Timeout:
        raise TimeoutError(f"waited {timeout:.0f} s for the lock {path}{' (' + what + ')' if what else ''}; "
                           "another lexlab process holds it — if none is running, delete the file") from None
