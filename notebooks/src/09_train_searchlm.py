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
# # 09 · Train a LegalSearchLM span generator
# Self-supervised: every corpus case → its own legal elements (statutes, charges, legal-concept phrases from its
# own text), with statute names / article numbers / charges masked in the input so that training inputs look
# like LEGAR queries. No relevance label is used. `variant` selects the paper's ablations:
# `legal` (legal elements, first-token-aware), `legal_no_fta` (same elements, span starts untrimmed),
# `naive` (random spans of the case as targets), `ood` (legal, trained on one crime category only).
# `model="tiny"` trains a small Llama from a config with a tokenizer trained on the corpus (CPU, minutes); any
# Hugging Face causal-LM path fine-tunes that model instead (GPU).
# %% tags=["parameters"]
run_name = "train_searchlm"
seed = 0
benchmark = "legar"          # reads work/legar/<benchmark>/corpus.jsonl ...
corpus_path = ""             # ... unless a JSONL corpus path is given here
model = "tiny"               # "tiny" or any HF causal-LM path
model_name = "searchlm"      # output: work/retrieval/<model_name>/final
variant = "legal"            # legal | legal_no_fta | naive | ood | custom
targets = "legal"            # read when variant is "custom": legal | naive
first_token_aware = True     # read when variant is "custom"
train_category = ""          # read when variant is "custom" (or "ood", default 지식재산): train on this category only
extractor = "offline"        # offline | llm (OpenAI-compatible endpoint; key from the environment)
llm_model = "gpt-4o-mini"
llm_base_url = ""
max_elements = 32           # targets per case (after the filter below)
target_filter = True        # discriminative targets (no procedural or general provisions, 2 to target_max_df cases)
target_max_df = 0.02        # share of corpus cases a target may occur in (chosen on dev by benchmarks/searchlm_oracle.py)
max_input_tokens = 160
max_steps = 2000             # where dev P@5 levels off (benchmarks/results/searchlm_learning_curve.json)
batch_size = 16
learning_rate = 2e-3
# %%
import time

import mlflow
import pandas as pd

from lexlab.legalsearchlm.retrieval import read_records
from lexlab.legalsearchlm.searchlm.train import SearchLMConfig, category_train_ids, train_searchlm, variant_recipe
from lexlab.models.trainer import loss_curve
from lexlab.workbench import paths, tracking
from lexlab.workbench.config import config_from_dict
from lexlab.workbench.io import read_jsonl

recipe = variant_recipe(variant, targets, first_token_aware, train_category)
params = {"benchmark": benchmark, "corpus_path": corpus_path, "model": model, "model_name": model_name,
          "variant": variant, **recipe, "extractor": extractor, "max_elements": max_elements,
          "max_input_tokens": max_input_tokens, "max_steps": max_steps, "batch_size": batch_size,
          "learning_rate": learning_rate, "seed": seed, "target_filter": target_filter,
          "target_max_df": target_max_df,
          **({"llm_model": llm_model, "llm_base_url": llm_base_url} if extractor == "llm" else {})}
run = tracking.stage_run("train_searchlm", params)
corpus = read_records(corpus_path or paths.work_dir("legar", benchmark) / "corpus.jsonl")
train_ids = category_train_ids(corpus, recipe["train_category"])
len(corpus), (len(train_ids) if train_ids else len(corpus))
# %%
out_dir = paths.work_dir("retrieval", model_name)
cfg = config_from_dict(SearchLMConfig, dict(
    out_dir=str(out_dir), run_name=run_name, seed=seed, model=model, targets=recipe["targets"],
    first_token_aware=recipe["first_token_aware"], extractor=extractor,
    llm={"model": llm_model, "base_url": llm_base_url or None} if extractor == "llm" else {},
    max_elements=max_elements, target_filter=target_filter, target_max_df=target_max_df,
    max_input_tokens=max_input_tokens, max_steps=max_steps, batch_size=batch_size,
    learning_rate=learning_rate, train_ids=train_ids,
    extra_meta={"variant": variant, "train_category": recipe.get("train_category", "")},
), source="notebook parameters")
t0 = time.time()
result = train_searchlm(corpus, cfg)
meta = {**result.extra, "wall_seconds": time.time() - t0}
mlflow.log_metrics({k: float(v) for k, v in meta.items() if isinstance(v, (int, float)) and not isinstance(v, bool)})
mlflow.set_tag("lexlab.searchlm.model_dir", result.final_dir)
pd.Series(meta, name="value").to_frame()
# %% [markdown]
# ## Training targets (first cases)
# %%
rows = read_jsonl(out_dir / "targets.jsonl", required=("id",))
mlflow.log_artifact(str(out_dir / "targets.jsonl"), "searchlm")
pd.DataFrame([{"id": r["id"], "targets": " | ".join(r["targets"][:5])} for r in rows[:10]])
# %% [markdown]
# ## Training loss
# %%
fig = loss_curve(result.log_history, f"LegalSearchLM training ({variant})", ylabel="target NLL", figsize=(6, 3))
mlflow.log_figure(fig, "searchlm/train_loss.png")
mlflow.log_artifacts(result.final_dir, "searchlm/model")
