"""Fault: several processes start at once — first runs on a fresh SQLite store, stage-01 snapshot builds."""
from __future__ import annotations

import json

from faults.procs import together
from testdata import FIXTURES

FIRST_RUN = """
import sys
from mlflow.tracking import MlflowClient
from lexlab.workbench import tracking
while time.time() < START:
    time.sleep(0.005)
tracking.setup_mlflow("first")
client = MlflowClient()
run = client.create_run(client.get_experiment_by_name("first").experiment_id)
client.log_param(run.info.run_id, "x", 1)
client.set_terminated(run.info.run_id, "FINISHED")
print(run.info.run_id)
"""


def test_concurrent_first_runs_on_a_fresh_store(tmp_path):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    results = together(FIRST_RUN, n=4, MLFLOW_TRACKING_URI=uri)
    assert [r.returncode for r in results] == [0] * 4, "\n".join(r.stderr[-800:] for r in results)
    again = together(FIRST_RUN, n=1, delay=0, MLFLOW_TRACKING_URI=uri)[0]  # the store is still usable
    assert again.returncode == 0, again.stderr[-800:]
    from mlflow.tracking import MlflowClient
    client = MlflowClient(uri)
    runs = client.search_runs([client.get_experiment_by_name("first").experiment_id])
    assert len(runs) == 5 and {r.info.status for r in runs} == {"FINISHED"}


BUILD = f"""
import json
from lexlab.data.snapshot import build_snapshot
from lexlab.data.sources import StatutesSource, JsonlSource
sources = [StatutesSource({str(FIXTURES / 'data' / 'pkg' / 'law_api')!r}),
           JsonlSource({str(FIXTURES / 'data' / 'jsonl' / 'good.jsonl')!r})]
while time.time() < START:
    time.sleep(0.005)
m = build_snapshot(ROOT, sources, progress=False)
print(json.dumps({{"version": m.version, "hashes": m["hashes"]}}))
"""


def test_concurrent_snapshot_builds_publish_one_snapshot(tmp_path):
    results = together(BUILD.replace("ROOT", repr(str(tmp_path))), n=3)
    assert [r.returncode for r in results] == [0] * 3, "\n".join(r.stderr[-800:] for r in results)
    built = [json.loads(r.stdout.strip().splitlines()[-1]) for r in results]
    assert len({b["version"] for b in built}) == 1
    version = built[0]["version"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["LATEST", version]  # no .tmp-* left behind
    assert (tmp_path / "LATEST").read_text().strip() == version
    assert json.loads((tmp_path / version / "manifest.json").read_text())["hashes"] == built[0]["hashes"]
