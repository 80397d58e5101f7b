"""Notebook 10's tables, figure and MLflow runs from an `Evaluation`: the oracle bound, P@5 per category with
bootstrap intervals, differences to BM25, and one child run per method (so MLflow's compare view compares methods),
a LegalSearchLM method's run with its span diagnostics and the ``lexlab.collapsed`` tag (`collapse_metrics`).

Values meant to be read (tables, metrics) are rounded to `DIGITS` decimals: a P@5 is a count over 5·n, and
0.33999999999999996 helps nobody.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from lexlab.legalsearchlm.retrieval.benchmark import Evaluation, metric_prefix, score_runs
from lexlab.legalsearchlm.retrieval.significance import differences_by_category, per_query
from lexlab.workbench.io import Qrels, trec_id
from lexlab.workbench.stats import bootstrap_ci

DIGITS = 4
ALL = "ALL"


def add_oracle(ev: Evaluation, corpus: Sequence[dict], queries: Sequence[dict], k: int) -> None:
    """Add ``oracle[base]`` and ``oracle[filtered]`` to ``ev``: each query ranked with its **own** elements (perfect
    generation, `lexlab.legalsearchlm.searchlm.oracle`), with their span diversity."""
    from lexlab.legalsearchlm.searchlm import oracle as oracle_mod
    from lexlab.legalsearchlm.searchlm.scoring import SPAN_B, SPAN_K1
    from lexlab.legalsearchlm.searchlm.targets import SpanCounter

    counter = SpanCounter([d["text"] for d in corpus])
    by_id = {str(d["id"]): d for d in corpus}
    # The query's full decision from the snapshot; its corpus text where the snapshot does not have it.
    decisions = {**{q["id"]: {"id": q["id"], "text": by_id[q["id"]]["text"]} for q in queries if q["id"] in by_id},
                 **oracle_mod.full_decisions({q["id"] for q in queries})}
    doc_ids = [str(d["id"]) for d in corpus]
    for design in ("base", "filtered"):
        own = oracle_mod.own_spans(decisions, counter, design)
        ev.runs[f"oracle[{design}]"] = oracle_mod.oracle_run(own, counter, doc_ids, queries, k, "idf", SPAN_K1, SPAN_B)
        ev.diversity[f"oracle[{design}]"] = oracle_mod.span_diversity(own)


def scored_qrels(qrels: Qrels, queries: Sequence[dict]) -> Qrels:
    """The judgments of the scored queries only."""
    ids = {trec_id(q["id"]) for q in queries}
    return {q: r for q, r in qrels.items() if q in ids}


def per_query_scores(ev: Evaluation, qrels: Qrels, queries: Sequence[dict], metric: str = "P@5"
                     ) -> dict[str, dict[str, float]]:
    """method → {query id: ``metric``} over the scored queries (a query a run misses scores 0)."""
    used = scored_qrels(qrels, queries)
    return {m: per_query(used, run, metric) for m, run in ev.runs.items()}


def category_intervals(per_q: Mapping[str, Mapping[str, float]], categories: Mapping[str, str],
                       seed: int = 0) -> pd.DataFrame:
    """Rows (method, category, n, mean, ci_low, ci_high): every category of the scored queries, however small
    (one query: a zero-width interval), and ALL; bootstrap over queries (`lexlab.workbench.stats`)."""
    cats = {trec_id(k): v for k, v in categories.items()}
    rows = []
    for method, scores in per_q.items():
        groups: dict[str, list[float]] = {}
        for q, v in scores.items():
            groups.setdefault(cats.get(q, "(none)"), []).append(v)
        groups[ALL] = list(scores.values())
        for cat, values in groups.items():
            mean, low, high = bootstrap_ci(values, seed=seed)
            rows.append({"method": method, "category": cat, "n": len(values), "mean": mean, "ci_low": low,
                         "ci_high": high})
    out = pd.DataFrame(rows, columns=["method", "category", "n", "mean", "ci_low", "ci_high"])
    order = out.drop_duplicates("category").sort_values(["n", "category"], ascending=[False, True])["category"]
    rank = {c: i for i, c in enumerate([ALL, *[c for c in order if c != ALL]])}
    return out.sort_values(["category", "method"], key=lambda s: s.map(rank) if s.name == "category" else s,
                           kind="stable").reset_index(drop=True).round(DIGITS)


def differences_to(per_q: Mapping[str, Mapping[str, float]], baseline: str, categories: Mapping[str, str],
                   seed: int = 0) -> pd.DataFrame | None:
    """Each method's per-query difference to ``baseline`` per category, paired bootstrap (None without it, or
    with no other method to compare: ``methods=bm25`` alone)."""
    if baseline not in per_q or len(per_q) < 2:
        return None
    return pd.DataFrame(differences_by_category(per_q, baseline, categories, seed=seed)).round(DIGITS)


def category_figure(intervals: pd.DataFrame, title: str, width_px: int = 1200):
    """P@5 per category and method as horizontal bars with 95 % intervals; every category is a row labelled with
    its number of queries, ALL first; the legend sits below the axes, where it hides no bar."""
    import matplotlib.pyplot as plt
    import numpy as np

    from lexlab.workbench import plots

    plots.setup()
    cats = list(dict.fromkeys(intervals["category"]))
    methods = list(dict.fromkeys(intervals["method"]))
    n = intervals.drop_duplicates("category").set_index("category")["n"]
    height = max(4.0, 0.22 * len(cats) * max(2, len(methods)) + 1.8)
    fig, ax = plt.subplots(figsize=(width_px / plots.DPI, height))
    bar = 0.8 / len(methods)
    y = np.arange(len(cats))
    for i, method in enumerate(methods):
        rows = intervals[intervals["method"] == method].set_index("category").reindex(cats)
        err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]]).clip(min=0)
        ax.barh(y - 0.4 + bar * (i + 0.5), rows["mean"], height=bar, xerr=err, capsize=2, label=method,
                error_kw={"elinewidth": 0.8, "alpha": 0.7})
    ax.set_yticks(y, [f"{_short(c)} (n={int(n[c])})" for c in cats])
    ax.invert_yaxis()
    ax.set_xlabel("P@5 (bars: mean over the category's queries; lines: 95 % bootstrap interval)")
    ax.set_xlim(0, 1)
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    legend_h = 0.5 / height  # the legend's own strip at the bottom of the figure, below the axis label
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=min(len(methods), 6), frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, legend_h, 1, 1))
    return fig


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def method_metrics(ev: Evaluation, qrels_by_kind: Mapping[str, Qrels], queries: Sequence[dict],
                   categories: Mapping[str, str], k: int) -> dict[str, dict[str, float]]:
    """method → its overall scores against each relevance kind (``P_at_5.standard``, ``P_at_5.stricter``, ...),
    its query count and seconds: the metrics of the method's own MLflow run."""
    out: dict[str, dict[str, float]] = {m: {} for m in ev.runs}
    for kind, qrels in qrels_by_kind.items():
        for method, table in score_runs(ev.runs, qrels, queries, categories, k).items():
            overall = table.loc[ALL]
            out[method].update({f"{col.replace('@', '_at_')}.{kind}": float(overall[col])
                                for col in table.columns if col != "n"})
            out[method][f"n_queries.{kind}"] = float(overall["n"])
    for row in ev.timings:
        out[row["method"]].update({f"seconds.{key[:-2]}": float(v) for key, v in row.items() if key.endswith("_s")})
    for method, stats in ev.collapse.items():
        out[method].update(collapse_metrics(stats))
    return {m: {key: round(v, DIGITS) for key, v in values.items()} for m, values in out.items()}


