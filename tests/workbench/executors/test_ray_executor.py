"""``lexlab run --executor ray`` on a small local Ray: the same run tree and metrics as the sequential loop, a
worker killed mid-cell fails that cell only, and a store remote workers cannot reach is refused."""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import mlflow
import pytest
import yaml
from mlflow.tracking import MlflowClient
from raytest import ray_local  # noqa: F401  (fixture)
from testdata import FIXTURES

from lexlab import cli
from lexlab.workbench import executors, runner
from lexlab.workbench.executors import ray_executor

NB = FIXTURES / "notebooks"


def _write(tmp_path: Path, spec: dict, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def _tree(run_id: str) -> dict:
    """A run and its descendants as {name: (status, metrics without timings, params, children)}."""
    client = MlflowClient()
    run = client.get_run(run_id)
    children = client.search_runs([run.info.experiment_id], f"tags.mlflow.parentRunId = '{run_id}'")
    metrics = {k: v for k, v in run.data.metrics.items() if k != "stage_seconds"}
    params = {k: v for k, v in run.data.params.items() if k != "run_name"}
    return {"name": run.info.run_name, "status": run.info.status, "metrics": metrics, "params": params,
            "children": sorted((_tree(c.info.run_id) for c in children), key=lambda t: t["name"])}


def test_grid_through_ray_gives_the_sequential_run_tree_and_metrics(tmp_path, ray_local):
    spec = {"name": "raygrid", "experiment": "test-ray",
            "stages": [{"name": "a", "notebook": str(NB / "ok.ipynb"), "resources": {"num_cpus": 1}},
                       {"name": "b", "notebook": str(NB / "ok.ipynb")}],
            "grid": {"a.x": [1, 3]}}
    exp = _write(tmp_path, spec)
    seq = runner.run_experiment(exp, progress=False, rerun=True)
    par = runner.run_experiment(exp, progress=False, rerun=True, executor=executors.make("ray", max_parallel=2))
    assert seq.ok and par.ok and len(par.stages) == len(seq.stages) == 4
    seq_tree, par_tree = _tree(seq.parent_run_id), _tree(par.parent_run_id)
    par_tree["metrics"].pop("cells_failed"), par_tree["metrics"].pop("cells_total")
    assert par_tree == seq_tree
    assert sorted(c["children"][0]["metrics"]["x_squared"] for c in par_tree["children"]) == [1.0, 9.0]
    parent = MlflowClient().get_run(par.parent_run_id)
    assert parent.data.tags["lexlab.cells"].startswith("0 of 2 cells failed")
    stage_run = MlflowClient().get_run(par.stages[0].run_id)
    assert stage_run.data.tags["lexlab.pid"] != str(os.getpid())  # it really ran in a Ray worker


def _ppid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[1])


def test_a_worker_killed_mid_cell_fails_that_cell_and_the_others_finish(tmp_path, ray_local):
    exp = _write(tmp_path, {"name": "raykill", "experiment": "test-ray",
                            "stages": [{"name": "nap", "notebook": str(NB / "sleep.ipynb"),
                                        "params": {"marker": str(tmp_path / "{run_name}.pid")}}],
                            "grid": {"seconds": [1, 120, 2]}})
    out: dict = {}
    thread = threading.Thread(target=lambda: out.update(result=runner.run_experiment(
        exp, progress=False, rerun=True, executor=executors.make("ray", max_parallel=2))))
    thread.start()
    marker = next(tmp_path.glob("*seconds=120*.pid"), None)
    deadline = time.time() + 240
    while (marker is None or not marker.read_text()) and time.time() < deadline:
        time.sleep(0.5)
        marker = next(tmp_path.glob("*seconds=120*.pid"), None)
    assert marker is not None, "the long cell never started"
    kernel = int(marker.read_text())
    worker = _ppid(kernel)  # the kernel is the Ray worker's child
    os.kill(worker, signal.SIGKILL)
    thread.join(timeout=240)
    _kill(kernel)
    result = out["result"]
    statuses = sorted(s.status for s in result.stages)
    assert statuses == ["FAILED", "FINISHED", "FINISHED"]
    failed = next(s for s in result.stages if s.status == "FAILED")
    run = MlflowClient().get_run(failed.run_id)
    assert run.info.status == "FAILED" and "Ray worker" in run.data.tags["lexlab.error"]
    parent = MlflowClient().get_run(result.parent_run_id)
    assert parent.info.status == "FAILED"
    assert parent.data.tags["lexlab.cells"].startswith("1 of 3 cells failed")
    assert parent.data.metrics["cells_failed"] == 1.0


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)  # the orphaned kernel stops by itself soon; do not wait for it
    except ProcessLookupError:
        pass


