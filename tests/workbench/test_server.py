"""``lexlab server``: a real MLflow tracking server over a SQLite store, serving artifacts; stopped with its group."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from lexlab import cli
from lexlab.workbench import server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_password_in_the_store_uri_is_refused(capsys):
    assert cli.main(["server", "--store", "postgresql://lexlab:hunter2@db:5432/mlflow"]) == 2
    assert "PGPASSWORD" in capsys.readouterr().err


def test_the_command_serves_artifacts_from_a_database_store(tmp_path):
    cmd = server.server_command("sqlite:////x/mlflow.db", tmp_path / "a", "0.0.0.0", 5001, 2)
    assert cmd[cmd.index("--backend-store-uri") + 1] == "sqlite:////x/mlflow.db"
    assert "--serve-artifacts" in cmd and cmd[cmd.index("--artifacts-destination") + 1].startswith("file://")


@pytest.mark.slow
def test_server_takes_runs_and_artifacts_and_stops_with_its_group(tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(server.__file__).parents[2]),
                                                         os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "lexlab", "server", "--port", str(port), "--workers", "1",
                             "--store", f"sqlite:///{tmp_path / 'db' / 'mlflow.db'}", "--artifacts",
                             str(tmp_path / "artifacts")], env=env, stdout=subprocess.PIPE, text=True)
    try:
        uri = f"http://127.0.0.1:{port}"
        deadline = time.time() + 240
        while time.time() < deadline:
            try:
                client = MlflowClient(uri)
                exp_id = client.create_experiment("served")
                break
            except Exception:
                time.sleep(2)
        else:
            pytest.fail("the server did not answer in 240 s")
        run = client.create_run(exp_id)
        client.log_metric(run.info.run_id, "m", 1.5)
        note = tmp_path / "note.txt"
        note.write_text("공유 저장소", encoding="utf-8")
        client.log_artifact(run.info.run_id, str(note))
        assert client.get_run(run.info.run_id).data.metrics["m"] == 1.5
        assert client.get_experiment(exp_id).artifact_location.startswith("mlflow-artifacts:")
        stored = list((tmp_path / "artifacts").rglob("note.txt"))
        assert stored and stored[0].read_text(encoding="utf-8") == "공유 저장소"  # written by the server
        assert (tmp_path / "db" / "mlflow.db").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 143
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
