"""Fault: the disk fills while a fresh MLflow store is created. The first migration used to stop halfway and every
later run failed with ``table ... already exists``; now the store is migrated in a temporary file renamed into place,
and a half-created store (from older code) is set aside and created again. Store URIs that cannot work are one
line, exit 2."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import pytest

from faults.procs import env

pytestmark = pytest.mark.slow  # each store creation is a full MLflow migration (~15 s on a busy machine)

OPEN = """
import resource, signal, sys
if int(sys.argv[2]):  # the disk is "full" past this many bytes per file
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
from lexlab.workbench import store
try:
    store.ensure_store("sqlite:///" + sys.argv[1])
except store.StoreError as exc:
    sys.exit(f"StoreError: {exc}")
"""


def _open(db, limit: int = 0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", OPEN, str(db), str(limit)], env=env(), capture_output=True,
                          text=True, timeout=300)


def test_a_full_disk_during_creation_leaves_no_broken_store(tmp_path):
    db = tmp_path / "mlflow.db"
    failed = _open(db, limit=200_000)
    assert failed.returncode != 0 and "StoreError" in failed.stderr and "Traceback" not in failed.stderr
    assert not db.exists() or db.stat().st_size == 0
    again = _open(db)
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(db) as con:
        assert con.execute("select count(*) from alembic_version").fetchone()[0] == 1


def test_a_half_created_store_is_set_aside_and_made_again(tmp_path):
    db = tmp_path / "mlflow.db"
    with sqlite3.connect(db) as con:  # what the old code left: some tables, no alembic_version, no run
        con.execute("create table experiments (experiment_id integer primary key, name text)")
        con.execute("create table _alembic_tmp_trace_tags (key text)")
    opened = _open(db)
    assert opened.returncode == 0, opened.stderr
    assert "creation stopped halfway" in opened.stderr and list(tmp_path.glob("mlflow.db.broken-*"))


def _run_with(uri: str, tmp_path) -> subprocess.CompletedProcess:
    exp = tmp_path / "e.yaml"
    exp.write_text("name: e\nstages: [{notebook: tests/fixtures/notebooks/ok.ipynb}]\n")
    from testdata import ROOT

    return subprocess.run([sys.executable, "-m", "lexlab", "run", str(exp), "--no-progress"], cwd=ROOT,
                          env=env(MLFLOW_TRACKING_URI=uri), capture_output=True, text=True, timeout=300)


def _newer_schema_store(tmp_path) -> str:
    db = tmp_path / "newer.db"
    assert _open(db).returncode == 0
    with sqlite3.connect(db) as con:
        con.execute("update alembic_version set version_num = 'ffffffffffff'")
    return f"sqlite:///{db}"


@pytest.mark.parametrize("kind, message", [
    ("text file", "is not an SQLite database"), ("bare path", "is a path, not a store URI"),
    ("postgresql", "install the database driver"), ("newer schema", "newer MLflow"),
])
def test_a_store_uri_that_cannot_work_is_one_line(tmp_path, kind, message):
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n" * 10)
    uri = {"text file": f"sqlite:///{text}", "bare path": str(tmp_path / "mlruns"),
           "postgresql": "postgresql://u@127.0.0.1:1/db"}.get(kind) or _newer_schema_store(tmp_path)
    if kind == "postgresql" and shutil.which("psql") and _has_driver():
        pytest.skip("a postgresql driver is installed")
    out = _run_with(uri, tmp_path)
    lines = [line for line in out.stderr.splitlines() if line.startswith("lexlab run:")]
    assert out.returncode == 2 and "Traceback" not in out.stderr and len(lines) == 1 and message in lines[0]
    assert kind != "newer schema" or "do not run `mlflow db upgrade`" in lines[0]


def _has_driver() -> bool:
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return False
    return True
