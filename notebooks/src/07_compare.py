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
# # 07 · Compare variants (the paper's tables)
# Reads evaluation runs back with `mlflow.search_runs` and lays them out as: per-task scores per variant; the
# data-format ablation (no_ref / ref_in_output / ref_in_input); CPT mixing (legal vs legal+general) and IT mixing.
# Baselines (untrained base model, extractive lead sentences) appear on every table. Several seeds → mean and a
# t-interval over seeds; one seed → the bootstrap interval over examples. Differences are called out only when
# they exceed their own CI (see `lexlab.legalmidm.compare`). Tables, plots and `compare/comparison.md` are logged here.
# %% tags=["parameters"]
CONFIG = "lexlab.legalmidm.config:CompareConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import matplotlib.pyplot as plt
import mlflow
from IPython.display import Markdown, display

from lexlab.legalmidm import compare
from lexlab.workbench import tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("compare", cfg)
parent = compare.scope_parent(cfg.scope, run.info.run_id)
runs = compare.load_eval_runs([cfg.experiment_name(run)], parent_run_id=parent)
print(f"{len(runs)} evaluation runs, {runs['variant'].nunique() if len(runs) else 0} variants")
result = compare.compare(runs, cfg.rouge_tokenizer, cfg.ablation_pairs())
figures = compare.figures(result)
for fig in figures.values():
    plt.close(fig)  # shown below, where their text is
text = compare.log_comparison(result, figures)
mlflow.log_metric("n_eval_runs", len(runs))
# %% [markdown]
# ## Per-task scores, ablations and differences beyond their CI
# %%
for md, figure in compare.sections(result):
    display(Markdown(md))
    if figure in figures:
        display(figures[figure])
# %% [markdown]
# ## The selected model in the Model Registry
# The best variant by the task average is registered under `register_as` with the alias `best`: any stage that
# takes a model path also takes `models:/<register_as>@best`. Its name and average are the pipeline's headline.
# %%
from lexlab.legalmidm import registry

registered = registry.register_best(result["runs"], cfg.register_as) if cfg.register_as else None
registry.log_headline(result["runs"], registered)
registered
