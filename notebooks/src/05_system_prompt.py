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
# # 05 · Choose the system prompt
# Scores candidate system prompts (`lexlab.legalmidm.system_prompt.CANDIDATES`: none, a legal-advisor persona, …) with one
# instruction-tuned model on the **dev** split, keeps the best (ties go to "none": a prompt must earn its tokens)
# and saves it to `work/eval/system_prompt.json`, where `06_evaluate` finds it with `system_prompt: best`.
#
# Then, as in LegalMidm: does the prompt help more when the model also saw it during instruction tuning? Give
# `trained_with_prompt_model` (a model tuned with `trained_prompt` as its system prompt) and this compares it with
# `model` (tuned without), each with and without the prompt at inference.
# %% tags=["parameters"]
run_name = "system_prompt"
seed = 0
model = ""                      # the model prompts are chosen with (trained without a system prompt)
candidates = "all"              # "all" or comma-separated names from CANDIDATES
tasks = "summary,qa,mrc,mc"     # generation + choice tasks (perplexity does not use a prompt)
split = "dev"                   # choose on dev; the test split is for the final tables
n_per_task = 10
sample_seed = 0
max_input_chars = 600
max_new_tokens = 48
min_new_tokens = 0              # force at least this many tokens (same for every model and prompt)
repetition_penalty = 1.1        # keep equal to 06_evaluate's, so the prompt is chosen under the same decoding
batch_size = 8
min_gain = 0.01                 # a prompt must beat "none" by more than this (dev average, 0..1 scale)
trained_with_prompt_model = ""  # optional: the same recipe tuned with `trained_prompt` as system prompt
trained_prompt = "legal_advisor"
comparison_split = "test"
snapshot = "latest"
torch_threads = 0            # CPU threads (0: torch default), 1 is faster on a CPU shared with other jobs
# %%
import mlflow
import pandas as pd
import torch

if torch_threads:
    torch.set_num_threads(int(torch_threads))
from lexlab.legalmidm import evaluate, system_prompt as sp
from lexlab.models import hf
from lexlab.workbench import tracking

torch.manual_seed(seed)
run = tracking.stage_run("system_prompt", {
    "model": model, "candidates": candidates, "tasks": tasks, "split": split, "n_per_task": n_per_task,
    "trained_with_prompt_model": trained_with_prompt_model, "trained_prompt": trained_prompt,
    "min_gain": min_gain, "min_new_tokens": min_new_tokens, "repetition_penalty": repetition_penalty,
})
chosen_from = sp.select(candidates)
settings = evaluate.GenerationSettings(max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens,
                                       batch_size=batch_size, repetition_penalty=repetition_penalty)
m, tok, path = hf.load_model(model)
dev = evaluate.build_examples(tasks, split, n_per_task, sample_seed, max_input_chars, snapshot)
pd.Series({t: len(v) for t, v in dev.items()}, name="dev examples")
# %% [markdown]
# ## Candidates on the dev split (× 100)
# %%
# papermill_description=scoring_prompts
scores, _ = sp.score_candidates(m, tok, dev, chosen_from, settings, seed=seed)
best = sp.choose(scores, min_gain)
sp.save_choice(best, chosen_from[best], scores, {"model": str(path), "split": split})
mlflow.log_table(scores.reset_index(), artifact_file="system_prompt/dev_scores.json")
mlflow.log_metrics({tracking.metric_key(f"dev_avg.{n}"): float(v) for n, v in scores["avg"].items() if pd.notna(v)})
mlflow.set_tag("lexlab.system_prompt", best)
mlflow.log_text(chosen_from[best] or "(no system prompt)", "system_prompt/chosen.txt")
print("chosen:", best, "—", chosen_from[best] or "(no system prompt)")
evaluate.readable_scores(scores)
# %% [markdown]
# ## Prompt at inference only vs also in training
# %%
if trained_with_prompt_model:
    m2, tok2, _ = hf.load_model(trained_with_prompt_model)
    prompt = sp.resolve(trained_prompt)[1]
    test = evaluate.build_examples(tasks, comparison_split, n_per_task, sample_seed, max_input_chars, snapshot)
    comp, _ = sp.training_comparison({"inference_only": (m, tok), "also_in_training": (m2, tok2)}, test, prompt,
                                     settings, seed=seed)
    mlflow.log_table(comp, artifact_file="system_prompt/training_comparison.json")
    for r in comp.itertuples():
        mlflow.log_metric(tracking.metric_key(f"train_cmp.{r.model}.{'prompt' if r.prompt_at_inference else 'no_prompt'}.avg"), r.avg)
    display_table = comp.set_index(["model", "prompt_at_inference"])
    print(evaluate.readable_scores(display_table).to_string())
else:
    print("no trained_with_prompt_model given: the inference-only vs also-in-training comparison is skipped")
