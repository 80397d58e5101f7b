# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (lexlab)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 12 · Extract clauses: fine-tuned model vs keyword rules vs a classical classifier
# **Statutes** (the default) label their own clauses: an article's title, written by the legislature, names its
# type (one table maps titles to types; the long tail is `other`). The input is the article text *without* its
# title; the split is by law family (a law with its 시행령/시행규칙), so no model is scored on a law it trained on.
# `task=span` tags 다만 provisos and 준용 sentences inside articles (BIO token classification) — on statutes those
# spans come from the markers themselves, so the rules score 1 there by construction.
# **Your documents**: `data=jsonl jsonl_train=... task=span` trains and scores on `{"id","text","spans"}` JSONL.
# Precision, recall and F1 per type with 95 % bootstrap intervals; types with too few test examples are listed
# and left out of the averages.
# %% tags=["parameters"]
CONFIG = "lexlab.clauses.config:ClauseConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import time

import mlflow
import pandas as pd

from lexlab.clauses import dataset, evaluate, report, types
from lexlab.clauses.data import span_counts, type_counts
from lexlab.workbench import tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("extract_clauses", cfg)
t0 = time.time()
ds = dataset.build(cfg)
mlflow.log_metrics({"n_examples": len(ds.examples), "n_train": len(ds.train), "n_test": len(ds.test)})
print(f"{len(ds.examples)} examples, {len(ds.train)} in the training set, {len(ds.test)} test; labels: {ds.labels}")
# %% [markdown]
# ## How titles map to clause types, and how many examples each type has
# Types with fewer than `min_type_articles` articles in the whole corpus are counted as `other`.
# %%
if cfg.data == "statutes" and cfg.task == "article":
    display(pd.DataFrame(types.title_table()))
counts = (type_counts(ds.examples) if cfg.task == "article" else
          pd.Series(span_counts(ds.examples)).unstack(fill_value=0))
mlflow.log_table(counts.reset_index(), "clauses/counts.json")
counts
# %% [markdown]
# ## Fit and score every model on the test split
# %%
results = evaluate.run_models(cfg, ds)
keep, left_out, averages = evaluate.headline(results, ds.labels, cfg.min_test_examples, cfg.seed)
print(f"headline types ({len(keep)}): {keep}")
print(f"left out of the averages (fewer than {cfg.min_test_examples} test examples, and 'other'): {left_out}")
mlflow.set_tags({"lexlab.clauses.headline_types": ",".join(keep), "lexlab.clauses.left_out": ",".join(left_out)})
for row in averages.to_dict("records"):
    mlflow.log_metrics({f"{row['model']}.{k}": float(v) for k, v in row.items() if k != "model"})
tracking.log_headline({f"{r['model']}.macro_f1": r.get("macro_f1") for r in averages.to_dict("records")},
                      description=f"clauses ({cfg.task}, {cfg.data}): macro F1 over {len(keep)} types with "
                                  f"≥ {cfg.min_test_examples} test examples; left out: {', '.join(left_out) or 'none'}")
mlflow.log_table(averages, "clauses/averages.json")
averages.round(3)
# %% [markdown]
# ## Per clause type: F1 [95 % interval] of each model (support = test examples)
# %%
table = evaluate.per_type_table(results, ds.labels, cfg.seed)
mlflow.log_table(table, "clauses/per_type.json")
shown = table.assign(f1=table.apply(lambda r: f"{r.f1:.2f} [{r.f1_low:.2f}, {r.f1_high:.2f}]", axis=1))
wide = shown.pivot(index="type", columns="model", values="f1").reindex(ds.labels)
wide.insert(0, "support", table.drop_duplicates("type").set_index("type")["support"])
wide.insert(1, "headline", [t in keep for t in wide.index])
wide
# %%
table.pivot(index="type", columns="model", values=["precision", "recall"]).reindex(ds.labels).round(2)
# %% [markdown]
# ## Confusion matrices (article task) and the worst errors of the last model
# %%
if cfg.task == "article":
    for r in results:
        conf = report.confusion([e.label for e in ds.test], [p.label for p in r.predictions], ds.labels)
        fig = report.confusion_figure(conf, f"{r.name}: gold title type × predicted")
        mlflow.log_figure(fig, f"clauses/confusion_{r.name}.png")
# %%
worst = report.worst_errors(ds.test, results[-1].predictions, cfg.task)
if not worst.empty:
    mlflow.log_table(worst, f"clauses/worst_errors_{results[-1].name}.json")
mlflow.log_metric("wall_seconds", time.time() - t0)
worst
