"""The MLflow store: an unreachable tracking server fails in seconds with one line."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from testdata import ROOT


def test_unreachable_server_fails_fast_with_one_line(tmp_path):
    exp = ROOT / "experiments" / "07_compare.yaml"
    env = {**os.environ, "MLFLOW_TRACKING_URI": "http://127.0.0.1:9", "PYTHONPATH": str(ROOT / "lib")}
    started = time.time()
    out = subprocess.run([sys.executable, "-m", "lexlab", "run", str(exp), "--no-progress"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert time.time() - started < 30
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "lexlab run: MLflow tracking server http://127.0.0.1:9 is unreachable (Connection refused, 5 s probe); "
        "start it or unset MLFLOW_TRACKING_URI to use the local store"]


def test_probe_redacts_credentials():
    from lexlab.workbench import store

    with pytest.raises(store.TrackingUnreachable) as err:
        store.probe("http://user:SECRET@127.0.0.1:9", timeout=1)
    assert "SECRET" not in str(err.value) and "http://***@127.0.0.1:9" in str(err.value)
