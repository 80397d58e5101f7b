"""Read evaluation runs back from MLflow and lay them out like the paper's tables.

An evaluation run is any MLflow run tagged ``lexlab.eval_variant`` (``lexlab.legalmidm.evaluate.evaluate_and_log`` sets it):
its metrics are ``<task>.<metric>`` with ``.ci_low``/``.ci_high`` beside them, its params name the variant and
its ablation factors (``factor.format``, ``factor.cpt_mix``, ``factor.seed`` …). The tables hold each task's
headline metric as the task declares it (``lexlab.legalmidm.tasks.Task.headline``). Baselines (the untrained model,
the extractive lead baseline) are evaluation runs with tag ``lexlab.eval_kind = baseline`` and appear on every
table.

Intervals. A variant run with several seeds gets the mean over seeds and a t-interval over seeds (training noise);
a variant with one seed gets that run's bootstrap interval over examples (test-set noise) — the table says which.
Two variants differ "beyond their CIs" when the difference is larger than the half-width of its own interval,
taken as sqrt(h1² + h2²) from the two half-widths (independent errors, normal approximation). The stricter
"intervals do not overlap" is reported beside it.
"""
from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from lexlab.legalmidm import metrics
from lexlab.legalmidm.tasks import LOWER_IS_BETTER, TASKS


# ------------------------------------------------------------------------------------------------ loading

def load_eval_runs(experiment_names: Sequence[str] | None = None, parent_run_id: str | None = None,
                   filter_string: str = "") -> pd.DataFrame:
    """Finished evaluation runs as a tidy frame: run_id, variant, kind, seed, factor.* and the metric columns."""
    import mlflow

    raw = mlflow.search_runs(experiment_names=list(experiment_names) if experiment_names else None,
                             search_all_experiments=not experiment_names, filter_string=filter_string,
                             max_results=50000)
    return tidy_runs(raw, parent_run_id)


def scope_parent(scope: str, run_id: str) -> str | None:
    """The run whose descendants a comparison reads: "pipeline" → the top of the pipeline ``run_id`` sits in
    (grid point runs sit between it and the stages), "experiment" → None (every run), else ``scope`` is a run id."""
    import mlflow

    if scope == "experiment":
        return None
    if scope != "pipeline":
        return scope
    parent = mlflow.get_run(run_id).data.tags.get("mlflow.parentRunId")
    while parent:
        up = mlflow.get_run(parent).data.tags.get("mlflow.parentRunId")
        if not up:
            break
        parent = up
    return parent


def tidy_runs(raw: pd.DataFrame, parent_run_id: str | None = None) -> pd.DataFrame:
    if raw.empty or "tags.lexlab.eval_variant" not in raw.columns:
        return pd.DataFrame(columns=["run_id", "variant", "kind", "seed"])
    runs = raw[raw["tags.lexlab.eval_variant"].notna() & (raw["status"] == "FINISHED")].copy()
    if parent_run_id:
        runs = runs[runs["run_id"].isin(descendants(raw, parent_run_id))]
    cols = {
        "run_id": runs["run_id"],
        "variant": runs["tags.lexlab.eval_variant"],
        "kind": runs.get("tags.lexlab.eval_kind", pd.Series("model", index=runs.index)).fillna("model"),
        "start_time": runs.get("start_time"),
    }
    for col in runs.columns:
        if col.startswith("params.factor."):
            cols[col[len("params."):]] = runs[col]
        elif col.startswith("metrics."):
            cols[col[len("metrics."):]] = runs[col]
        elif col.startswith("params.") and metrics.is_detail(col):  # intervals and sizes (evaluate.log_result)
            cols[col[len("params."):]] = pd.to_numeric(runs[col], errors="coerce")
    cols["seed"] = cols.get("factor.seed", pd.Series(np.nan, index=runs.index))
    return pd.DataFrame(cols).reset_index(drop=True)


