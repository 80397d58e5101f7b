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
# # 06 · Evaluate models on the legal tasks
# Scores one or more models (a trained run's `work/models/<name>/final`, any local directory or hub id) on the
# six task families of LegalMidm, with the baselines beside them: the **untrained base model** (same architecture,
# fresh weights — or `base_model` when you start from a pretrained checkpoint) and the **extractive lead-sentences
# baseline** where a task has an input text to extract from. Every model sees the same examples, truncated by the
# same character rule (see `lexlab.legalmidm.tasks`). Each model is one MLflow run (nested under this one) with per-task
# metrics, bootstrap 95% CIs and a sample of predictions; `07_compare` reads them back.
#
# A model behind an OpenAI-compatible endpoint (`model: openai:<name>` + `base_url`) is asked the same prompts
# through `lexlab.models.llm_client` (cached: a re-run costs nothing). Multiple choice is then answered by
# generation and scored as `acc_gen` (no option log-likelihoods over a chat API); perplexity is skipped.
#
# `proxy_facts_drafting` is a **proxy** (범죄사실 of lower-court judgments), not the paper's complaint/petition task;
# those two need your curated JSONL (`complaint_jsonl`, `petition_jsonl`; schema in `lexlab.legalmidm.tasks.drafting`).
# `general_ppl` is measured on the general-text stand-in (see `lexlab.data.general_text`), not general-domain text.
# %% tags=["parameters"]
CONFIG = "lexlab.legalmidm.config:EvaluateConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import mlflow
import pandas as pd

from lexlab.legalmidm import evaluate, variants
from lexlab.workbench import tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
cfg.setup_torch()
run = tracking.stage_run("evaluate", cfg)
mlflow.set_tag("lexlab.system_prompt", cfg.prompt()[0])
examples = cfg.examples(**cfg.user_files())
ran = {t: len(v) for t, v in examples.items() if v}
skipped = sorted(t for t, v in examples.items() if not v)
mlflow.log_metric("n_tasks_run", len(ran))
mlflow.set_tag("lexlab.tasks_run", ",".join(ran))
print(f"{len(ran)} of {len(examples)} tasks have examples" + (f"; skipped (no data): {', '.join(skipped)}" if skipped else ""))
pd.Series(ran, name="examples")
# %% [markdown]
# ## Models and baselines
# Each in its own nested run; the untrained copy of the first model and the extractive lead baseline beside them.
# %%
# papermill_description=evaluating
results = variants.evaluate_all(cfg, examples)
# %% [markdown]
# ## Scores (ROUGE-L / accuracy × 100; perplexity as is)
# `avg` is the mean over the same tasks for every variant (those every model ran); a baseline without one of them
# gets none ("–").
# %%
table = evaluate.scores_frame(results)
mlflow.log_table(table.reset_index(), artifact_file="scores.json")
mlflow.log_metrics({tracking.metric_key(f"{v}.avg"): float(s) for v, s in table["avg"].items() if pd.notna(s)})
print(f"avg over {len(table.attrs['avg_over'])} tasks: {', '.join(table.attrs['avg_over'])}")
evaluate.readable_scores(table)
# %%
sample = pd.concat([r.examples.assign(variant=v) for v, r in results.items() if not r.examples.empty])
sample.groupby(["task", "variant"]).head(1)[["task", "variant", "reference", "prediction"]].head(40)
