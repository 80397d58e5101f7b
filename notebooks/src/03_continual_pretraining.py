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
run_name = "cpt"
seed = 0
model = "tiny"                 # "tiny", a local model dir, or a hub id (GPU users)
model_name = ""                # output under work/models/<model_name>/; "" → run_name
cpt_mix = "legal+general"      # "legal" (legal text only) or "legal+general"
general_fraction = 0.2         # share of training blocks (i.e. tokens) drawn from general text when cpt_mix mixes
general_jsonl = ""             # your own general corpus ({"id","text"} per line) instead of the press releases
legal_jsonl = ""               # your own legal corpus instead of the snapshot tables
legal_tables = "statutes,decisions,interpretations"
max_legal_docs = 300           # per legal table (0: the whole train split)
max_general_docs = 300         # 0: all
block_size = 128
max_steps = 150
per_device_train_batch_size = 8
gradient_accumulation_steps = 1
bf16 = False                   # bfloat16 mixed precision (GPUs from Ampere on)
activation_checkpointing = False  # gradient checkpointing: recompute activations, trading time for memory
learning_rate = 1e-3
save_steps = 50                # checkpoints; a re-run with the same model_name resumes from the last one
tokenizer_vocab_size = 8000
snapshot = "latest"
torch_threads = 0              # CPU threads (0: torch default); 1 is faster on a CPU shared with other jobs
# %%
import mlflow
import pandas as pd

from lexlab.legalmidm import train
from lexlab.models.trainer import loss_curve
from lexlab.workbench import tracking
from lexlab.workbench.config import config_from_dict

cfg = config_from_dict(train.CPTConfig, dict(
    run_name=run_name, seed=seed, model=model, model_name=model_name, cpt_mix=cpt_mix,
    general_fraction=general_fraction, general_jsonl=general_jsonl, legal_jsonl=legal_jsonl,
    legal_tables=legal_tables, max_legal_docs=max_legal_docs, max_general_docs=max_general_docs, block_size=block_size,
    max_steps=max_steps, per_device_train_batch_size=per_device_train_batch_size, learning_rate=learning_rate,
    save_steps=save_steps, tokenizer_vocab_size=tokenizer_vocab_size, snapshot=snapshot, torch_threads=torch_threads,
    gradient_accumulation_steps=gradient_accumulation_steps, bf16=bf16,
    activation_checkpointing=activation_checkpointing,
), source="notebook parameters")
run = tracking.stage_run("continual_pretraining", {"cpt_mix": cpt_mix, "general_fraction": general_fraction})
cfg
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
