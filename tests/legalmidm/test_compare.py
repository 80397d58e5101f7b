"""The comparison over a temporary MLflow store filled with synthetic evaluation runs of known scores."""
import math

import mlflow
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lexlab.legalmidm import compare

SCORES = {  # variant → (format, summary rougeL per seed, mc acc_norm per seed)
    "it_no_ref": ("no_ref", [0.20, 0.21, 0.19], [0.40, 0.42, 0.41]),
    "it_ref_in_input": ("ref_in_input", [0.30, 0.31, 0.29], [0.41, 0.40, 0.42]),
    "it_ref_in_output": ("ref_in_output", [0.20, 0.22, 0.19], [0.41, 0.39, 0.43]),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("mlruns")
    old = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    exp = mlflow.create_experiment("cmp", artifact_location=(root / "artifacts").as_uri())
    mlflow.set_experiment(experiment_id=exp)
    with mlflow.start_run(run_name="pipeline") as parent:
        for variant, (fmt, summ, mc) in SCORES.items():
            for seed, (s, m) in enumerate(zip(summ, mc)):
                with mlflow.start_run(run_name=f"eval/{variant}/{seed}", nested=True):
                    mlflow.set_tags({"lexlab.eval_variant": variant, "lexlab.eval_kind": "model"})
                    mlflow.log_params({"factor.format": fmt, "factor.cpt_mix": "legal", "factor.seed": seed})
                    mlflow.log_metrics({"summary.rougeL_char": s, "summary.rougeL_char.ci_low": s - 0.05,
                                        "summary.rougeL_char.ci_high": s + 0.05, "summary.rougeL_morph": 0.9,
                                        "mc_title.acc_norm": m, "general_ppl.perplexity": 50 + seed})
        with mlflow.start_run(run_name="eval/extractive", nested=True):
            mlflow.set_tags({"lexlab.eval_variant": "extractive", "lexlab.eval_kind": "baseline"})
            mlflow.log_metrics({"summary.rougeL_char": 0.25, "summary.rougeL_char.ci_low": 0.22,
                                "summary.rougeL_char.ci_high": 0.28})
        with mlflow.start_run(run_name="broken", nested=True):
            mlflow.set_tag("lexlab.eval_variant", "broken")
            mlflow.log_metric("summary.rougeL_char", 0.99)
            mlflow.end_run(status="FAILED")
    with mlflow.start_run(run_name="other pipeline"):
        with mlflow.start_run(run_name="eval/elsewhere", nested=True):
            mlflow.set_tags({"lexlab.eval_variant": "elsewhere", "lexlab.eval_kind": "model"})
            mlflow.log_metric("summary.rougeL_char", 0.5)
    yield parent.info.run_id
    mlflow.set_tracking_uri(old)


def test_loads_only_finished_eval_runs_under_the_parent(store):
    runs = compare.load_eval_runs(parent_run_id=store)
    assert sorted(runs["variant"].unique()) == ["extractive", "it_no_ref", "it_ref_in_input", "it_ref_in_output"]
    assert len(runs) == 10
    everything = compare.load_eval_runs()
    assert "elsewhere" in set(everything["variant"]) and "broken" not in set(everything["variant"])


def test_headline_metrics_never_mix_rouge_tokenizers(store):
    runs = compare.load_eval_runs(parent_run_id=store)
    cols = compare.headline_metrics(runs, "char")
    assert cols == ["mc_title.acc_norm", "summary.rougeL_char", "general_ppl.perplexity"]
    assert "summary.rougeL_morph" in compare.headline_metrics(runs, "morph")


def test_headline_metrics_follow_the_tasks_declaration(store, monkeypatch):
    import dataclasses

    from lexlab.legalmidm import tasks

    runs = compare.load_eval_runs(parent_run_id=store)
    monkeypatch.setitem(tasks.TASKS, "mc_title", dataclasses.replace(tasks.TASKS["mc_title"], metric="acc"))
    assert compare.headline_metrics(runs, "char") == ["summary.rougeL_char", "general_ppl.perplexity"]


def test_seed_mean_and_t_interval(store):
    runs = compare.load_eval_runs(parent_run_id=store)
    summ = compare.summarize(runs, ["summary.rougeL_char"])
    row = summ[summ["variant"] == "it_no_ref"].iloc[0]
    vals = np.array(SCORES["it_no_ref"][1])
    half = stats.t.ppf(0.975, 2) * vals.std(ddof=1) / math.sqrt(3)
    assert row["mean"] == pytest.approx(vals.mean())
    assert row["ci_low"] == pytest.approx(vals.mean() - half) and row["ci_high"] == pytest.approx(vals.mean() + half)
    assert row["n_seeds"] == 3 and row["ci"].startswith("t over 3")
    base = summ[summ["variant"] == "extractive"].iloc[0]  # one run: its own bootstrap interval
    assert (base["ci_low"], base["ci_high"]) == pytest.approx((0.22, 0.28)) and base["ci"].startswith("bootstrap")


def test_format_ablation_states_only_the_real_difference(store):
    result = compare.compare(compare.load_eval_runs(parent_run_id=store))
    ab = result["ablation.format"]
    said = "\n".join(ab["statements"])
    assert "ref_in_input is better than no_ref on summary.rougeL_char" in said
    assert "ref_in_output" not in said          # 0.203 vs 0.200: inside the CI
    assert "mc_title" not in said               # all formats ~0.41
    assert set(ab["table"].index) >= {"no_ref", "ref_in_input", "ref_in_output", "extractive"}  # baseline row too
    d = ab["differences"].set_index(["level", "metric"])
    assert d.loc[("ref_in_input", "summary.rougeL_char"), "diff"] == pytest.approx(0.10)
    # perplexity: lower is better, so a model with higher perplexity is not called better
    assert "cpt_mix" not in {k.split(".", 1)[1] for k in result if k.startswith("ablation.")}  # one level only


def test_log_comparison_writes_tables_and_plots(store, tmp_path):
    result = compare.compare(compare.load_eval_runs(parent_run_id=store))
    with mlflow.start_run(run_name="compare") as run:
        text = compare.log_comparison(result)
    names = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "compare")}
    assert {"compare/comparison.md", "compare/per_task.json", "compare/per_task.png",
            "compare/ablation_format.png"} <= names
    assert "| it_ref_in_input |" in text and "Ablation: format" in text


