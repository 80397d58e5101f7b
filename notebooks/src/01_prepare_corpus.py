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
# # 01 · Prepare the corpus snapshot
# Reads the installed Korean legal data packages (court decisions, statutes, FSC law interpretations, and FSC/PIPC
# press releases as general text: see `lexlab.data.general_text` for what they are) plus any user JSONL, and writes a
# versioned parquet snapshot with a manifest. Every later stage reads this snapshot, never the raw files.
# %% tags=["parameters"]
CONFIG = "lexlab.data.config:PrepareConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import mlflow
import pandas as pd
from lexlab.data import snapshot, snapshot_stats
from lexlab.workbench import tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("prepare_corpus", cfg)
# %%
# papermill_description=build_snapshot
manifest = snapshot.build_snapshot(sources=cfg.sources(), **cfg.snapshot_options())
snap = snapshot.load_snapshot()
mlflow.set_tag("lexlab.snapshot", snap.manifest["version"])
mlflow.log_metrics({f"count_{k}": float(v) for k, v in snap.manifest["counts"].items()})
mlflow.log_metric("skipped_files", float(len(snap.manifest.get("skipped", []))))
mlflow.log_dict(snap.manifest, "manifest.json")
pd.Series(snap.manifest["counts"], name="rows")
# %% [markdown]
# ## Statistics
# %%
tables = snapshot_stats.stats_frames(snap)
for name, frame in tables.items():
    mlflow.log_table(frame.reset_index(), f"stats/{name}.json")
    print(f"\n== {name} ==")
    print(frame.head(20).to_string())
# %%
for i, fig in enumerate(snapshot_stats.plot_stats(snap, tables)):
    mlflow.log_figure(fig, f"plots/stats_{i}.png")
# %% [markdown]
# ## Skipped files (malformed input, reported with path and field)
# %%
pd.DataFrame(snap.manifest.get("skipped", []), columns=["path", "field", "error"]).head(50)