def collapse_metrics(stats: Mapping) -> dict[str, float]:
    """A LegalSearchLM method's span diagnostics as metrics (``lexlab.legalsearchlm.searchlm.diagnostics``):
    ``spans.distinct``, ``spans.distinct_per_query``, ``spans.top_span_share`` and ``spans.collapsed`` (1 or 0)."""
    return {"spans.distinct": float(stats["distinct_spans"]),
            "spans.distinct_per_query": float(stats["distinct_spans_per_query"]),
            "spans.top_span_share": float(stats["top_span_share"]), "spans.collapsed": float(stats["collapsed"])}


def collapse_warnings(ev: Evaluation) -> dict[str, str]:
    """method → the warning for each LegalSearchLM method whose model looks collapsed."""
    from lexlab.legalsearchlm.searchlm.diagnostics import warning

    return {m: text for m, stats in ev.collapse.items() if (text := warning(m, stats))}


def headline_metrics(metrics: Mapping[str, Mapping[str, float]], kind: str) -> dict[str, float]:
    """``P_at_5.<method>`` against ``kind`` relevance, for every method: the stage's (and pipeline's) headline."""
    return {f"P_at_5.{metric_prefix(m)}": values[f"P_at_5.{kind}"] for m, values in metrics.items()}


def log_method_runs(ev: Evaluation, metrics: Mapping[str, Mapping[str, float]], params: Mapping[str, Mapping]
                    ) -> dict[str, str]:
    """One MLflow child run per method under the active stage run, named ``<method> · <stage run's name>`` (a
    grid's variants stay apart), with its metrics and params; returns method → run id."""
    import mlflow

    from lexlab.workbench import tracking

    stage = mlflow.get_run(mlflow.active_run().info.run_id).info.run_name
    warnings = collapse_warnings(ev)
    ids = {}
    for method in ev.runs:
        with tracking.child_run(f"{method} · {stage}", tags={"lexlab.method": method, "lexlab.stage": f"{stage}.method",
                                                             **_collapse_tags(ev, warnings, method)}) as run:
            tracking.log_params({"method": method, **params.get(method, {})})
            mlflow.log_metrics({tracking.metric_key(k): v for k, v in metrics[method].items()})
            ids[method] = run.info.run_id
    if warnings:  # on the stage run too, where a pipeline's summary sees it
        mlflow.set_tags({"lexlab.collapsed_methods": ",".join(warnings),
                         "lexlab.warning": " ".join(warnings.values())})
    return ids


def _collapse_tags(ev: Evaluation, warnings: Mapping[str, str], method: str) -> dict[str, str]:
    """``lexlab.collapsed`` (true/false) on a LegalSearchLM method's run, with ``lexlab.warning`` when true."""
    if method not in ev.collapse:
        return {}
    flagged = method in warnings
    return {"lexlab.collapsed": str(flagged).lower(), **({"lexlab.warning": warnings[method]} if flagged else {})}


def method_params(ev: Evaluation) -> dict[str, dict]:
    """Each method's own settings for its run: BM25's options as used, the model directory of a dense or
    LegalSearchLM method; the settings all methods share are the stage run's params."""
    out: dict[str, dict] = {m: {} for m in ev.runs}
    if "bm25" in out and ev.bm25_options is not None:
        out["bm25"] = {f"bm25.{k}": v for k, v in ev.bm25_options.items()}
    for method, path in ev.model_dirs.items():
        if method in out:
            out[method] = {"model_dir": path}
    return out


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for reading and logging: floats to `DIGITS` decimals."""
    return frame.round(DIGITS)
