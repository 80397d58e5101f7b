# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (lexlab)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10 · Evaluate case retrieval: BM25 vs dense vs LegalSearchLM
# On the LEGAR-style benchmark of notebook 08: P@5 overall and per crime category (the layout of the paper's
# Table 3/4), wall times, and the LegalSearchLM variants of notebook 09 side by side. BM25 is tuned (tokenizer,
# k1, b) on the **dev** queries and every method is scored on `eval_split` (default `test`), so the baseline is
# not a straw man and no method is tuned on the queries it is scored on. A query never retrieves itself or its
# own appeal chain (`exclude`).
# %% tags=["parameters"]
run_name = "evaluate_retrieval"
seed = 0
benchmark = "legar"                # work/legar/<benchmark>/
qrels_kind = "standard"            # standard | stricter
eval_split = "test"                # test | dev | all
max_queries = 0                    # 0: every query of the split; N: a seeded sample (for quick runs)
k = 5
methods = "bm25,dense,searchlm"
bm25_tune = True
bm25_tokenizers = "word,char2,word+char2"
bm25_options = ""                  # JSON; used when bm25_tune is False (e.g. '{"tokenizer": "word", "k1": 3, "b": 1}')
dense_model = ""                   # HF / sentence-transformers path; empty: train one (work/retrieval/<dense_name>)
dense_name = "dense"
dense_steps = 300
searchlm_models = "searchlm"       # comma list: names under work/retrieval/ (notebook 09's model_name) or paths
num_beams = 10
max_new_tokens = 8
searchlm_anchor = "off"            # off | on | both: also decode with spans anchored on query words (our addition)
hybrid_depth = 100                 # method "hybrid" (our addition): RRF of BM25's and LegalSearchLM's top hybrid_depth
oracle = True                      # also rank with each query's own elements (perfect generation): the design's bound
learning_curve = "benchmarks/results/searchlm_learning_curve.json"  # logged when the file exists ("" to skip)
# %%
import json

import matplotlib.pyplot as plt
import mlflow
import pandas as pd

from lexlab.legalsearchlm.retrieval import read_records
from lexlab.legalsearchlm.retrieval.benchmark import (EvaluationConfig, evaluate_methods, metric_prefix, score_runs,
                                                      split_queries, summary_metrics, timing_table, write_runs)
from lexlab.legalsearchlm.retrieval.evaluation import ood_breakdown, p5_by_category
from lexlab.workbench import paths, tracking
from lexlab.workbench.io import read_trec_qrels, trec_id

run = tracking.stage_run("evaluate_retrieval", {
    "benchmark": benchmark, "qrels_kind": qrels_kind, "eval_split": eval_split, "max_queries": max_queries, "k": k,
    "methods": methods, "bm25_tune": bm25_tune, "bm25_tokenizers": bm25_tokenizers, "dense_model": dense_model,
    "dense_steps": dense_steps, "searchlm_models": searchlm_models, "num_beams": num_beams,
    "max_new_tokens": max_new_tokens, "searchlm_anchor": searchlm_anchor, "hybrid_depth": hybrid_depth,
    "oracle": oracle, "seed": seed})
config = EvaluationConfig(
    methods=methods, k=k, benchmark=benchmark, seed=seed, bm25_tune=bm25_tune, bm25_tokenizers=bm25_tokenizers,
    bm25_options=json.loads(bm25_options or "{}"), dense_model=dense_model, dense_name=dense_name,
    dense_steps=dense_steps, searchlm_models=searchlm_models, num_beams=num_beams, max_new_tokens=max_new_tokens,
    searchlm_anchor=searchlm_anchor, hybrid_depth=hybrid_depth)
bdir = paths.work_dir("legar", benchmark)
corpus = read_records(bdir / "corpus.jsonl")
queries = read_records(bdir / "queries.jsonl")
qrels = read_trec_qrels(bdir / f"qrels.{qrels_kind}.trec")
if not qrels:
    raise ValueError(f"{bdir}/qrels.{qrels_kind}.trec is empty")
dev, evalq = split_queries(queries, eval_split, max_queries, seed)
categories = {q["id"]: q.get("category", "(none)") for q in queries}
print(f"{len(corpus)} candidates, {len(dev)} dev queries, {len(evalq)} {eval_split} queries")
# %% [markdown]
# ## Every method on the same queries
# BM25 tuned on dev; dense (Contriever-style, unsupervised on the corpus, trained here unless `dense_model` is
# given); LegalSearchLM (FM-index-constrained span generation, SEAL-style ranking) with stage 09's models.
# %%
result = evaluate_methods(corpus, dev, evalq, qrels, config)
if result.bm25_grid is not None:
    mlflow.log_table(result.bm25_grid, "retrieval/bm25_grid.json")
if result.bm25_options is not None:
    mlflow.log_dict(result.bm25_options, "retrieval/bm25_options.json")
    print("BM25 options:", result.bm25_options)
if result.dense_training:
    mlflow.log_metrics({f"dense_{k_}": float(v) for k_, v in result.dense_training.items()
                        if isinstance(v, (int, float))})