def test_grid_variant_names_pool_seeds():
    from lexlab.legalmidm import variants

    specs = variants.model_specs([], model="grid-format=no_ref-seed=1-it", factors={"format": "no_ref"}, seed=1)
    assert specs[0]["name"] == "format=no_ref" and specs[0]["factors"] == {"format": "no_ref", "seed": 1}
    listed = variants.model_specs([{"name": "a", "path": "work/models/a/final", "format": "no_ref"}])
    assert listed[0]["factors"] == {"format": "no_ref"}
    with pytest.raises(ValueError, match="nothing to evaluate"):
        variants.model_specs([], model="")


def test_tables_hold_every_metric_and_baselines_are_summarised(store):
    result = compare.compare(compare.load_eval_runs(parent_run_id=store))
    table = result["per_task_table"]
    assert list(table.columns) == ["mc_title.acc_norm", "summary.rougeL_char", "general_ppl.perplexity", "avg",
                                   "seeds"]
    assert table.loc["it_ref_in_input", "summary.rougeL_char"].startswith("30.0 [")
    assert table.loc["extractive", "avg"] == "–"  # no MC score: no average over an easier subset
    lines = "\n".join(result["vs_baselines"])
    assert "it_ref_in_input vs extractive: better beyond CI on 1 (summary.rougeL_char)" in lines


def test_plots_read_at_100_percent_with_the_demo_s_size():
    """Eight variants × eleven task metrics (the demo's per-task plot was 5280 px wide): facets, ≤ 1600 px."""
    from lexlab.workbench import plots

    rows = [{"variant": f"variant_{v}", "metric": f"task_{m}.rougeL_char", "mean": 0.1 * (v + 1), "ci_low": 0.05,
             "ci_high": 0.2 + 0.1 * v, "kind": "baseline" if v > 5 else "model"} for v in range(8) for m in range(11)]
    fig = compare.plot(pd.DataFrame(rows), title="per-task scores")
    width, height = plots.size_px(fig)
    assert width <= plots.MAX_WIDTH_PX and height <= 1200
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 11


def test_sections_pair_each_table_with_its_figure(store):
    result = compare.compare(compare.load_eval_runs(["cmp"], parent_run_id=store), "char", [("format", "no_ref")])
    names = [figure for _, figure in compare.sections(result)]
    assert names[:2] == ["compare/per_task.png", "compare/ablation_format.png"]
    assert set(compare.figures(result)) == {n for n in names if n}
