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
# # 03 · Continual pre-training (CPT)
# Legal raw text — statute articles, court decisions (판시사항 + 판결요지 + 이유) and FSC law interpretations, from
# the snapshot's **train split only** — mixed with general text, then next-token training with the HF Trainer.
#
# **About the "general" text**: by default a stand-in, not general-domain text — read `lexlab.data.general_text`
# before quoting a mixing result. Set `general_jsonl` to your own `{"id", "text"}` corpus for the real thing.
#
# `model = "tiny"` builds a small Llama from a config with a tokenizer trained on this corpus (CPU, minutes); any
# Hugging Face model path works the same way on a GPU. Multi-GPU: run the same training under
# `accelerate launch -m lexlab.legalmidm.train cpt --config cpt.yaml` (see README).
# %% tags=["parameters"]
CONFIG = "lexlab.legalmidm.train.config:CPTConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import mlflow
import pandas as pd

from lexlab.legalmidm import train
from lexlab.models.trainer import loss_curve
from lexlab.workbench import tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("continual_pretraining", cfg)
# %%
# papermill_description=training
result = train.run_cpt(cfg)
# %% [markdown]
# ## Data mix and result
# `requested` is `general_fraction` (the general share when `cpt_mix` mixes); `effective` is what this run mixed
# in (0 for `cpt_mix = "legal"`); `realised` counts the blocks that were actually interleaved.
# %%
mix = result.extra["mix"]
pd.DataFrame([{
    "legal docs": result.extra["n_legal_docs"], "general docs": result.extra["n_general_docs"],
    "blocks": mix["n"], "general blocks": mix["n_general"],
    "cpt_mix": cfg.cpt_mix, "requested general fraction": cfg.general_fraction,
    "effective": cfg.effective_general_fraction, "realised": round(mix["general_fraction"], 4),
    "steps": result.global_step, "resumed from": result.resumed_from or "",
    "final loss": round(result.final_loss, 4), "train seconds": round(result.train_seconds, 1),
    "parameters": result.n_params, "model dir": result.final_dir,
}]).T.rename(columns={0: "value"})
# %%
fig = loss_curve(result.log_history, f"CPT loss ({cfg.cpt_mix})")
mlflow.log_figure(fig, "plots/cpt_loss.png")
