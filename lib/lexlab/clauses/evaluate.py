"""Fit a registered model on the training set, predict the test set, count and score per clause type."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from lexlab.clauses import metrics
from lexlab.clauses import models as registry
from lexlab.clauses.types import OTHER


@dataclass
class ModelResult:
    name: str
    predictions: list            # one models.Prediction per test example
    counts: np.ndarray           # (test examples, labels, tp/fp/fn)
    fit_seconds: float
    predict_seconds: float
    model: Any = None


def counts_of(task: str, examples, predictions, labels) -> np.ndarray:
    if task == "article":
        return metrics.article_counts([e.label for e in examples], [p.label for p in predictions], labels)
    return metrics.span_counts([e.spans for e in examples], [p.spans for p in predictions], labels)


def run_model(name: str, cfg, ds) -> ModelResult:
    model = registry.make(name, cfg)
    t0 = time.time()
    model.fit(ds.train, ds.labels)
    t1 = time.time()
    predictions = model.predict(ds.test)
    t2 = time.time()
    return ModelResult(name, predictions, counts_of(cfg.task, ds.test, predictions, ds.labels), t1 - t0, t2 - t1,
                       model)


def run_models(cfg, ds) -> list[ModelResult]:
    """Fit and score every model of ``cfg.model_names()`` that does ``cfg.task`` (the others are skipped, said so)."""
    from lexlab.workbench.progress import step_bar

    results = []
    for name in step_bar(cfg.model_names(), desc="models"):
        if not registry.supports(name, cfg.task):
            print(f"{name}: does not do task={cfg.task}, skipped")
            continue
        results.append(run_model(name, cfg, ds))
    return results


def headline(results: list[ModelResult], labels, min_support: int, seed: int = 0):
    """(labels in the headline, labels left out, one row of averages per model)."""
    import pandas as pd

    keep, left_out = metrics.headline_labels(results[0].counts, labels, min_support, exclude=(OTHER,))
    rows = [{"model": r.name, **metrics.averages(r.counts, labels, keep, seed),
             "fit_s": round(r.fit_seconds, 1), "predict_s": round(r.predict_seconds, 1)} for r in results]
    return keep, left_out, pd.DataFrame(rows)


def per_type_table(results: list[ModelResult], labels, seed: int = 0):
    """One row per (model, type): support, predicted, P/R/F1 with intervals."""
    import pandas as pd

    return pd.concat([metrics.per_type(r.counts, labels, seed).assign(model=r.name) for r in results],
                     ignore_index=True)
