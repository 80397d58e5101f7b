"""What a law-QA run produced, for its notebook and MLflow: flat metrics, tables, a figure, item samples.

Everything here reads the ``stats`` dict that ``lexlab.legalmidm.qa.generate.run_stage`` returns (and writes to
``stats.json``) or its ``accepted.jsonl`` / ``rejected.jsonl``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from lexlab.workbench.io import read_jsonl


def metrics(stats: Mapping[str, Any]) -> dict[str, float]:
    """Flat MLflow metrics: totals, items per reason, and items per (source, reason)."""
    out = {k: float(stats[k]) for k in ("n_items", "n_accepted", "n_rejected", "n_articles_used",
                                         "generate_s", "total_s") if k in stats}
    out.update({f"reason_{r}": float(n) for r, n in stats["reasons"].items()})
    out.update({f"n_{d['source']}_{d['reason']}": float(d["n"]) for d in stats["by_source_reason"]})
    for k, v in (stats.get("llm") or {}).items():
        out[f"llm_{k}"] = float(v)
    return out


def reason_table(stats: Mapping[str, Any]) -> pd.DataFrame:
    """Items by source (rows) and reason (columns); "ok" is the accepted column."""
    df = pd.DataFrame(stats["by_source_reason"], columns=["source", "reason", "n"])
    if df.empty:
        return df
    table = df.pivot_table(index="source", columns="reason", values="n", aggfunc="sum", fill_value=0)
    cols = ["ok"] + sorted(c for c in table.columns if c != "ok")
    return table.reindex(columns=[c for c in cols if c in table.columns])


def kind_table(stats: Mapping[str, Any]) -> pd.DataFrame:
    """Accepted items by source (rows) and kind (columns)."""
    return pd.DataFrame(stats["accepted_by_source_kind"]).pivot_table(
        index="source", columns="kind", values="n", aggfunc="sum", fill_value=0).astype(int)


def plot_reject_reasons(stats: Mapping[str, Any]):
    """Bar chart of rejected items per reason, stacked by source."""
    import matplotlib.pyplot as plt

    from lexlab.workbench import plots

    plots.setup()
    table = reason_table(stats)
    rejects = table.drop(columns=["ok"], errors="ignore").T if not table.empty else table
    if not rejects.empty:  # a source without rejects would get a legend entry and no bar
        rejects = rejects.loc[rejects.sum(axis=1) > 0, rejects.sum(axis=0) > 0]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    if rejects.empty or rejects.to_numpy().sum() == 0:
        ax.text(0.5, 0.5, "no rejected items", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    else:
        rejects.plot.barh(stacked=True, ax=ax)
        ax.set_xlabel("rejected items")
        ax.set_ylabel("reason")
        for i, total in enumerate(rejects.sum(axis=1)):
            ax.text(total, i, f" {int(total)}", va="center")
    ax.set_title(f"law QA rejects ({stats.get('backend', '')}): {stats.get('n_rejected', 0)} of {stats.get('n_items', 0)}")
    fig.tight_layout()
    return fig


def sample_frame(path: str | Path, n: int = 8) -> pd.DataFrame:
    """The first ``n`` items of an accepted/rejected file, question and answer clipped, verdict as JSON text."""
    rows = read_jsonl(path, required=(), unique_ids=False)[:n]
    df = pd.DataFrame(rows, columns=["source", "kind", "citation", "question", "answer", "verdict"])
    return df.assign(question=df["question"].str.slice(0, 160), answer=df["answer"].str.slice(0, 160),
                     verdict=df["verdict"].map(lambda v: json.dumps(v, ensure_ascii=False)))
