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
run_name = "it"
seed = 0
model = "tiny"                 # used when base_model_dir is empty: "tiny" (untrained), a model dir or hub id
base_model_dir = ""            # the CPT output to start from: work/models/<name> (or a path)
model_name = ""                # output under work/models/<model_name>/; "" → run_name
qa_dir = "law_qa"              # stage 02 output: run name under work/qa/, a directory, or a JSONL file
format = "ref_in_output"       # no_ref | ref_in_output | ref_in_input
system_prompt = ""             # trained with when set: a candidate name (legal_advisor, ...), "best", or text
it_mix = "legal+general"       # "legal" (law QA only) or "legal+general"
general_fraction = 0.2         # share of training examples that are general instructions when it_mix mixes
general_jsonl = ""
general_tasks = "title,continue"
max_qa_items = 0               # 0: all accepted items
max_general_docs = 600         # press releases the general instructions are built from
lora = True                    # False → full fine-tuning
lora_r = 16
lora_alpha = 32
lora_dropout = 0.05
max_length = 512
max_ref_chars = 400            # statute text in ref_in_* formats is clipped to this many characters
max_steps = 150
per_device_train_batch_size = 8
lora_target_modules = "all-linear"  # or comma-separated module names (the model-family recipes name them)
qlora = False                  # LoRA on a 4-bit (bitsandbytes NF4) base: needs a CUDA GPU, refused elsewhere
gradient_accumulation_steps = 1
bf16 = False                   # bfloat16 mixed precision (GPUs from Ampere on)
activation_checkpointing = False  # gradient checkpointing: recompute activations, trading time for memory
learning_rate = 2e-3
save_steps = 50
snapshot = "latest"
torch_threads = 0              # CPU threads (0: torch default); 1 is faster on a CPU shared with other jobs
# %%
import mlflow
import pandas as pd

from lexlab.legalmidm import formats, train
from lexlab.legalmidm import system_prompt as sysprompt
from lexlab.models.trainer import loss_curve
from lexlab.workbench import tracking
from lexlab.workbench.config import config_from_dict

prompt_name, prompt_text = sysprompt.resolve(system_prompt)
cfg = config_from_dict(train.ITConfig, dict(
    run_name=run_name, seed=seed, model=base_model_dir or model, model_name=model_name, qa_dir=qa_dir,
    format=format, system_prompt=prompt_text, it_mix=it_mix, general_fraction=general_fraction,
    general_jsonl=general_jsonl, general_tasks=general_tasks, max_qa_items=max_qa_items,
    max_general_docs=max_general_docs, lora=lora, lora_r=lora_r, lora_alpha=lora_alpha,
    lora_dropout=lora_dropout, max_length=max_length, max_ref_chars=max_ref_chars, max_steps=max_steps,
    per_device_train_batch_size=per_device_train_batch_size, learning_rate=learning_rate, save_steps=save_steps,
    snapshot=snapshot, torch_threads=torch_threads,
    lora_target_modules=lora_target_modules, qlora=qlora,
    gradient_accumulation_steps=gradient_accumulation_steps, bf16=bf16,
    activation_checkpointing=activation_checkpointing,
), source="notebook parameters")
run = tracking.stage_run("instruction_tuning", {"it_mix": it_mix, "general_fraction": general_fraction,
                                                "system_prompt_name": prompt_name})
legal_items, general_items = train.it_items(cfg)
pd.DataFrame({"items": pd.Series([i["source"] for i in legal_items + general_items]).value_counts()})
# %% [markdown]
# ## What the model sees in this format
# %%
example = next((i for i in legal_items if i["reference"]), legal_items[0])
for role, text in ((m["role"], m["content"]) for m in formats.to_messages(
        example, cfg.format, cfg.system_prompt or None, cfg.max_ref_chars)):
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
