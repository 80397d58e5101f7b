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
# # 10 · Evaluate case retrieval on the LEGAR-style benchmark
# The methods this run compares are printed below (`methods`: BM25, and dense, LegalSearchLM and the hybrid when
# asked for). On the benchmark of notebook 08: P@5 overall and per crime category (the layout of the paper's
# Table 3/4) with bootstrap intervals, the difference to BM25, wall times, and the LegalSearchLM variants of
# notebook 09 side by side. BM25 is tuned (tokenizer, k1, b) on the **dev** queries, or runs at the options tuned
# so (`bm25_tune=False`); every method is scored on `eval_split` (default `test`). A query never retrieves itself
# or its own appeal chain. Each method gets its own MLflow child run (P@5 against standard and stricter
# relevance), so MLflow's compare view compares methods; the stage run carries P@5 per method as its headline.
# %% tags=["parameters"]
CONFIG = "lexlab.legalsearchlm.retrieval.benchmark:EvaluationConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import json

import matplotlib.pyplot as plt
import mlflow
import pandas as pd

from lexlab.legalsearchlm.retrieval import report
from lexlab.legalsearchlm.retrieval.benchmark import (evaluate_methods, read_benchmark, score_runs, split_queries,
                                                      timing_table, write_runs)
from lexlab.legalsearchlm.retrieval.evaluation import ood_breakdown, p5_by_category
from lexlab.workbench import paths, tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("evaluate_retrieval", cfg)
corpus, queries, qrels_by_kind = read_benchmark(cfg.benchmark, cfg.qrels_kind)
qrels = qrels_by_kind[cfg.qrels_kind]
dev, evalq = split_queries(queries, cfg.eval_split, cfg.max_queries, cfg.seed)
categories = {q["id"]: q.get("category", "(none)") for q in queries}
print(f"methods: {', '.join(cfg.methods)}; {len(corpus)} candidates, {len(dev)} dev queries, {len(evalq)} "
      f"{cfg.eval_split} queries; relevance kinds scored: {', '.join(qrels_by_kind)}")
# %% [markdown]
# ## Every method on the same queries
# BM25 tuned on dev (or at its tuned defaults); dense (Contriever-style, unsupervised on the corpus, trained here
# unless `dense_model` is given); LegalSearchLM (FM-index-constrained span generation, SEAL-style ranking) with
# stage 09's models.
# %%
result = evaluate_methods(corpus, dev, evalq, qrels, cfg)
if result.bm25_grid is not None:
    mlflow.log_table(report.rounded(result.bm25_grid), "retrieval/bm25_grid.json")
if result.bm25_options is not None:
    mlflow.log_dict(result.bm25_options, "retrieval/bm25_options.json")
    print("BM25 options used:", result.bm25_options, "(tuned on dev here)" if cfg.bm25_tune else
          "(the options tuned on dev, BM25Retriever's defaults, with bm25_options over them)")
if result.dense_training:
    mlflow.log_metrics({f"dense_{k_}": float(v) for k_, v in result.dense_training.items()
                        if isinstance(v, (int, float))})
grid = result.bm25_grid
grid.pivot_table(index=["tokenizer", "k1"], columns="b", values="P@5").round(3) if grid is not None else None
# %% [markdown]
# ## Where the loss is: the oracle bound and the diversity of generated spans
# The oracle (`oracle=True`) ranks with each query's **own** elements (the extractor on its full decision,
# filtered to discriminative spans, `lexlab.legalsearchlm.searchlm.targets`) through a character FM-index with
# idf span weights, saturated and length-normalised as LegalSearchLM ranks: what perfect generation would give.
# `oracle[base]` uses the unfiltered targets (8 per case). Span diversity: a model that generates the same spans
# for every query has a low `distinct_spans` and a high `top_span_is_global_top`. A LegalSearchLM model is flagged
# **collapsed** (warning below, tag `lexlab.collapsed` and metrics `spans.*` on its MLflow run) when, over at least
# 10 queries, one first span leads for more than half of them or there is less than 0.1 distinct span per query
# (`lexlab.legalsearchlm.searchlm.diagnostics`).
# %%
if cfg.oracle:
    report.add_oracle(result, corpus, evalq, cfg.k)
