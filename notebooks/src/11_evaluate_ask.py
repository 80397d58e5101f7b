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
# # 11 · Evaluate `lexlab ask`: retrieval, citations, answers and "not found"
# Answerable questions come from held-out splits with gold articles (law-QA templates on dev/test articles with
# the article number taken out, short title questions, FSC interpretations whose related laws are all in the
# index); unanswerable ones from whole law families removed from the index for this evaluation, plus out-of-scope
# questions (`lexlab.ask.questions`). The "not found" threshold is calibrated on the **dev** questions and every
# number below is on `eval_split` (default `test`), whose held-out laws differ from dev's.
# %% tags=["parameters"]
CONFIG = "lexlab.ask.config:EvaluateAskConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import matplotlib.pyplot as plt
import mlflow
from IPython.display import display
import numpy as np
import pandas as pd

from lexlab.ask.calibration import eval_setup
from lexlab.ask.evaluation import (LAY_HEADLINE, ablation_variants, by_kind, evaluate, interval_table, lay_report,
                                   recall_table, threshold_curve)
from lexlab.ask.generators import get_generator
from lexlab.ask.lay_questions import lay_questions
from lexlab.ask.statute_index import load_statute_index
from lexlab.data.snapshot import load_snapshot
from lexlab.workbench import tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("evaluate_ask", cfg)
config = cfg.ask_config()
index = load_statute_index(cfg.snapshot)
setup = eval_setup(index, config.retriever, cfg.heldout_fraction, cfg.max_per_kind, cfg.seed)
questions = pd.DataFrame(setup.questions)
mlflow.log_dict(setup.heldout, "ask/heldout_families.json")
print(f"{len(index)} in-force articles, {len(index.laws)} laws; {len(setup.heldout)} law families held out "
      f"({len(setup.index)} articles left in the evaluation index)")
questions.pivot_table(index="kind", columns="split", values="id", aggfunc="count", fill_value=0)
# %% [markdown]
# ## Retrieval: where BM25 loses recall
# Each row adds one change to the row above, on the answerable `eval_split` questions: the registry's default
# tokenizer (char bigrams), word+bigram tokens, law name and title repeated in the article text, articles of the
# laws a question names first, interrogative filler words dropped, an article the question names ("신용정보법
# 제27조") first. The last row is the default of `lexlab ask` (`lexlab.ask.evaluation.ABLATION`).
# %%
eval_qs = [q for q in setup.questions if q["split"] == cfg.eval_split]
variants = ablation_variants(cfg.dense_model) if cfg.retrieval_ablation else [(cfg.retriever, config.retriever)]
recalls = recall_table(setup, eval_qs, cfg.k, variants)
mlflow.log_metrics({tracking.metric_key(f"retrieval.{name}.recall_at_k"): float(v)
                    for name, v in recalls["recall@k"].items()})
mlflow.log_table(recalls.reset_index(), "ask/retrieval_ablation.json")
recalls.round(3)
# %% [markdown]
# ## Answers, citations and "not found", per generator
# %%
gen_specs = cfg.generator_specs()
results, rows_by_gen = {}, {}
for spec in gen_specs:
    metrics, rows = evaluate(setup, config, get_generator(spec), cfg.eval_split, cfg.n_boot, cfg.seed)
    results[spec], rows_by_gen[spec] = metrics, rows
    mlflow.log_metrics({tracking.metric_key(f"{spec}.{m}"): float(v) for m, v in metrics.items() if np.isfinite(v)})
    mlflow.log_table(rows, f"ask/answers_{tracking.metric_key(spec)}.json")
HEADLINE = ["recall_at_k", "citation_precision", "citation_recall", "rougeL_char", "false_not_found",
            "not_found_recall", "not_found_precision", "flag_rate"]
table = pd.DataFrame({g: {m: f"{r[m]:.3f} [{r[m + '.ci_low']:.3f}, {r[m + '.ci_high']:.3f}]" for m in HEADLINE}
                      for g, r in results.items()}).T
mlflow.log_table(table.reset_index(names="generator"), "ask/summary.json")
first = gen_specs[0]
mlflow.log_metrics({m: float(results[first][m]) for m in HEADLINE if np.isfinite(results[first][m])})
table
# %%
by_kind(rows_by_gen[first]).round(3)
# %% [markdown]
# ## Everyday-language questions
# Questions the project's templates did not write (`lexlab.ask.lay_questions`): each dev/test criminal decision's
# own account of what the accused did, rewritten into everyday words by a documented rule table, gold = the
# decision's applied substantive articles; and a few hand-written dev questions. A question that names no law and
# that the statute text matches poorly is routed through the term map mined from the **train** decisions
# (`lexlab.ask.lay`, `lay_weight`); `lay_weight=0` below is the same pipeline without it. Headline: `hit_at_k`
# (the deciding article among the top k) and `gold_cited` (the deciding article cited; "not found" counts as not),
# next to the same numbers on today's questions.
# %%
if cfg.lay_questions:
    lay_qs = lay_questions(load_snapshot(index.snapshot_path or cfg.snapshot, tables=("decisions",)).decisions, index)
    mlflow.log_dict(lay_qs, "ask/lay_questions.json")
    lay_metrics, lay_rows = lay_report(setup, config, get_generator(first), lay_qs, cfg.eval_split, cfg.n_boot,
                                       cfg.seed)
    for (name, qset), m in lay_metrics.items():
        mlflow.log_metrics({tracking.metric_key(f"lay.{name}.{qset}.{k}"): float(m[k])
                            for k in LAY_HEADLINE + ["n_answerable"] if np.isfinite(m[k])})
    lay_summary = interval_table(lay_metrics, LAY_HEADLINE)
    mlflow.log_table(lay_summary.reset_index(names=["retriever", "questions"]), "ask/lay_summary.json")
    display(lay_summary)
# %%
if cfg.lay_questions and ("lay map", "decision") in lay_rows:
    display(lay_rows[("lay map", "decision")][["question", "found", "cited", "hit", "gold_cited"]].head(10))
# %% [markdown]
# ## The "not found" threshold: both confidence scores on the dev questions
# The threshold is the highest one whose false "not found" rate on answerable dev questions stays within
# `max_false_not_found`; the curve shows what each threshold would trade.
# %%
dev_qs = [q for q in setup.questions if q["split"] == "dev"]
fig, ax = plt.subplots(figsize=(5, 4))
for kind in ("normalized", "top"):
    curve = threshold_curve(setup, dev_qs, cfg.k, kind)
    ax.plot(curve["false_not_found"], curve["caught"], label=kind)
ax.axvline(cfg.max_false_not_found, ls="--", c="grey")
ax.set_xlabel("false 'not found' (answerable dev)")
ax.set_ylabel("caught (unanswerable dev)")
ax.legend()
fig.tight_layout()
mlflow.log_figure(fig, "ask/not_found_tradeoff.png")
# %%
cols = ["kind", "question", "found", "cited", "answer", "reason"]
rows_by_gen[first].groupby("kind").head(2)[cols]
