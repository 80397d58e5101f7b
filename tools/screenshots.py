#!/usr/bin/env python
"""Screenshots of lexlab's runs as an analyst sees them: the MLflow UI (and optionally JupyterLab) in headless
Chromium, after a demo (`make demo`, or `lexlab run experiments/legalmidm_demo.yaml`).

    python tools/screenshots.py [OUT_DIR] [--port 5000] [--lab] [--experiment lexlab]

Starts `mlflow server` on 127.0.0.1 over the project's store (MLFLOW_TRACKING_URI or <repo>/mlruns/mlflow.db),
finds the newest pipeline's runs (parent, stages, evaluation children, compare), shoots the key pages at
1600x1000 into OUT_DIR (default work/screenshots/) and stops each server by its process group. Needs Debian's
`chromium` (`apt-get install -y chromium`). Prints one line per page: file, URL.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))

from lexlab.workbench import tracking  # noqa: E402

WINDOW = "1600,1000"
ML_VIEW = "workflowType=machine_learning"  # MLflow's model-training view, whatever the browser last chose


@contextmanager
def server(cmd: list[str], url: str, log: Path, env: dict | None = None, timeout: float = 180):
    """Run ``cmd`` in its own process group until ``url`` answers; stop the whole group afterwards."""
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO,
                                env={**os.environ, **(env or {})})
    try:
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise SystemExit(f"{cmd[0]} did not come up at {url}; see {log}")
                time.sleep(1)
        yield proc
    finally:
        with_signal(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with_signal(proc, signal.SIGKILL)


def with_signal(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # the server's helpers too (mlflow starts worker processes)
    except ProcessLookupError:
        pass


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    raise SystemExit("no chromium: apt-get install -y chromium")


def shoot(url: str, out: Path, budget_ms: int = 15000) -> None:
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           f"--screenshot={out}", f"--window-size={WINDOW}", f"--virtual-time-budget={budget_ms}", url]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180, check=False)
    print(f"{out.name}\t{url}", flush=True)


def pages(experiment: str) -> list[tuple[str, str]]:
    """(file stem, UI route) of the key pages of the newest pipeline in ``experiment``."""
    import mlflow
    from mlflow.tracking import MlflowClient

    tracking.setup_mlflow(experiment)
    client = MlflowClient()
    exp = client.get_experiment_by_name(experiment)
    e = exp.experiment_id
    runs = client.search_runs([e], order_by=["attributes.start_time DESC"], max_results=2000)
    parents = [r for r in runs if r.data.tags.get("lexlab.kind") == "parent"]
    out = [("00_experiment_as_it_opens", f"/experiments/{e}"),  # the view MLflow picks by itself
           ("01_experiment_runs", f"/experiments/{e}/runs?{ML_VIEW}"),
           ("02_experiment_chart", f"/experiments/{e}/runs?compareRunsMode=CHART&{ML_VIEW}")]
    if not parents:
        return out
    def stages(parent) -> dict:
        return {r.data.tags.get("lexlab.stage"): r for r in runs
                if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id}

    # the newest pipeline that ran something (a re-run whose stages were all reused only links to it)
    parent = next((p for p in parents if any("lexlab.reused_from" not in r.data.tags for r in stages(p).values())),
                  parents[0])
    children = stages(parent)
    out.append(("03_pipeline_run", f"/experiments/{e}/runs/{parent.info.run_id}"))
    for stage, stem in (("cpt_mixed", "04_cpt_run"), ("evaluate", "05_evaluate_run")):
        if stage in children:
            out.append((stem, f"/experiments/{e}/runs/{children[stage].info.run_id}"))
    if "evaluate" in children:
        evals = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == children["evaluate"].info.run_id]
        if evals:
            out.append(("06_eval_child_run", f"/experiments/{e}/runs/{evals[-1].info.run_id}"))
    if "compare" in children:
        c = children["compare"].info.run_id
        out += [("07_compare_per_task_png", f"/experiments/{e}/runs/{c}/artifacts/compare/per_task.png"),
                ("08_compare_ablation_png", f"/experiments/{e}/runs/{c}/artifacts/compare/ablation_format.png")]
    shown = children.get("compare") or children.get("evaluate") or children.get("cpt_mixed")
    if shown is not None:
        out.append(("09_executed_notebook", _notebook_artifact(client, e, shown.info.run_id)))
    if "prepare_corpus" in children:
        out.append(("10_stats_png", f"/experiments/{e}/runs/{children['prepare_corpus'].info.run_id}"
                                    "/artifacts/plots/stats_0.png"))
    if "generate_law_qa" in children:
        out.append(("11_reject_reasons_png", f"/experiments/{e}/runs/{children['generate_law_qa'].info.run_id}"
                                             "/artifacts/plots/reject_reasons.png"))
    out.append(("12_models", "/models"))
    del mlflow
    return out


def _notebook_artifact(client, e: str, run_id: str) -> str:
    files = [f.path for f in client.list_artifacts(run_id, "notebook")]
    html = [f for f in files if f.endswith(".html")]
    return f"/experiments/{e}/runs/{run_id}/artifacts/{(html or files or ['notebook'])[0]}"


def lab_pages() -> list[tuple[str, str]]:
    runs = sorted((REPO / "work" / "runs").glob("*/*.ipynb"), key=lambda p: p.stat().st_mtime)
    out = [("20_lab_tree", "/lab/tree/work/runs")]
    for stem in ("evaluate", "compare"):
        found = [p for p in runs if p.name.startswith(stem + "_")]
        if found:
            out.append((f"21_lab_{stem}", f"/lab/tree/{found[-1].relative_to(REPO)}"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", default=str(REPO / "work" / "screenshots"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))  # not 5060/5061: Chromium refuses
    ap.add_argument("--experiment", default="lexlab")
    ap.add_argument("--lab", action="store_true", help="also JupyterLab (port + 1)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    uri = tracking.setup_mlflow(args.experiment)
    base = f"http://127.0.0.1:{args.port}"
    cmd = ["mlflow", "server", "--host", "127.0.0.1", "--port", str(args.port), "--backend-store-uri", uri]
    root = tracking.artifact_root(uri)
    if root:
        cmd += ["--default-artifact-root", root]
    with server(cmd, f"{base}/health", out / "mlflow-server.log", {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}):
        for stem, route in pages(args.experiment):
            if route.startswith("/experiments/") and "?" not in route and stem != "00_experiment_as_it_opens":
                route += f"?{ML_VIEW}"
            shoot(f"{base}/#{route}", out / f"{stem}.png")
    if args.lab:
        lab = args.port + 1
        cmd = ["jupyter", "lab", "--no-browser", f"--port={lab}", "--ip=127.0.0.1", "--ServerApp.token=",
               "--ServerApp.password=", "--allow-root", f"--notebook-dir={REPO}"]
        with server(cmd, f"http://127.0.0.1:{lab}/lab", out / "jupyterlab.log"):
            for stem, route in lab_pages():
                shoot(f"http://127.0.0.1:{lab}{route}", out / f"{stem}.png", budget_ms=25000)


if __name__ == "__main__":
    main()
