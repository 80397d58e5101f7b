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
# # 05 · Choose the system prompt
# Scores candidate system prompts (`lexlab.legalmidm.system_prompt.CANDIDATES`: none, a legal-advisor persona, …) with one
# instruction-tuned model on the **dev** split, keeps the best (ties go to "none": a prompt must earn its tokens)
# and saves it to `work/eval/system_prompt.json`, where `06_evaluate` finds it with `system_prompt: best`.
#
# Then, as in LegalMidm: does the prompt help more when the model also saw it during instruction tuning? Give
# `trained_with_prompt_model` (a model tuned with `trained_prompt` as its system prompt) and this compares it with
# `model` (tuned without), each with and without the prompt at inference.
# %% tags=["parameters"]
CONFIG = "lexlab.legalmidm.config:SystemPromptConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import mlflow
import pandas as pd

from lexlab.legalmidm import evaluate, system_prompt as sp
from lexlab.models import hf
from lexlab.workbench import tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
cfg.setup_torch()
run = tracking.stage_run("system_prompt", cfg)
chosen_from = sp.select(cfg.candidates)
m, tok, path = hf.load_model(cfg.model)
dev = cfg.examples()
pd.Series({t: len(v) for t, v in dev.items()}, name="dev examples")
# %% [markdown]
# ## Candidates on the dev split (× 100)
# %%
# papermill_description=scoring_prompts
scores, _ = sp.score_candidates(m, tok, dev, chosen_from, cfg.settings(), seed=cfg.seed)
best = sp.choose(scores, cfg.min_gain)
sp.save_choice(best, chosen_from[best], scores, {"model": str(path), "split": cfg.split})
mlflow.log_table(scores.reset_index(), artifact_file="system_prompt/dev_scores.json")
mlflow.log_metrics({tracking.metric_key(f"dev_avg.{n}"): float(v) for n, v in scores["avg"].items() if pd.notna(v)})
mlflow.set_tag("lexlab.system_prompt", best)
mlflow.log_text(chosen_from[best] or "(no system prompt)", "system_prompt/chosen.txt")
print("chosen:", best, "—", chosen_from[best] or "(no system prompt)")
evaluate.readable_scores(scores)
# %% [markdown]
# ## Prompt at inference only vs also in training
# %%
if cfg.trained_with_prompt_model:
    m2, tok2, _ = hf.load_model(cfg.trained_with_prompt_model)
    test = cfg.examples(cfg.comparison_split)
    comp, _ = sp.training_comparison({"inference_only": (m, tok), "also_in_training": (m2, tok2)}, test,
                                     sp.resolve(cfg.trained_prompt)[1], cfg.settings(), seed=cfg.seed)
    mlflow.log_table(comp, artifact_file="system_prompt/training_comparison.json")
    for r in comp.itertuples():
        mlflow.log_metric(tracking.metric_key(f"train_cmp.{r.model}.{'prompt' if r.prompt_at_inference else 'no_prompt'}.avg"), r.avg)
    display_table = comp.set_index(["model", "prompt_at_inference"])
    print(evaluate.readable_scores(display_table).to_string())
else:
    print("no trained_with_prompt_model given: the inference-only vs also-in-training comparison is skipped")