def descendants(raw: pd.DataFrame, root: str) -> set[str]:
    """Run ids under ``root`` at any depth (pipeline parent → variant → stage → per-model eval run). A stage run
    that reused a finished one (tag ``lexlab.reused_from``) stands for it: the original's children count."""
    parent_col = "tags.mlflow.parentRunId"
    if parent_col not in raw.columns:
        return set()
    children: dict[str, list[str]] = {}
    for run_id, parent in zip(raw["run_id"], raw[parent_col]):
        if isinstance(parent, str):
            children.setdefault(parent, []).append(run_id)
    for run_id, original in zip(raw["run_id"], raw.get("tags.lexlab.reused_from", pd.Series(dtype=object))):
        if isinstance(original, str):
            children.setdefault(run_id, []).append(original)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def headline_metrics(runs: pd.DataFrame, rouge_tokenizer: str = "char") -> list[str]:
    """Each task's headline metric (``Task.headline``) present in the runs: ROUGE-L of one tokenizer only, never
    mixed; lower-is-better metrics (perplexity) last."""
    wanted = {task.headline(rouge_tokenizer) for task in TASKS.values()}
    # API-served models answer multiple choice by generation (lexlab.legalmidm.api_eval): a column of its own
    wanted |= {f"{name}.acc_gen" for name, task in TASKS.items() if task.kind == "choice"}
    found = [col for col in runs.columns if col in wanted]
    return sorted(found, key=lambda c: (c.endswith(LOWER_IS_BETTER), c))


def factor_columns(runs: pd.DataFrame) -> list[str]:
    return [c for c in runs.columns if c.startswith("factor.") and c != "factor.seed"]


# ------------------------------------------------------------------------------------------------ summarising

def t_quantile(df: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.975, df))


def summarize(runs: pd.DataFrame, metric_cols: Iterable[str], by: str = "variant") -> pd.DataFrame:
    """Long table: one row per (group, metric) with mean, CI, number of seeds and the kind of CI."""
    rows = []
    for level, group in runs.groupby(by, sort=False, dropna=False):
        for metric in metric_cols:
            if metric not in group.columns:
                continue
            vals = group[metric].dropna()
            if vals.empty:
                continue
            n = len(vals)
            mean = float(vals.mean())
            if n >= 2 and float(vals.std(ddof=1)) == 0.0 and f"{metric}.ci_low" in group:
                n = 1  # a deterministic variant (the extractive baseline) repeated per seed: no seed spread
            if n >= 2:
                half = t_quantile(n - 1) * float(vals.std(ddof=1)) / math.sqrt(n)
                low, high, kind = mean - half, mean + half, f"t over {n} seeds"
            else:
                low = float(group[f"{metric}.ci_low"].dropna().iloc[0]) if f"{metric}.ci_low" in group and \
                    group[f"{metric}.ci_low"].notna().any() else math.nan
                high = float(group[f"{metric}.ci_high"].dropna().iloc[0]) if f"{metric}.ci_high" in group and \
                    group[f"{metric}.ci_high"].notna().any() else math.nan
                kind = "bootstrap over examples"
            rows.append({by: level, "metric": metric, "task": metric.split(".")[0], "mean": mean, "ci_low": low,
                         "ci_high": high, "n_seeds": n, "ci": kind, "kind": group["kind"].iloc[0]})
    return pd.DataFrame(rows)


def add_average(runs: pd.DataFrame, metric_cols: Sequence[str]) -> tuple[pd.DataFrame, str]:
    """Per-run average over the higher-is-better headline metrics (the paper's "Avg").

    The task set is the one every *model* run has, so all models are averaged over the same tasks; a run missing
    one of them (the extractive baseline has no MC or QA-without-input score) gets no average rather than an
    average over an easier subset."""
    cols = [c for c in metric_cols if not c.endswith(LOWER_IS_BETTER) and c in runs.columns]
    runs = runs.copy()
    runs["avg"], shared = metrics.same_task_average(runs[cols], runs["kind"] == "model")
    runs.attrs["avg_over"] = shared
    return runs, "avg"


