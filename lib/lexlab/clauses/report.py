"""What the notebook shows and MLflow keeps of a model's test predictions: the confusion matrix (Hangul labels)
and the worst errors."""
from __future__ import annotations

from typing import Sequence


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]):
    """Gold × predicted counts in label order (a DataFrame)."""
    import pandas as pd

    table = pd.crosstab(pd.Series(list(gold), name="gold"), pd.Series(list(pred), name="predicted"))
    return table.reindex(index=list(labels), columns=list(labels), fill_value=0)


def confusion_figure(table, title: str):
    """The confusion matrix, rows normalised (each gold type sums to 1), counts written in the cells."""
    import matplotlib.pyplot as plt

    share = table.div(table.sum(axis=1).clip(lower=1), axis=0)
    fig, ax = plt.subplots(figsize=(1.0 + 0.5 * len(table), 0.8 + 0.45 * len(table)))
    ax.imshow(share.to_numpy(), cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(table.columns)), table.columns, rotation=60, ha="right")
    ax.set_yticks(range(len(table.index)), table.index)
    for i, row in enumerate(table.to_numpy()):
        for j, n in enumerate(row):
            if n:
                ax.text(j, i, str(n), ha="center", va="center", fontsize=7,
                        color="white" if share.iat[i, j] > 0.5 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold (title)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def worst_errors(examples: Sequence, predictions: Sequence, task: str, n: int = 20, chars: int = 160):
    """The ``n`` worst errors: article task, wrong types by the model's confidence in them; span task, the
    documents with the most missed + spurious spans."""
    import pandas as pd

    rows = []
    for e, p in zip(examples, predictions):
        if task == "article" and p.label != e.label:
            rows.append({"id": e.id, "title": e.title, "gold": e.label, "predicted": p.label,
                         "confidence": round(p.confidence, 3), "text": e.text[:chars], "_key": p.confidence})
        elif task == "span" and set(p.spans) != set(e.spans):
            missed, spurious = set(e.spans) - set(p.spans), set(p.spans) - set(e.spans)
            rows.append({"id": e.id, "missed": _show(e.text, missed), "spurious": _show(e.text, spurious),
                         "_key": len(missed) + len(spurious)})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values("_key", ascending=False, kind="stable").head(n).drop(columns="_key")


def _show(text: str, spans) -> str:
    return " | ".join(f"{s.label}: {text[s.start:s.end][:60]}" for s in sorted(spans))
