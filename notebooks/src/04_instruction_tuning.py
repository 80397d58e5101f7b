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
# # 04 · Instruction tuning (IT)
# Law QA from stage 02 (`work/qa/<qa_dir>/accepted.jsonl`: generated from train-split statutes, plus FSC
# interpretations) in one of the paper's three formats, mixed with general instructions, trained with LoRA
# (or full fine-tuning) starting from the CPT model.
#
# - `format`: `no_ref` (Q ⇒ A), `ref_in_output` (Q ⇒ A + Ref), `ref_in_input` (Q + Ref ⇒ A).
# - Only the answer side is in the loss: prompt tokens (system prompt, question, and in `ref_in_input` the
#   reference) are masked.
# - **General instructions are built mechanically from the general-text stand-in** (see `lexlab.data.general_text`:
#   not general-domain text, not human-written tasks). Set `general_jsonl` to your own instructions
#   (`{"id","question","answer"}` or `{"id","instruction","input","output"}`).
# %% tags=["parameters"]
CONFIG = "lexlab.legalmidm.train.config:ITConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import mlflow
import pandas as pd

from lexlab.legalmidm import formats, train
from lexlab.models.trainer import loss_curve
from lexlab.workbench import tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("instruction_tuning", cfg)
legal_items, general_items = train.it_items(cfg)
pd.DataFrame({"items": pd.Series([i["source"] for i in legal_items + general_items]).value_counts()})
# %% [markdown]
# ## What the model sees in this format
# %%
example = next((i for i in legal_items if i["reference"]), legal_items[0])
for role, text in ((m["role"], m["content"]) for m in formats.to_messages(
        example, cfg.format, cfg.system_prompt_text or None, cfg.max_ref_chars)):
    print(f"--- {role}\n{text[:600]}")
# %%
# papermill_description=training
result = train.run_it(cfg, legal_items, general_items)
# %%
mix = result.extra["mix"]
pd.DataFrame([{
    "format": cfg.format, "base model": result.extra["base_model_path"], "legal items": result.extra["n_legal_items"],
    "general items": result.extra["n_general_items"], "examples mixed": mix["n"],
    "it_mix": cfg.it_mix, "requested general fraction": cfg.general_fraction,
    "effective": cfg.effective_general_fraction, "realised": round(mix["general_fraction"], 4),
    "dropped (too long)": result.extra["n_dropped_too_long"], "steps": result.global_step,
    "resumed from": result.resumed_from or "", "final loss": round(result.final_loss, 4),
    "train seconds": round(result.train_seconds, 1), "trainable / all params":
    f"{result.n_trainable_params:,} / {result.n_params:,}", "model dir": result.final_dir,
}]).T.rename(columns={0: "value"})
# %%
fig = loss_curve(result.log_history, f"IT loss ({cfg.format}, {cfg.it_mix})")
mlflow.log_figure(fig, "plots/it_loss.png")