def wide(summary: pd.DataFrame, by: str = "variant", scale: float = 100.0, metric_order: Sequence[str] | None = None
         ) -> pd.DataFrame:
    """group × task table of "mean [low, high]" (ROUGE and accuracy ×100; perplexity as is)."""
    def cell(r):
        s = 1.0 if r["metric"].endswith(LOWER_IS_BETTER) else scale
        return f"{r['mean'] * s:.1f} [{r['ci_low'] * s:.1f}, {r['ci_high'] * s:.1f}]" if not math.isnan(
            r["ci_low"]) else f"{r['mean'] * s:.1f}"

    if summary.empty:
        return pd.DataFrame()
    tab = summary.assign(cell=summary.apply(cell, axis=1)).pivot(index=by, columns="metric", values="cell")
    order = list(dict.fromkeys(summary[by]))
    present = set(summary["metric"])
    cols = [c for c in metric_order if c in present] if metric_order else list(dict.fromkeys(summary["metric"]))
    tab = tab.reindex(index=order, columns=cols)
    seeds = summary.groupby(by, sort=False)["n_seeds"].max()
    tab["seeds"] = seeds.reindex(order).values
    return tab.fillna("–")


# ------------------------------------------------------------------------------------------------ ablations

def reference_levels(runs: pd.DataFrame, factors: Sequence[str]) -> dict[str, str]:
    """For each factor its most common value among model runs: the level other factors are compared at."""
    models = runs[runs["kind"] == "model"]
    return {f: models[f].dropna().mode().iloc[0] for f in factors if f in models and models[f].notna().any()}


