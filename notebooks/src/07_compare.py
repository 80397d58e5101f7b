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
# # 07 · Compare variants (the paper's tables)
# Reads evaluation runs back with `mlflow.search_runs` and lays them out as: per-task scores per variant; the
# data-format ablation (no_ref / ref_in_output / ref_in_input); CPT mixing (legal vs legal+general) and IT mixing.
# Baselines (untrained base model, extractive lead sentences) appear on every table. Several seeds → mean and a
# t-interval over seeds; one seed → the bootstrap interval over examples. Differences are called out only when
# they exceed their own CI (see `lexlab.legalmidm.compare`). Tables, plots and `compare/comparison.md` are logged here.
# %% tags=["parameters"]
run_name = "compare"
seed = 0
scope = "pipeline"        # "pipeline": runs under this stage's parent; "experiment": all of `experiment`; or a run id
experiment = "lexlab"
rouge_tokenizer = "char"  # which ROUGE-L is the headline (never mixed)
ablations = ["format:no_ref", "cpt_mix:legal", "it_mix:legal", "sysprompt_train:no"]  # factor:reference level
register_as = "lexlab-legalmidm-it"  # registered model name for the best variant by avg ("" → do not register)
# %%
import matplotlib.pyplot as plt
import mlflow
from IPython.display import Markdown, display

from lexlab.legalmidm import compare
from lexlab.workbench import tracking

run = tracking.stage_run("compare", {"scope": scope, "rouge_tokenizer": rouge_tokenizer,
                                     "ablations": ",".join(ablations)})
parent = compare.scope_parent(scope, run.info.run_id)
runs = compare.load_eval_runs([experiment], parent_run_id=parent)
print(f"{len(runs)} evaluation runs, {runs['variant'].nunique() if len(runs) else 0} variants")
result = compare.compare(runs, rouge_tokenizer, [tuple(a.split(":", 1)) for a in ablations])
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
# takes a model path also takes `models:/<register_as>@best`.
# %%
from lexlab.legalmidm import registry

registered = registry.register_best(result["runs"], register_as) if register_as else None
if registered and "version" in registered:
    mlflow.set_tags({"lexlab.registered_model": f"{registered['name']}/{registered['version']}",
                     "lexlab.registered_variant": registered["variant"]})
registered

