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
# # 09 · Train a LegalSearchLM span generator
# Self-supervised: every corpus case → its own legal elements (statutes, charges, legal-concept phrases from its
# own text), with statute names / article numbers / charges masked in the input so that training inputs look
# like LEGAR queries. No relevance label is used. `variant` selects the paper's ablations:
# `legal` (legal elements, first-token-aware), `legal_no_fta` (same elements, span starts untrimmed),
# `naive` (random spans of the case as targets), `ood` (legal, trained on one crime category only).
# `model="tiny"` trains a small Llama from a config with a tokenizer trained on the corpus (CPU, minutes); any
# Hugging Face causal-LM path fine-tunes that model instead (GPU).
# %% tags=["parameters"]
CONFIG = "lexlab.legalsearchlm.searchlm.config:TrainSearchLMConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import dataclasses
import time

import mlflow
import pandas as pd

from lexlab.legalsearchlm.retrieval import read_records
from lexlab.legalsearchlm.retrieval.inputs import corpus_fingerprint
from lexlab.legalsearchlm.searchlm.registry import register_model
from lexlab.legalsearchlm.searchlm.train import category_train_ids, train_searchlm
from lexlab.models.trainer import loss_curve
from lexlab.workbench import tracking
from lexlab.workbench.config import stage_config
from lexlab.workbench.io import read_jsonl

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("train_searchlm", cfg)
corpus = read_records(cfg.corpus_file())
cfg = dataclasses.replace(cfg, train_ids=category_train_ids(corpus, cfg.train_category))
len(corpus), (len(cfg.train_ids) if cfg.train_ids else len(corpus))
# %%
t0 = time.time()
result = train_searchlm(corpus, cfg)
meta = {**result.extra, "wall_seconds": time.time() - t0}
mlflow.log_metrics({k: float(v) for k, v in meta.items() if isinstance(v, (int, float)) and not isinstance(v, bool)})
mlflow.set_tag("lexlab.searchlm.model_dir", result.final_dir)
pd.Series(meta, name="value").to_frame()
# %% [markdown]
# ## Training targets (first cases)
# %%
rows = read_jsonl(cfg.model_dir() / "targets.jsonl", required=("id",))
mlflow.log_artifact(str(cfg.model_dir() / "targets.jsonl"), "searchlm")
pd.DataFrame([{"id": r["id"], "targets": " | ".join(r["targets"][:5])} for r in rows[:10]])
# %% [markdown]
# ## Training loss
# %%
fig = loss_curve(result.log_history, f"LegalSearchLM training ({cfg.variant})", ylabel="target NLL", figsize=(6, 3))
mlflow.log_figure(fig, "searchlm/train_loss.png")
# %% [markdown]
# ## The model in MLflow's Model Registry
# Logged as an MLflow model of this run and registered as `register_as` with the alias `register_alias` (the
# variant by default): `models:/lexlab-legalsearchlm@legal` is the default LegalSearchLM model wherever a model is
# taken (notebook 10's `searchlm_models`, `lexlab retrieve --model`).
# %%
registered = None
if cfg.register_as:
    registered = register_model(result.final_dir, cfg.register_as, cfg.register_alias,
                                {**meta, "corpus_sha256": corpus_fingerprint(corpus)})
registered