def test_a_local_store_with_remote_workers_is_refused_before_any_run(tmp_path):
    exp = _write(tmp_path, {"name": "rayremote", "experiment": "test-ray-refused",
                            "stages": [{"name": "fx", "notebook": str(NB / "ok.ipynb")}]})
    code = cli.main(["run", str(exp), "--executor", "ray", "--address", "ray://10.255.0.1:10001", "--no-progress"])
    assert code == 2
    existing = mlflow.get_experiment_by_name("test-ray-refused")
    assert existing is None or not mlflow.search_runs([existing.experiment_id], output_format="list")
    with pytest.raises(runner.ExperimentError, match="lexlab server"):
        ray_executor.check_store_shared("sqlite:////tmp/x/mlflow.db", None, n_nodes=3)
    ray_executor.check_store_shared("http://tracking:5000", "ray://10.255.0.1:10001")  # a server is fine
    ray_executor.check_store_shared("sqlite:////tmp/x/mlflow.db", "auto", n_nodes=1)  # one machine is fine


def test_cell_resources_take_the_largest_stage_request_and_refuse_bad_ones(tmp_path):
    exp = runner.load_experiment(_write(tmp_path, {"name": "r", "stages": [
        {"name": "a", "notebook": str(NB / "ok.ipynb"), "resources": {"num_cpus": 4}},
        {"name": "b", "notebook": str(NB / "ok.ipynb"), "resources": {"num_gpus": 1, "num_cpus": 2}}]}))
    assert ray_executor.cell_resources(exp) == {"num_cpus": 4.0, "num_gpus": 1.0}
    bad = runner.load_experiment(_write(tmp_path, {"name": "r", "stages": [
        {"name": "a", "notebook": str(NB / "ok.ipynb"), "resources": {"gpus": 1}}]}, "bad.yaml"))
    with pytest.raises(runner.ExperimentError, match=r"stages\[0\].resources: unknown key 'gpus'"):
        ray_executor.cell_resources(bad)


def test_a_cell_asking_for_more_than_the_cluster_has_is_refused(tmp_path, ray_local):
    exp = _write(tmp_path, {"name": "raygpu", "experiment": "test-ray-gpu",
                            "stages": [{"name": "fx", "notebook": str(NB / "ok.ipynb"), "resources": {"num_gpus": 1}}]})
    with pytest.raises(runner.ExperimentError, match="num_gpus=1 but the Ray cluster has 0"):
        runner.run_experiment(exp, progress=False, executor=executors.make("ray"))
    assert mlflow.get_experiment_by_name("test-ray-gpu") is None or not mlflow.search_runs(
        experiment_names=["test-ray-gpu"], output_format="list")


def test_cells_sharing_their_first_stage_run_after_the_first_of_them(tmp_path):
    stages = [{"name": "a", "notebook": str(NB / "ok.ipynb")}, {"name": "b", "notebook": str(NB / "ok.ipynb")}]
    shared = runner.load_experiment(_write(tmp_path, {"name": "s", "stages": stages, "grid": {"b.x": [1, 2, 3]}}))
    points = runner.grid_points(shared.grid)
    assert ray_executor.shared_first_stage(shared, points, {}, "s") == [None, 0, 0]  # stage a: same params
    apart = runner.load_experiment(_write(tmp_path, {"name": "s", "stages": stages, "grid": {"a.x": [1, 2]}},
                                          "apart.yaml"))
    assert ray_executor.shared_first_stage(apart, runner.grid_points(apart.grid), {}, "s") == [None, None]
