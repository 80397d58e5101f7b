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
# # 14 · Sensitive-document review (비실명화) with a human in the loop
# Review documents are passages of the project's decisions. **The positives are inserted**: published decisions
# are already masked (피고인 A, 공소외 1) and no public source of unmasked ones exists, so a seeded share of
# passages gets invented names in place of a mask, or a sentence with an invented 주민등록번호, phone number,
# address or account number. Hard negatives (judges and officials named in their role, public bodies in
# statutes, case and statute numbers, dates, amounts) go into every kind of passage and must pass. Split by
# appeal chain. Or bring your own JSONL (`input_path`).
#
# Stage 1 (rules + character n-grams → logistic regression) is thresholded on dev for recall; stage 2 is a span
# model fine-tuned from several seeds through the shared trainer, whose spread is the uncertainty; routing sends
# the uncertain to a human, whose queue `lexlab review serve --name <name>` opens.
# %% tags=["parameters"]
CONFIG = "lexlab.review.config:ReviewConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import time

import matplotlib.pyplot as plt
import mlflow
import numpy as np
import pandas as pd

from lexlab.review import dataset, ensemble, pipeline, routing, triage
from lexlab.review.store import ReviewStore
from lexlab.workbench import tracking
from lexlab.workbench.config import stage_config
from lexlab.workbench.stats import bootstrap_ci

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("review", cfg)
t0 = time.time()
docs = pipeline.load_documents(cfg)
parts = pipeline.split_docs(docs)
summary = pd.DataFrame(dataset.summary(docs)).set_index("split").fillna(0).astype(int)
mlflow.log_table(summary.reset_index(), "review/data_summary.json")
summary
# %% [markdown]
# ## Stage 1: triage (recall first)
# %%
stage1, scores = pipeline.fit_triage(parts, cfg)
y = {s: np.asarray(dataset.labels(parts[s])) for s in ("dev", "test")}
passed_test = stage1.passes(scores["test"])
s1 = triage.recall_and_pass_rate(passed_test, y["test"])
s1_ci = bootstrap_ci(passed_test[y["test"] == 1].astype(float))
mlflow.log_metrics({"stage1_threshold": stage1.threshold, "stage1_test_recall": s1["recall"],
                    "stage1_test_pass_rate": s1["pass_rate"]})
pd.DataFrame([{"threshold (dev)": stage1.threshold, **s1, "recall 95% CI": f"{s1_ci[1]:.3f}–{s1_ci[2]:.3f}",
               "test positives": int(y["test"].sum()), "test documents": len(y["test"])}])
# %% [markdown]
# ## Stage 2: span model ensemble (one member per seed)
# %%
tokenizer, results = pipeline.fit_ensemble(parts, cfg)
preds = pipeline.predict(parts, results, tokenizer, cfg)
members = pd.DataFrame([{"seed": s, **{k: v for k, v in r.summary().items() if k != "final_dir"}}
                        for s, r in zip(cfg.seed_list(), results)])
mlflow.log_metrics({"stage2_train_seconds": float(members["train_seconds"].sum())})
members
# %%
test_pred = preds["test"]
withheld = (test_pred.p - cfg.uncertainty_k * test_pred.uncertainty >= cfg.withhold_threshold) & passed_test
doc_precision = bootstrap_ci(y["test"][withheld].astype(float))
span_all = ensemble.span_scores(test_pred.spans, [d["spans"] for d in parts["test"]])
span_pos = ensemble.span_scores([s for s, yy in zip(test_pred.spans, y["test"]) if yy],
                                [d["spans"] for d in parts["test"] if d["spans"]])
stage2 = {"doc_precision_withheld": doc_precision[0], "withheld_docs": int(withheld.sum()),
          "span_precision": span_all["span_precision"], "span_recall": span_all["span_recall"],
          "span_precision_on_positives": span_pos["span_precision"]}
mlflow.log_metrics({f"stage2_{k}": float(v) for k, v in stage2.items()})
pd.DataFrame([{**stage2, "doc precision 95% CI": f"{doc_precision[1]:.3f}–{doc_precision[2]:.3f}"}])
# %% [markdown]
# ## Routing: recall, precision and the human's share over the release threshold (test)
# %%
inputs = pipeline.routing_inputs(parts, stage1, scores, preds)
curve = pd.DataFrame(routing.curve(inputs["test"]["passed"], inputs["test"]["p"], inputs["test"]["u"],
                                   inputs["test"]["y"], cfg.withhold_threshold, cfg.uncertainty_k))
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.plot(curve["release"], curve["recall"], label="recall (withheld or reviewed)")
ax.plot(curve["release"], curve["human_share"], label="share a human reads")
ax.plot(curve["release"], curve["withheld_precision"], label="precision of auto-withheld", alpha=0.7)
ax.set_xlabel("release threshold on p + k·uncertainty")
ax.set_ylim(0, 1.02)
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
mlflow.log_figure(fig, "review/routing_curve.png")
mlflow.log_table(curve, "review/routing_curve.json")
# %% [markdown]
# ## The human's workload at a target recall (thresholds picked on dev, measured on test)
# %%
work = pd.DataFrame(pipeline.workloads(parts, stage1, scores, preds, cfg))
mlflow.log_table(work, "review/workload.json")
headline = {"stage1_recall": s1["recall"], "stage2_doc_precision": stage2["doc_precision_withheld"],
            "stage2_span_precision": stage2["span_precision"]}
for row in work.to_dict("records"):
    tag = f"{row['target_recall']:g}".replace(".", "_")
    headline[f"human_share_at_recall_{tag}"] = row["human_share"]
    headline[f"recall_at_target_{tag}"] = row["recall"]
tracking.log_headline(headline, description=f"review {cfg.name}: stage-1 recall {s1['recall']:.3f}, "
                      f"stage-2 span precision {stage2['span_precision']:.3f}")
work
# %% [markdown]
# ## The human queue (what `lexlab review serve` shows), most uncertain first
# %%
routes = routing.route(inputs[cfg.queue_split]["passed"], inputs[cfg.queue_split]["p"],
                       inputs[cfg.queue_split]["u"], float(work["release"].iloc[0]), cfg.withhold_threshold,
                       cfg.uncertainty_k)
model_version = f"{cfg.name}@{run.info.run_id[:12]}"
store = ReviewStore(pipeline.out_dir(cfg) / "review.db")
queued = pipeline.queue_documents(store, parts[cfg.queue_split], preds[cfg.queue_split], routes, model_version,
                                  cfg.queue_span_threshold)
mlflow.log_metrics({"queued_documents": queued, "stage_seconds": time.time() - t0})
mlflow.set_tag("lexlab.review_db", str(store.path))
queue = pd.DataFrame(store.queue())[["doc_id", "p", "uncertainty", "model_version"]]
store.close()
queue.head(10)
