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
run_name = "evaluate"
seed = 0
models = []                # [{"name": "it_no_ref", "path": "work/models/it_no_ref/final", "format": "no_ref", ...}]
model = ""                 # or one model: a path, a run name (work/models/<name>/final), run:<mlflow id>, or
                           # openai:<model-name> for a model behind an OpenAI-compatible endpoint (base_url)
base_url = ""              # that endpoint, e.g. http://127.0.0.1:8000/v1 ("" → OPENAI_BASE_URL or OpenAI's)
api_key_env = "OPENAI_API_KEY"  # the environment variable holding its key (never the key itself)
api_concurrency = 4        # requests in flight at once
api_price_per_mtok = [0.0, 0.0]  # [input, output] USD per million tokens, for the logged cost estimate
variant = ""               # its variant name ("" → the model directory's name)
factors = {}               # its ablation factors, e.g. {"format": "no_ref"} (grid tags are added automatically)
tasks = "all"              # "all", groups (summary, qa, mrc, mc, drafting, general) or task names, comma-separated
split = "test"
n_per_task = 20            # cap per task (CPU time), 0 means every example of the split
sample_seed = 0            # which examples; keep it fixed across everything you compare
max_input_chars = 600      # the truncation rule's budget per input field (characters, same for every model)
max_new_tokens = 48
min_new_tokens = 0         # force at least this many tokens (same for every model), for models that stop at once
batch_size = 8
backend = "hf"             # generation: "hf" (transformers) or "vllm" (if installed; a merged checkpoint)
repetition_penalty = 1.1
system_prompt = ""         # "", a candidate name (lexlab.legalmidm.system_prompt.CANDIDATES), "best" (stage 05's choice), or text
rouge_tokenizers = "char"  # "char" and/or "morph" (kiwipiepy), comma-separated; the first is the headline
baselines = "untrained,extractive"
base_model = ""            # "" → an untrained copy of the first model's architecture; or a model path
complaint_jsonl = ""
petition_jsonl = ""
snapshot = "latest"
n_boot = 1000
torch_threads = 0            # CPU threads (0: torch default), 1 is faster on a CPU shared with other jobs
# %%
import mlflow
import pandas as pd
import torch

if torch_threads:
    torch.set_num_threads(int(torch_threads))
from lexlab.legalmidm import evaluate, system_prompt as sp, variants
from lexlab.workbench import tracking

torch.manual_seed(seed)
run = tracking.stage_run("evaluate", {
    "tasks": tasks, "split": split, "n_per_task": n_per_task, "sample_seed": sample_seed,
    "max_input_chars": max_input_chars, "max_new_tokens": max_new_tokens, "system_prompt_spec": system_prompt,
    "rouge_tokenizers": rouge_tokenizers, "baselines": baselines, "base_model": base_model,
})
specs = variants.model_specs(models, model, variant, factors, seed)
settings = evaluate.GenerationSettings(max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens,
                                       batch_size=batch_size, backend=backend,
                                       repetition_penalty=repetition_penalty)
prompt_name, prompt_text = sp.resolve(system_prompt)
mlflow.set_tag("lexlab.system_prompt", prompt_name)
toks = tuple(t.strip() for t in rouge_tokenizers.split(",") if t.strip())
examples = evaluate.build_examples(tasks, split, n_per_task, sample_seed, max_input_chars, snapshot,
                                   complaint_jsonl, petition_jsonl)
pd.Series({t: len(v) for t, v in examples.items()}, name="examples")
# %% [markdown]
# ## Models
# %%
api = {"base_url": base_url, "api_key_env": api_key_env, "max_concurrency": api_concurrency,
       "price_per_mtok": api_price_per_mtok}
# papermill_description=evaluating_models
results, first = variants.evaluate_models(specs, examples, settings, prompt_text or None, toks, n_boot, seed, api)
# %% [markdown]
# ## Baselines
# %%
# papermill_description=evaluating_baselines
results.update(variants.evaluate_baselines(baselines, specs, first, base_model, examples, settings,
                                           prompt_text or None, toks, n_boot, seed))
# %% [markdown]
# ## Scores (ROUGE-L / accuracy × 100; perplexity as is)
# %%
table = evaluate.scores_frame(results)
mlflow.log_table(table.reset_index(), artifact_file="scores.json")
mlflow.log_metrics({tracking.metric_key(f"{v}.avg"): float(s) for v, s in table["avg"].items() if pd.notna(s)})
evaluate.readable_scores(table)
# %%
sample = pd.concat([r.examples.assign(variant=v) for v, r in results.items() if not r.examples.empty])
sample.groupby(["task", "variant"]).head(1)[["task", "variant", "reference", "prediction"]].head(40)
