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
# # 08 · Build the LEGAR-style case-retrieval benchmark
# From the snapshot's criminal decisions: candidate pool = every criminal decision (판시사항 + 이유), queries =
# single-charge decisions with at least one substantive provision, masked so they do not state the answer.
# **Standard** relevance: same normalised charge and ≥ 1 shared substantive article (procedure law, the
# constitution and 형법 제1조–제86조 do not count); a query's own appeal chain is never a candidate.
# **Stricter** relevance: the same, restricted to the query's legal-factor group (annotator `rules` offline, or
# `llm` through any OpenAI-compatible endpoint; the key is read from the environment, never a parameter).
# The crime categories are our reconstruction of LEGAR BENCH's 33, not the paper's own list.
# %% tags=["parameters"]
CONFIG = "lexlab.legalsearchlm.bench.config:BenchmarkConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import time

import matplotlib.pyplot as plt
import mlflow
import numpy as np
import pandas as pd

from lexlab.data import snapshot as snapshot_mod
from lexlab.legalsearchlm.bench import legal_factors as factors, legar
from lexlab.legalsearchlm.bench.export import category_table, export
from lexlab.workbench import paths, tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("build_benchmark", cfg)
snap = snapshot_mod.load_snapshot(paths.snapshot_dir(cfg.snapshot), tables=("decisions",))
mlflow.set_tag("lexlab.snapshot", snap.manifest.get("version", cfg.snapshot))
# %%
t0 = time.time()
ann = factors.make_annotator(cfg.annotator, **cfg.annotator_options())
bench = legar.build_benchmark(snap.decisions, annotator=ann, max_queries=cfg.max_queries, seed=cfg.seed,
                              title_match=cfg.title_match, test_fraction=cfg.test_fraction)
out_dir = paths.work_dir("legar", cfg.name)
files = export(bench, out_dir)
build_s = time.time() - t0
stats = {k: v for k, v in bench.stats.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
stats["wall_seconds"] = build_s
mlflow.log_metrics({k: float(v) for k, v in stats.items()})
mlflow.log_dict(bench.stats, "benchmark/stats.json")
pd.Series(stats, name="value").to_frame()
# %% [markdown]
# ## Queries and candidates per crime category
# `candidates` counts single-charge candidates of the category (multi-charge candidates belong to a combined
# category); `mean_relevant` is standard relevance; `stricter_queries` have ≥ 1 stricter-relevant candidate.
# %%
table = category_table(bench)
mlflow.log_table(table, "benchmark/categories.json")
table
# %%
skips = pd.Series(bench.stats.get("query_skips", {}), name="decisions not used as queries")
skips.to_frame()
# %% [markdown]
# ## Relevant candidates per query
# %%
n_std = pd.Series([len(v) for v in bench.qrels.values()], name="standard")
n_str = pd.Series([len(v) for v in bench.qrels_stricter.values()], name="stricter")
fig, ax = plt.subplots(figsize=(7, 3.5))
bins = np.unique(np.geomspace(1, max([*n_std, *n_str, 2]) + 1, 20).round())
ax.hist(n_std, bins=bins, alpha=0.6, label=f"standard (mean {n_std.mean():.1f})")
if len(n_str):
    ax.hist(n_str, bins=bins, alpha=0.6, label=f"stricter (mean {n_str.mean():.1f})")
ax.set_xlabel("relevant candidates per query")
ax.set_ylabel("queries")
ax.set_xscale("log")
ax.legend()
fig.tight_layout()
mlflow.log_figure(fig, "benchmark/relevant_per_query.png")
pd.concat([n_std.describe(), n_str.describe()], axis=1)
# %% [markdown]
# ## Exported files (IR-standard: JSONL corpus/queries, TREC qrels)
# %%
for path in files.values():
    mlflow.log_artifact(str(path), artifact_path="benchmark")
pd.DataFrame([{"file": k, "path": str(v), "bytes": v.stat().st_size} for k, v in files.items()])
# %%
bench.queries[["id", "category", "charge", "split"]].assign(
    text=bench.queries["text"].str.slice(0, 120)).head(5)