for text in report.collapse_warnings(result).values():
    print("WARNING:", text)
diversity = report.rounded(pd.DataFrame(result.diversity).T)
diversity
# %%
pd.DataFrame(result.spans).head(10)
# %% [markdown]
# ## P@5 overall and per category, with 95 % bootstrap intervals (queries resampled)
# %%
for path in write_runs(result.runs, paths.work_dir("retrieval", "runs", cfg.run_name)):
    mlflow.log_artifact(str(path), "retrieval/runs")
tables = score_runs(result.runs, qrels, evalq, categories, cfg.k)
p5 = report.rounded(p5_by_category(tables))
mlflow.log_table(p5.reset_index(), "retrieval/p5_by_category.json")
per_q = report.per_query_scores(result, qrels, evalq)
intervals = report.category_intervals(per_q, categories, seed=cfg.seed)
mlflow.log_table(intervals, "retrieval/p5_by_category_intervals.json")
fig = report.category_figure(intervals, f"P@5 by crime category ({cfg.eval_split} queries, {cfg.qrels_kind} "
                                        f"relevance, k={cfg.k})")
mlflow.log_figure(fig, "retrieval/p5_by_category.png")
p5
# %% [markdown]
# ## One MLflow run per method, and P@5 per method as the stage's headline
# %%
metrics = report.method_metrics(result, qrels_by_kind, evalq, categories, cfg.k)
method_runs = report.log_method_runs(result, metrics, report.method_params(result))
tracking.log_headline(report.headline_metrics(metrics, cfg.qrels_kind), description=f"{cfg.run_name}: P@5 ({cfg.qrels_kind} relevance, {len(evalq)} "
                      f"{cfg.eval_split} queries) of {', '.join(result.runs)}")
pd.DataFrame(metrics).T
# %% [markdown]
# ## Difference to BM25 per category, with a paired bootstrap interval (95 %, queries resampled)
# %%
diffs = report.differences_to(per_q, "bm25", categories, seed=cfg.seed)
if diffs is not None:
    mlflow.log_table(diffs, "retrieval/p5_diff_to_bm25.json")
diffs.pivot_table(index="category", columns="method", values="diff").round(3) if diffs is not None else None
# %%
timing = report.rounded(timing_table(result, tables))
mlflow.log_table(timing.reset_index(), "retrieval/timings.json")
timing
# %% [markdown]
# ## Out-of-distribution: a model trained on one category, scored in and outside it
# %%
ood = pd.DataFrame(ood_breakdown(tables, result.trained_on)).round(3)
ood if len(ood) else "no model of this run was trained on one category only"
# %%
if result.spans:
    mlflow.log_table(pd.DataFrame(result.spans), "retrieval/searchlm_spans.json")
# %% [markdown]
# ## Reference, not measured by this run: the committed learning curve
# `learning_curve` names a results file committed with the code (written by
# `benchmarks/searchlm_learning_curve.py` on the full benchmark); it is shown for orientation and logged under
# `reference/`, never as this run's metrics.
# %%
curve_file = paths.REPO / cfg.learning_curve if cfg.learning_curve else None
if curve_file is not None and curve_file.exists():
    curve = json.loads(curve_file.read_text(encoding="utf-8"))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot([r["step"] for r in curve["curve"]], [r["dev_P@5"] for r in curve["curve"]], marker="o")
    ax.set_xlabel("training step")
    ax.set_ylabel("dev P@5")
    ax.set_title(f"Reference from the committed file {cfg.learning_curve} (not this run)", fontsize=10)
    fig.tight_layout()
    mlflow.log_figure(fig, "reference/searchlm_learning_curve.png")
    mlflow.log_dict(curve, "reference/searchlm_learning_curve.json")
