"""Notebook 10's report: every category in the figure with its n and interval, a legend that hides no bar, one
MLflow run per method with standard and stricter P@5, values rounded for reading."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import mlflow  # noqa: E402
import pytest  # noqa: E402

from legalsearchlm import cases  # noqa: E402
from lexlab.legalsearchlm.retrieval import report  # noqa: E402
from lexlab.legalsearchlm.retrieval.benchmark import Evaluation  # noqa: E402
from lexlab.legalsearchlm.searchlm.diagnostics import collapse  # noqa: E402
from lexlab.workbench import plots, tracking  # noqa: E402

# four categories, one of them with a single query (the old plot dropped n < 3)
CATS = {"a1": "사기", "a2": "사기", "a3": "사기", "a4": "사기", "b1": "노동", "b2": "노동", "b3": "노동", "c1": "저작권",
        "d1": "교통", "d2": "교통"}
PER_Q = {"bm25": {q: (0.4 if q.startswith("a") else 0.2) for q in CATS},
         "searchlm": {q: (0.6 if q in ("a1", "c1") else 0.0) for q in CATS}}


def test_every_category_has_an_interval_and_its_n():
    table = report.category_intervals(PER_Q, CATS)
    assert set(table["category"]) == {"ALL", "사기", "노동", "저작권", "교통"}
    assert list(dict.fromkeys(table["category"]))[:2] == ["ALL", "사기"]  # ALL first, then by n
    one = table[(table["category"] == "저작권") & (table["method"] == "searchlm")].iloc[0]
    assert (one["n"], one["mean"], one["ci_low"], one["ci_high"]) == (1, 0.6, 0.6, 0.6)
    all_ = table[(table["category"] == "ALL") & (table["method"] == "bm25")].iloc[0]
    assert all_["n"] == 10 and all_["ci_low"] <= all_["mean"] <= all_["ci_high"]


def test_category_figure_shows_every_category_with_n_and_a_legend_below_the_bars():
    table = report.category_intervals(PER_Q, CATS)
    fig = report.category_figure(table, "P@5 by category")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["ALL (n=10)", "사기 (n=4)", "노동 (n=3)", "교통 (n=2)", "저작권 (n=1)"]
    assert len(ax.patches) == 2 * 5  # a bar per method and category, none dropped
    errorbars = [c for c in ax.containers if isinstance(c, matplotlib.container.ErrorbarContainer)]
    assert len(errorbars) == 2  # an interval on every bar of each method
    width, _ = plots.size_px(fig)
    assert width >= 1200
    fig.canvas.draw()
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["bm25", "searchlm"]
    renderer = fig.canvas.get_renderer()
    box, axes = legend.get_window_extent(renderer), ax.get_tightbbox(renderer)
    assert box.y1 <= axes.y0 and box.y0 >= 0  # below the axes and their labels, inside the figure
    assert axes.x0 >= 0 and axes.x1 <= fig.bbox.width + 1  # labels and title not cut off


def test_method_metrics_score_both_relevance_kinds_rounded():
    docs = cases.corpus()
    queries = cases.queries()
    ev = Evaluation()
    ev.add("bm25", {"wage-0": [("wage-1", 3.0), ("copy-2", 2.0), ("fraud-1", 1.0)],
                    "copy-0": [("copy-2", 1.0)], "fraud-0": []}, 0.123456789, index_s=0.5)
    qrels = {"standard": cases.qrels(docs), "stricter": {"wage-0": {"wage-1": 1}}}
    metrics = report.method_metrics(ev, qrels, queries, {q["id"]: q["category"] for q in queries}, k=5)
    m = metrics["bm25"]
    assert m["P_at_5.standard"] == round((1 / 5 + 1 / 5 + 0) / 3, 4)  # 0.1333, not 0.13333333333333333
    assert m["P_at_5.stricter"] == 0.2 and m["n_queries.stricter"] == 1 and m["n_queries.standard"] == 3
    assert m["seconds.search"] == 0.1235
    assert report.headline_metrics(metrics, "standard") == {"P_at_5.bm25": m["P_at_5.standard"]}


def test_each_method_gets_its_own_child_run():
    ev = Evaluation(bm25_options={"tokenizer": "char2", "k1": 300.0, "b": 1.0})
    ev.add("bm25", {}, 0.1, index_s=0.1)
    ev.add("searchlm[legal]+qanchor", {}, 0.1, index_s=0.1)
    ev.model_dirs["searchlm[legal]+qanchor"] = "/work/retrieval/x/final"
    ev.add("hybrid[legal]+qanchor", {}, 0.1, index_s=0.0)
    ev.collapse["searchlm[legal]+qanchor"] = collapse({f"q{i}": ["사기죄"] for i in range(12)})
    metrics = {"bm25": {"P_at_5.standard": 0.3}, "searchlm[legal]+qanchor": {"P_at_5.standard": 0.2},
               "hybrid[legal]+qanchor": {"P_at_5.standard": 0.3}}
    metrics["searchlm[legal]+qanchor"].update(report.collapse_metrics(ev.collapse["searchlm[legal]+qanchor"]))
    tracking.setup_mlflow("test-retrieval-report")
    with mlflow.start_run(run_name="evaluate") as stage:
        ids = report.log_method_runs(ev, metrics, report.method_params(ev))
    runs = {m: mlflow.get_run(i) for m, i in ids.items()}
    assert len(runs) == 3  # one child run per method: MLflow's compare view puts them side by side
    assert all(r.data.tags["mlflow.parentRunId"] == stage.info.run_id for r in runs.values())
    assert runs["bm25"].info.run_name == "bm25 · evaluate"
    assert runs["bm25"].data.params["bm25.k1"] == "300.0" and runs["bm25"].data.metrics["P_at_5.standard"] == 0.3
    slm = runs["searchlm[legal]+qanchor"]
    assert slm.data.params["model_dir"] == "/work/retrieval/x/final"
    # the collapsed model is flagged on its run (metrics, tag, warning) and on the stage run
    assert slm.data.metrics["spans.collapsed"] == 1.0 and slm.data.metrics["spans.top_span_share"] == 1.0
    assert slm.data.tags["lexlab.collapsed"] == "true" and "looks collapsed" in slm.data.tags["lexlab.warning"]
    assert "lexlab.collapsed" not in runs["bm25"].data.tags
    assert mlflow.get_run(stage.info.run_id).data.tags["lexlab.collapsed_methods"] == "searchlm[legal]+qanchor"


def test_differences_need_the_baseline():
    assert report.differences_to(PER_Q, "dense", CATS) is None
    diffs = report.differences_to(PER_Q, "bm25", CATS)
    assert set(diffs["category"]) == {"ALL", "사기", "노동", "저작권", "교통"}
    assert diffs.loc[diffs["category"] == "ALL", "diff"].iloc[0] == pytest.approx(
        sum(PER_Q["searchlm"].values()) / 10 - sum(PER_Q["bm25"].values()) / 10)