def ablation_runs(runs: pd.DataFrame, factor: str, reference: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Model runs that differ from the reference only in ``factor`` (any seed); column ``level`` = its value."""
    if f"factor.{factor}" not in runs.columns:
        return runs.iloc[0:0].assign(level=[])
    col = f"factor.{factor}"
    others = [c for c in factor_columns(runs) if c != col]
    reference = dict(reference or reference_levels(runs, others))
    keep = (runs["kind"] == "model") & runs[col].notna()
    for other in others:
        if other in reference:
            keep &= runs[other].isna() | (runs[other] == reference[other])
    return runs[keep].assign(level=runs.loc[keep, col].astype(str))


def differences(summary: pd.DataFrame, baseline: str, by: str = "variant") -> pd.DataFrame:
    """Each group's difference from ``baseline`` per metric, and whether it exceeds its CI."""
    base = summary[summary[by] == baseline].set_index("metric")
    rows = []
    for _, r in summary[summary[by] != baseline].iterrows():
        if r["metric"] not in base.index:
            continue
        b = base.loc[r["metric"]]
        diff = r["mean"] - b["mean"]
        h1, h2 = (r["ci_high"] - r["ci_low"]) / 2, (b["ci_high"] - b["ci_low"]) / 2
        half = math.sqrt(h1 ** 2 + h2 ** 2) if not (math.isnan(h1) or math.isnan(h2)) else math.nan
        sign = -1 if r["metric"].endswith(LOWER_IS_BETTER) else 1
        rows.append({by: r[by], "vs": baseline, "metric": r["metric"], "diff": diff, "diff_ci_half": half,
                     # zero width = the bootstrap saw no spread (e.g. every prediction scored 0): no evidence
                     "beyond_ci": bool(half > 0 and abs(diff) > half) if not math.isnan(half) else False,
                     "no_overlap": bool(r["ci_low"] > b["ci_high"] or r["ci_high"] < b["ci_low"]),
                     "better": bool(sign * diff > 0)})
    # the columns even when no metric is shared (a baseline scoring none of the models' tasks)
    return pd.DataFrame(rows, columns=[by, "vs", "metric", "diff", "diff_ci_half", "beyond_ci", "no_overlap",
                                       "better"])


def statements(diffs: pd.DataFrame, by: str = "variant", scale: float = 100.0) -> list[str]:
    """Plain sentences for the differences larger than their CI (and a line saying so when there are none)."""
    out = []
    for _, r in diffs.iterrows():
        if not r["beyond_ci"]:
            continue
        s = 1.0 if r["metric"].endswith(LOWER_IS_BETTER) else scale
        word = "better" if r["better"] else "worse"
        strict = "; intervals do not overlap" if r["no_overlap"] else ""
        out.append(f"{r[by]} is {word} than {r['vs']} on {r['metric']}: {r['diff'] * s:+.1f} "
                   f"(± {r['diff_ci_half'] * s:.1f}){strict}")
    if not out and not diffs.empty:
        out.append(f"no difference from {diffs['vs'].iloc[0]} is larger than its CI")
    return out


# ------------------------------------------------------------------------------------------------ output

def markdown(table: pd.DataFrame, index_name: str = "") -> str:
    """A small Markdown table without the optional ``tabulate`` dependency."""
    if table.empty:
        return "(no runs)\n"
    cols = [index_name or table.index.name or ""] + [str(c) for c in table.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, row in table.iterrows():
        lines.append("| " + " | ".join([str(idx)] + [str(v) for v in row.values]) + " |")
    return "\n".join(lines) + "\n"


def plot(summary: pd.DataFrame, by: str = "variant", title: str = ""):
    """One panel per task (facets, at most ``plots.MAX_WIDTH_PX`` wide), one horizontal bar per variant with its
    CI; perplexity is left out (other scale, lower is better)."""
    from lexlab.workbench import plots

    data = summary[~summary["metric"].str.endswith(LOWER_IS_BETTER)]
    metrics_ = list(dict.fromkeys(data["metric"]))
    groups = list(dict.fromkeys(data[by]))
    fig, axes = plots.facets(max(len(metrics_), 1), panel=(3.8, 0.5 + 0.28 * max(len(groups), 1)))
    y = np.arange(len(groups))
    for ax, metric in zip(axes, metrics_):
        sub = data[data["metric"] == metric].set_index(by).reindex(groups)
        err = np.vstack([(sub["mean"] - sub["ci_low"]).clip(lower=0).fillna(0),
                         (sub["ci_high"] - sub["mean"]).clip(lower=0).fillna(0)]) * 100
        ax.barh(y, sub["mean"].fillna(0) * 100, xerr=err, capsize=2, color=_group_colors(sub))
        ax.set_yticks(y, [str(g) for g in groups], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(metric, fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{title} — score × 100, 95% CI" if title else "score × 100, 95% CI")
    fig.tight_layout()
    return fig


def _group_colors(sub: pd.DataFrame) -> list[str]:
    """Baselines grey, models blue: the eye finds the baselines on every panel."""
    kinds = sub["kind"] if "kind" in sub else pd.Series("model", index=sub.index)
    return ["#9e9e9e" if k == "baseline" else "#3b75af" for k in kinds.fillna("model")]


def figures(result: Mapping[str, object]) -> dict[str, object]:
    """The comparison's figures by artifact name: ``compare/per_task.png`` and one per ablation."""
    out = {}
    if not result["per_task"].empty:
        out["compare/per_task.png"] = plot(result["per_task"], title="per-task scores")
    for key, value in result.items():
        if key.startswith("ablation."):
            factor = key.split(".", 1)[1]
            out[f"compare/ablation_{factor}.png"] = plot(value["summary"], by="level", title=f"ablation: {factor}")
    return out


def compare(runs: pd.DataFrame, rouge_tokenizer: str = "char",
            ablations: Sequence[tuple[str, str]] = (("format", "no_ref"), ("cpt_mix", "legal"), ("it_mix", "legal")),
            ) -> dict[str, object]:
    """Every table and statement of the comparison, as data (``log_comparison`` writes them to MLflow)."""
    if runs.empty:
        raise ValueError("no finished evaluation run to compare in this scope: run the evaluation stage (06) first, "
                         "or set scope / experiment")
    metric_cols = headline_metrics(runs, rouge_tokenizer)
    runs, avg = add_average(runs, metric_cols)
    cols = metric_cols + [avg]
    result: dict[str, object] = {"metrics": cols, "runs": runs}
    per_task = summarize(runs, cols, by="variant")
    result["per_task"] = per_task
    result["per_task_table"] = wide(per_task, metric_order=cols)
    result["avg_over"] = runs.attrs.get("avg_over", [])
    baselines = runs[runs["kind"] == "baseline"]
    for factor, base_level in ablations:
        sub = ablation_runs(runs, factor)
        if sub["level"].nunique() < 2:
            continue
        summ = summarize(sub, cols, by="level")
        if not baselines.empty:
            summ = pd.concat([summ, summarize(baselines.assign(level=baselines["variant"]), cols, by="level")])
        ref = base_level if base_level in set(sub["level"]) else sub["level"].iloc[0]
        diffs = differences(summ[summ["kind"] == "model"], ref, by="level")
        result[f"ablation.{factor}"] = {"summary": summ, "table": wide(summ, by="level", metric_order=cols), "differences": diffs,
                                        "statements": statements(diffs, by="level")}
    models = per_task[per_task["kind"] == "model"]
    if not models.empty and not baselines.empty:
        for b in baselines["variant"].unique():
            d = differences(per_task[(per_task["kind"] == "model") | (per_task["variant"] == b)], b)
            result.setdefault("vs_baselines", []).extend(baseline_summary(d, b))
    return result


def baseline_summary(diffs: pd.DataFrame, baseline: str) -> list[str]:
    """One line per variant: the tasks where it is better / worse than a baseline beyond the CI."""
    out = []
    for variant, group in diffs.groupby("variant", sort=False):
        sig = group[group["beyond_ci"]]
        better = [m for m, b in zip(sig["metric"], sig["better"]) if b]
        worse = [m for m, b in zip(sig["metric"], sig["better"]) if not b]
        out.append(f"{variant} vs {baseline}: better beyond CI on {len(better)} "
                   f"({', '.join(better) or '-'}), worse on {len(worse)} ({', '.join(worse) or '-'}), "
                   f"{len(group) - len(sig)} within CI")
    return out


def sections(result: Mapping[str, object]) -> list[tuple[str, str | None]]:
    """The report as (Markdown, name of the figure that goes with it or None), in reading order: what
    ``compare/comparison.md`` holds and what the compare notebook displays."""
    out: list[tuple[str, str | None]] = [(
        "## Per-task scores per variant\n\nROUGE-L and accuracy × 100 with 95% CI; avg = mean over "
        f"{', '.join(result.get('avg_over', [])) or 'no shared task'}.\n\n"
        + markdown(result["per_task_table"], "variant"), "compare/per_task.png")]
    for key, value in result.items():
        if key.startswith("ablation."):
            factor = key.split(".", 1)[1]
            out.append((f"\n## Ablation: {factor}\n\n" + markdown(value["table"], factor)
                        + "\n" + "\n".join(f"- {s}" for s in value["statements"]) + "\n",
                        f"compare/ablation_{factor}.png"))
    if result.get("vs_baselines"):
        out.append(("\n## Against the baselines\n\n" + "\n".join(f"- {s}" for s in result["vs_baselines"]) + "\n",
                    None))
    return out


def log_comparison(result: Mapping[str, object], figs: Mapping[str, object] | None = None) -> str:
    """Write tables (Markdown + MLflow tables), plots (``figs``, default ``figures(result)``) and statements to the
    active run; returns the Markdown."""
    import mlflow

    for name, fig in (figures(result) if figs is None else figs).items():
        mlflow.log_figure(fig, name)
    if not result["per_task"].empty:
        mlflow.log_table(result["per_task"], artifact_file="compare/per_task.json")
    for key, value in result.items():
        if key.startswith("ablation."):
            factor = key.split(".", 1)[1]
            mlflow.log_table(value["summary"], artifact_file=f"compare/ablation_{factor}.json")
            if not value["differences"].empty:
                mlflow.log_table(value["differences"], artifact_file=f"compare/ablation_{factor}_diffs.json")
    text = "".join(md for md, _ in sections(result))
    mlflow.log_text(text, "compare/comparison.md")
    return text
