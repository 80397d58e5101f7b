#!/usr/bin/env python
"""Screenshots of lexlab's runs as an analyst sees them: the MLflow UI (and optionally JupyterLab) in headless
Chromium, after a demo (`make demo`, or `lexlab run experiments/legalmidm_demo.yaml`).

    python tools/screenshots.py [OUT_DIR] [--port 5000] [--lab] [--experiment NAME ...]

Starts `mlflow server` on 127.0.0.1 over the project's store (MLFLOW_TRACKING_URI or <repo>/mlruns/mlflow.db),
finds in each paper's experiment (lexlab-legalmidm, lexlab-legalsearchlm; older stores: lexlab) the newest
pipeline of each paper (parent, stages, evaluation and per-method children, comparisons), shoots the key pages at
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


# One MLflow experiment per paper (each YAML's `experiment:`); "lexlab" holds one-off stages and older stores.
EXPERIMENTS = ("lexlab-legalmidm", "lexlab-legalsearchlm", "lexlab")


def pages(experiments: list[str]) -> list[tuple[str, str]]:
    """(file stem, UI route) of the key pages of every ``experiments`` that exists: its runs table and chart
    view, and for each paper the newest pipeline that ran something (LegalMidm: pipeline, CPT, evaluation and
    its child, comparison figures, executed notebook, corpus and QA plots; LegalSearchLM: pipeline, benchmark,
    training and evaluation runs, the per-method runs compared, the per-category figure, executed notebook);
    then the registered models."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    out: list[tuple[str, str]] = []
    for name in experiments:
        exp = client.get_experiment_by_name(name)
        runs = [] if exp is None else client.search_runs([exp.experiment_id], max_results=5000,
                                                          order_by=["attributes.start_time DESC"])
        if not runs:
            continue
        out += experiment_pages(name, exp.experiment_id, runs, client)
    return [(f"{i:02d}_{stem}", route) for i, (stem, route) in enumerate([*out, ("models", "/models")])]


def experiment_pages(name: str, e: str, runs: list, client) -> list[tuple[str, str]]:
    """The pages of one experiment: its views, then each paper's newest pipeline found in it."""
    slug = name.replace("lexlab-", "").replace("lexlab", "all")
    out = [(f"{slug}_experiment_as_it_opens", f"/experiments/{e}"),  # the view MLflow picks by itself
           (f"{slug}_runs", f"/experiments/{e}/runs?{ML_VIEW}"),
           (f"{slug}_chart", f"/experiments/{e}/runs?compareRunsMode=CHART&{ML_VIEW}")]
    for paper, shots in PAPERS.items():
        stages = newest_pipeline(runs, PIPELINE_STAGE[paper])
        if stages is not None:
            out += [(f"{paper}_{stem}", route) for stem, route in shots(e, stages, runs, client)]
    return out


# a pipeline of a paper is recognised by a stage only that paper has
PIPELINE_STAGE = {"legalmidm": ("cpt_mixed", "evaluate", "compare", "prepare_corpus"),
                  "legalsearchlm": ("evaluate_retrieval", "build_benchmark", "train_searchlm")}


def children_of(runs: list, run_id: str) -> list:
    return [r for r in runs if r.data.tags.get("mlflow.parentRunId") == run_id]


def newest_pipeline(runs: list, marks: tuple[str, ...]) -> dict | None:
    """``{"": parent, stage: run}`` of the newest pipeline with a stage in ``marks`` that ran something (a re-run
    whose stages were all reused only links to the one that ran); None when there is none."""
    found = []
    for parent in (r for r in runs if r.data.tags.get("lexlab.kind") == "parent"):
        stages = {r.data.tags.get("lexlab.stage"): r for r in children_of(runs, parent.info.run_id)}
        if any(m in stages for m in marks):
            found.append({"": parent, **stages})
    ran = [f for f in found if any("lexlab.reused_from" not in r.data.tags for k, r in f.items() if k)]
    return (ran or found or [None])[0]


def run_page(e: str, run) -> str:
    return f"/experiments/{e}/runs/{run.info.run_id}"


def legalmidm_pages(e: str, stages: dict, runs: list, client) -> list[tuple[str, str]]:
    out = [("pipeline_run", run_page(e, stages[""]))]
    for stage, stem in (("cpt_mixed", "cpt_run"), ("evaluate", "evaluate_run")):
        if stage in stages:
            out.append((stem, run_page(e, stages[stage])))
    evals = children_of(runs, stages["evaluate"].info.run_id) if "evaluate" in stages else []
    if evals:
        out.append(("eval_child_run", run_page(e, evals[-1])))
    if "compare" in stages:
        c = run_page(e, stages["compare"])
        out += [("compare_per_task_png", f"{c}/artifacts/compare/per_task.png"),
                ("compare_ablation_png", f"{c}/artifacts/compare/ablation_format.png")]
    shown = stages.get("compare") or stages.get("evaluate") or stages.get("cpt_mixed")
    if shown is not None:
        out.append(("executed_notebook", _notebook_artifact(client, e, shown.info.run_id)))
    if "prepare_corpus" in stages:
        out.append(("stats_png", f"{run_page(e, stages['prepare_corpus'])}/artifacts/plots/stats_0.png"))
    if "generate_law_qa" in stages:
        out.append(("reject_reasons_png", f"{run_page(e, stages['generate_law_qa'])}/artifacts/plots/reject_reasons.png"))
    return out


def legalsearchlm_pages(e: str, stages: dict, runs: list, client) -> list[tuple[str, str]]:
    out = [("pipeline_run", run_page(e, stages[""]))]
    for stage, stem in (("build_benchmark", "benchmark_run"), ("train_searchlm", "train_run"),
                        ("evaluate_retrieval", "evaluate_run")):
        if stage in stages:
            out.append((stem, run_page(e, stages[stage])))
    if "evaluate_retrieval" in stages:
        ev = stages["evaluate_retrieval"]
        methods = [r.info.run_id for r in children_of(runs, ev.info.run_id) if "lexlab.method" in r.data.tags]
        if methods:
            ids = ",".join(f'"{i}"' for i in methods)
            out.append(("methods_compared", f'/compare-runs?runs=[{ids}]&experiments=["{e}"]'))
        out += [("p5_by_category_png", f"{run_page(e, ev)}/artifacts/retrieval/p5_by_category.png"),
                ("executed_notebook", _notebook_artifact(client, e, ev.info.run_id))]
    return out


PAPERS = {"legalmidm": legalmidm_pages, "legalsearchlm": legalsearchlm_pages}


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
    ap.add_argument("--experiment", action="append", help=f"MLflow experiment (repeatable); default: {EXPERIMENTS}")
    ap.add_argument("--lab", action="store_true", help="also JupyterLab (port + 1)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    uri = tracking.setup_mlflow()
    base = f"http://127.0.0.1:{args.port}"
    cmd = ["mlflow", "server", "--host", "127.0.0.1", "--port", str(args.port), "--backend-store-uri", uri]
    root = tracking.artifact_root(uri)
    if root:
        cmd += ["--default-artifact-root", root]
    with server(cmd, f"{base}/health", out / "mlflow-server.log", {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}):
        for stem, route in pages(args.experiment or list(EXPERIMENTS)):
            if route.startswith("/experiments/") and "?" not in route and not stem.endswith("_as_it_opens"):
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
