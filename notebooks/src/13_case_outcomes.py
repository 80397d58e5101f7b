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
# # 13 · Cited outcome prediction over court decisions (RAG over case law)
# Each held-out decision (the `split` of `lexlab.data.splits`, appeal chains kept together) becomes a question
# without its answer: instance, case type and title, the legal issue (판시사항 without (적극)/(소극), or the grounds
# of appeal) and the facts, with every sentence that states the outcome and the 주문 removed; the leak is measured.
# Precedents are retrieved from the decisions **decided before it**, never itself or its appeal chain (BM25 and a
# LanceDB vector store through the retrieval registry). Systems: the training split's majority class, the majority
# of the question's instance, the score-weighted vote of the retrieved precedents' outcomes per retriever, and an
# `openai:` model when `llm_model` is set. Every citation's passage is checked verbatim against the cited decision.
# %% tags=["parameters"]
CONFIG = "lexlab.caselaw.config:CaseOutcomeConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import time

import matplotlib.pyplot as plt
import mlflow
import pandas as pd

from lexlab.caselaw import evaluation, stage
from lexlab.caselaw.triplets import build_triplets
from lexlab.data import snapshot as snapshot_mod
from lexlab.workbench import paths, tracking
from lexlab.workbench.config import stage_config
from lexlab.workbench.io import write_jsonl

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("case_outcomes", cfg)
t_start = time.time()
snap = snapshot_mod.load_snapshot(paths.snapshot_dir(cfg.snapshot), tables=("decisions",))
version = snap.manifest.get("version", cfg.snapshot)
mlflow.set_tag("lexlab.snapshot", version)
out_dir = paths.work_dir("caselaw", cfg.run_name)
# %% [markdown]
# ## Questions and their leak
# `leak_rate`: questions that still hold an outcome word (기각, 파기, 환송 …), a (적극)/(소극) marker or the 주문
# verbatim — the goal is zero; a question that leaks is dropped (`leaked_dropped`), never asked.
# %%
setup = stage.prepare(snap.decisions, cfg)
mlflow.log_metrics({f"questions.{k}": float(v) for k, v in setup.leak.items()})
pd.DataFrame([{**setup.leak, "majority": setup.majority[0], "majority_share": round(setup.majority[1], 3)}])
# %%
setup.questions.groupby(["instance", "outcome"]).size().unstack(fill_value=0)
# %% [markdown]
# ## Systems on the held-out questions
# Accuracy counts "not found" as wrong; intervals are the project's bootstrap (95 %); `accuracy_minus_majority`
# is paired with the majority class on the same questions.
# %%
rows, answers = stage.run_systems(setup, cfg, version)
majority_rows = rows[rows["system"] == "majority"]
summary = pd.DataFrame({name: evaluation.summarize(g, majority_rows)
                        for name, g in rows.groupby("system", sort=False)}).T
for name, metrics in summary.iterrows():
    mlflow.log_metrics({f"{name}.{tracking.metric_key(k)}": float(v) for k, v in metrics.items() if pd.notna(v)})
mlflow.log_table(summary.reset_index(names="system"), "caselaw/summary.json")
summary.round(3)
# %% [markdown]
# ## Does anything beat the majority class? And the instance's majority?
# %%
best = f"vote_{cfg.retriever_names()[0]}"
vs = {ref: evaluation.difference(rows[rows["system"] == best], rows[rows["system"] == ref])
      for ref in ("majority", "instance_majority")}
verdict = pd.DataFrame([{"system": best, "reference": ref, "accuracy difference": d, "ci_low": lo, "ci_high": hi,
                         "beats it": lo > 0} for ref, (d, lo, hi) in vs.items()])
head = summary.loc[best]
tracking.log_headline({"accuracy": head["accuracy"], "macro_f1": head["macro_f1"],
                       "majority_accuracy": summary.loc["majority", "accuracy"],
                       "accuracy_minus_majority": vs["majority"][0], "citation_validity": head["citation_validity"],
                       "leak_rate": setup.leak["leak_rate"]},
                      description=f"case outcomes ({cfg.split}, {len(setup.questions)} questions): {best} accuracy "
                      f"{head['accuracy']:.3f} vs majority {summary.loc['majority', 'accuracy']:.3f}")
verdict.round(3)
# %% [markdown]
# ## Per category
# %%
categories = pd.concat([evaluation.by_category(rows, c).rename(columns={c: "value"}).assign(category=c)
                        for c in ("instance", "case_type", "gold")], ignore_index=True)
mlflow.log_table(categories, "caselaw/categories.json")
categories.pivot_table(index=["category", "value"], columns="system", values="accuracy").round(3)
# %% [markdown]
# ## Calibration of the vote's confidence (answered questions)
# %%
fig, ax = plt.subplots(figsize=(5, 4))
ax.plot([0, 1], [0, 1], ls="--", c="grey", label="perfect")
for name in (n for n in rows["system"].unique() if n.startswith(("vote", "openai"))):
    cal = evaluation.calibration(rows[rows["system"] == name])
    ax.plot(cal["confidence"], cal["accuracy"], marker="o", label=name)
ax.set_xlabel("confidence")
ax.set_ylabel("accuracy")
ax.legend()
fig.tight_layout()
mlflow.log_figure(fig, "caselaw/calibration.png")
# %% [markdown]
# ## Answers (the JSON of `lexlab ask --over cases`)
# %%
for name, records in answers.items():
    write_jsonl(records, out_dir / f"answers.{name}.jsonl")
    mlflow.log_artifact(str(out_dir / f"answers.{name}.jsonl"), artifact_path="caselaw")
pd.DataFrame(answers[best][:3])[["id", "outcome", "confidence", "answer", "citations", "flags"]]
# %% [markdown]
# ## Fine-tuning triplets (question, answer, citation) from the training split
# %%
triplets = build_triplets(setup.caselaw, setup.train, cfg.max_triplets, cfg.seed) if cfg.triplets else []
if triplets:
    write_jsonl(triplets, out_dir / "triplets.train.jsonl")
    mlflow.log_artifact(str(out_dir / "triplets.train.jsonl"), artifact_path="caselaw")
mlflow.log_metric("triplets", len(triplets))
pd.DataFrame(triplets[:3])
# %%
setup.seconds["total"] = time.time() - t_start
mlflow.log_metrics({f"seconds.{k}": v for k, v in setup.seconds.items()})
pd.Series(setup.seconds, name="seconds").round(1).to_frame()