grid = result.bm25_grid
grid.pivot_table(index=["tokenizer", "k1"], columns="b", values="P@5") if grid is not None else None
# %% [markdown]
# ## Where the loss is: the oracle bound and the diversity of generated spans
# The oracle ranks with each query's **own** elements (the extractor on its full decision, filtered to
# discriminative spans, `lexlab.legalsearchlm.searchlm.targets`) through a character FM-index with idf span
# weights, saturated and length-normalised as LegalSearchLM ranks: what perfect generation would give.
# `oracle[base]` uses today's unfiltered targets (8 per case).
# Span diversity: a model that generates the same spans for every query has a low `distinct_spans` and a high
# `top_span_is_global_top`.
# %%
if oracle:
    from lexlab.legalsearchlm.searchlm import oracle as oracle_mod
    from lexlab.legalsearchlm.searchlm.scoring import SPAN_B, SPAN_K1
    from lexlab.legalsearchlm.searchlm.targets import SpanCounter

    counter = SpanCounter([d["text"] for d in corpus])
    by_id = {str(d["id"]): d for d in corpus}
    # The query's full decision from the snapshot; its corpus text where the snapshot does not have it.
    decisions = {**{q["id"]: {"id": q["id"], "text": by_id[q["id"]]["text"]} for q in evalq if q["id"] in by_id},
                 **oracle_mod.full_decisions({q["id"] for q in evalq})}
    for design in ("base", "filtered"):
        own = oracle_mod.own_spans(decisions, counter, design)
        result.runs[f"oracle[{design}]"] = oracle_mod.oracle_run(own, counter, [str(d["id"]) for d in corpus], evalq,
                                                                 k, "idf", SPAN_K1, SPAN_B)
        result.diversity[f"oracle[{design}]"] = oracle_mod.span_diversity(own)
diversity = pd.DataFrame(result.diversity).T
for method, row in diversity.iterrows():
    mlflow.log_metrics({f"{metric_prefix(method)}.spans.{key}": float(v) for key, v in row.items()})
diversity.round(3)
# %%
pd.DataFrame(result.spans).head(10)
# %% [markdown]
# ## P@5 overall and per category
# %%
out_dir = paths.work_dir("retrieval", "runs", run_name)
for path in write_runs(result.runs, out_dir):
    mlflow.log_artifact(str(path), "retrieval/runs")
tables = score_runs(result.runs, qrels, evalq, categories, k)
mlflow.log_metrics(summary_metrics(tables))
p5 = p5_by_category(tables)
mlflow.log_table(p5.reset_index(), "retrieval/p5_by_category.json")
p5.round(3)
# %% [markdown]
# ## Difference to BM25 per category, with a paired bootstrap interval (95 %, queries resampled)
# %%
from lexlab.legalsearchlm.retrieval.significance import differences_by_category, per_query

scored_qrels = {q_: r_ for q_, r_ in qrels.items() if q_ in {trec_id(q["id"]) for q in evalq}}
per_q = {m: per_query(scored_qrels, r_, "P@5") for m, r_ in result.runs.items()}
diffs = (pd.DataFrame(differences_by_category(per_q, "bm25", categories, seed=seed))
         if "bm25" in per_q and len(per_q) > 1 else None)  # nothing to compare with bm25 alone
if diffs is not None:
    mlflow.log_table(diffs, "retrieval/p5_diff_to_bm25.json")
    for _, row in diffs[diffs["category"] == "ALL"].iterrows():
        mlflow.log_metrics({f"{metric_prefix(row['method'])}.P_at_5_minus_bm25": row["diff"],
                            f"{metric_prefix(row['method'])}.P_at_5_minus_bm25.ci_low": row["ci_low"],
                            f"{metric_prefix(row['method'])}.P_at_5_minus_bm25.ci_high": row["ci_high"]})
diffs.pivot_table(index="category", columns="method", values="diff").round(3) if diffs is not None else None
# %%
timing = timing_table(result, tables)
mlflow.log_table(timing.reset_index(), "retrieval/timings.json")
timing.round(2)
# %% [markdown]
# ## Out-of-distribution: a model trained on one category, scored in and outside it
# %%
pd.DataFrame(ood_breakdown(tables, result.trained_on))
# %%
plot = p5.drop(columns="n")
plot = plot[p5["n"] >= 3] if (p5["n"] >= 3).sum() > 1 else plot
fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(plot)), 3.5))
plot.plot.bar(ax=ax)
ax.set_ylabel("P@5")
ax.set_title(f"P@5 by category ({eval_split}, {qrels_kind} relevance)")
fig.tight_layout()
mlflow.log_figure(fig, "retrieval/p5_by_category.png")
if result.spans:
    mlflow.log_table(pd.DataFrame(result.spans), "retrieval/searchlm_spans.json")
# %% [markdown]
# ## Learning curve (from `benchmarks/searchlm_learning_curve.py`): training loss and dev P@5 by step
# %%
curve_file = paths.REPO / learning_curve if learning_curve else None
if curve_file is not None and curve_file.exists():
    curve = json.loads(curve_file.read_text(encoding="utf-8"))
    for row in curve["train_loss"]:
        mlflow.log_metric("learning_curve.train_loss", row["loss"], step=int(row["step"]))
    for row in curve["curve"]:
        mlflow.log_metric("learning_curve.dev_P_at_5", row["dev_P@5"], step=int(row["step"]))
    mlflow.log_dict(curve, "retrieval/learning_curve.json")
    pd.DataFrame(curve["curve"])
