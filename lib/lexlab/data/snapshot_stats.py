"""Summary tables and figures of a snapshot, for the prepare-corpus notebook and MLflow ``log_table``."""
from __future__ import annotations

import os

from lexlab.data.snapshot import Snapshot
from lexlab.data.sources import TABLES

# the data's own words on the figures (the Korean font comes from lexlab.workbench.plots)
_COURT_LEVELS = {3: "대법원", 2: "고등·특허법원", 1: "지방법원"}
_LENGTH_FIELDS = (("decisions", ("reasoning", "summary", "holdings", "facts")), ("statutes", ("text",)),
                  ("interpretations", ("question", "answer", "reason")), ("general", ("text",)))


def stats_frames(snap: Snapshot) -> dict:
    """Summary tables by name: counts, by_source, decisions_* , statutes_per_law, text_lengths, splits, skipped."""
    import pandas as pd

    m = snap.manifest
    out: dict[str, pd.DataFrame] = {}
    out["counts"] = pd.DataFrame([{"table": t, "rows": n} for t, n in m["counts"].items()])
    out["by_source"] = pd.DataFrame([{"source": k, **v} for k, v in m.get("by_source", {}).items()])
    if snap.decisions is not None:
        out.update(_decision_frames(snap.decisions))
    st = snap.statutes
    if st is not None:
        out["statutes_per_law"] = (st.groupby(["law", "law_kind"])
                                   .agg(articles=("article", "size"), deleted=("deleted", "sum")).reset_index()
                                   .sort_values("articles", ascending=False, ignore_index=True))
    out["text_lengths"] = pd.DataFrame([_length_row(f"{table}.{c}", getattr(snap, table)[c])
                                        for table, cols in _LENGTH_FIELDS if getattr(snap, table) is not None
                                        for c in cols])
    out["splits"] = _split_frame(snap)
    sk = m.get("skipped", [])
    out["skipped"] = (pd.DataFrame(sk).groupby(["source", "field"]).size().rename("files").reset_index()
                      if sk else pd.DataFrame(columns=["source", "field", "files"]))
    return out


def _decision_frames(dec) -> dict:
    """Decisions by case type and by court, and how many have each field (all and criminal)."""
    import pandas as pd

    crim = dec["case_type"] == "형사"
    fields = {"판시사항 (holdings)": dec["holdings"] != "", "판결요지 (summary)": dec["summary"] != "",
              "이유 + 판결요지": (dec["summary"] != "") & (dec["reasoning"] != ""),
              "범죄사실 (facts)": dec["facts"] != "", "법령의 적용 text": dec["applied_law_text"] != "",
              "ref_articles": dec["ref_articles"].map(len) > 0,
              "lower_case_ids": dec["lower_case_ids"].map(len) > 0}
    return {
        "decisions_by_type": (dec.groupby("case_type").size().rename("decisions").reset_index()
                              .sort_values("decisions", ascending=False, ignore_index=True)),
        "decisions_by_court": (dec.groupby("court").size().rename("decisions").reset_index()
                               .sort_values("decisions", ascending=False, ignore_index=True)),
        "decision_fields": pd.DataFrame([{"field": k, "all": int(v.sum()), "criminal": int((v & crim).sum())}
                                         for k, v in fields.items()]),
    }


def _length_row(name: str, series) -> dict:
    lens = series.fillna("").str.len()
    nonempty = lens[lens > 0]
    q = nonempty.quantile([0.1, 0.5, 0.9]) if len(nonempty) else None
    return {"field": name, "rows": int(len(lens)), "non_empty": int(len(nonempty)),
            "mean_chars": round(float(nonempty.mean()), 1) if len(nonempty) else 0.0,
            "p10": int(q[0.1]) if q is not None else 0, "median": int(q[0.5]) if q is not None else 0,
            "p90": int(q[0.9]) if q is not None else 0, "max": int(nonempty.max()) if len(nonempty) else 0,
            "total_chars": int(lens.sum())}


def _split_frame(snap: Snapshot):
    """Rows per table in train/dev/test, by the rules of ``lexlab.data.splits``."""
    import pandas as pd

    from lexlab.data.splits import add_split_column

    rows = []
    for table in TABLES:
        df = getattr(snap, table)
        if df is not None and len(df):
            counts = add_split_column(df, table)["split"].value_counts()
            rows.append({"table": table, **{s: int(counts.get(s, 0)) for s in ("train", "dev", "test")}})
    return pd.DataFrame(rows)


def plot_stats(snap: Snapshot, frames: dict | None = None) -> list:
    """Two figures: what the decisions are (type, court level, fields present) and how long the texts are.

    ``frames`` is ``stats_frames(snap)`` when the caller already has it (computed here otherwise).
    """
    import matplotlib

    from lexlab.workbench import plots

    matplotlib.use(os.environ.get("MPLBACKEND", "Agg"), force=False)
    plots.setup()
    return [_plot_decisions(snap, stats_frames(snap) if frames is None else frames), _plot_lengths(snap)]


def _plot_decisions(snap: Snapshot, frames: dict):
    import matplotlib.pyplot as plt
    import numpy as np

    from lexlab.data.splits import court_rank

    fig, axes = plt.subplots(1, 3, figsize=(14, 4))  # horizontal bars: category labels never overlap
    t = frames.get("decisions_by_type")
    if t is not None:
        axes[0].barh(list(t["case_type"]), t["decisions"])
        axes[0].invert_yaxis()
        axes[0].set_title("decisions by case type (사건종류)")
        lv = snap.decisions["court"].map(court_rank).map(_COURT_LEVELS).value_counts()
        axes[1].barh(list(lv.index), lv.values)
        axes[1].invert_yaxis()
        axes[1].set_title("decisions by court level")
        f = frames["decision_fields"]
        y = np.arange(len(f))
        axes[2].barh(y - 0.2, f["all"], height=0.4, label="all")
        axes[2].barh(y + 0.2, f["criminal"], height=0.4, label="criminal")
        axes[2].set_yticks(y, ["holdings", "summary", "reasoning+summary", "facts", "applied-law", "ref_articles",
                               "appeal links"])
        axes[2].set_title("decisions with field")
        axes[2].legend()
    fig.tight_layout()
    return fig


def _plot_lengths(snap: Snapshot):
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(8, 4))
    for table, col in (("decisions", "reasoning"), ("statutes", "text"), ("interpretations", "answer"),
                       ("general", "text")):
        df = getattr(snap, table)
        if df is not None and len(df):
            lens = df[col].str.len()
            lens = lens[lens > 0]
            if len(lens):
                ax.hist(np.log10(lens), bins=40, alpha=0.5, label=f"{table}.{col} (n={len(lens)})")
    ax.set_xlabel("log10(characters)")
    ax.set_ylabel("documents")
    ax.set_title("text length by table")
    ax.legend()
    fig.tight_layout()
    return fig
