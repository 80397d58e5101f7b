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
# # 02 · Generate law QA
# (question, answer, reference) triples from the **train-split** statute articles of the snapshot, plus FSC law
# interpretations as human-written items. Every item passes the verifier (`lexlab.legalmidm.qa.verify`): cited law and
# article exist, numbers with units in the answer occur in the article, the answer's character n-grams are mostly
# in the article, and the article supports the answer better than its neighbours. Rejects are kept in
# `rejected.jsonl` with their reason.
#
# - `backend = "template"`: deterministic and offline (penalties, number cloze, definitions, which-article,
#   article title).
# - `backend = "openai"`: any OpenAI-compatible endpoint (`base_url`, `model`). The API key is read from the
#   environment variable named by `api_key_env` inside the client: it is never a parameter, never logged.
#   Answers are cached on disk (`work/cache/llm`), so a re-run pays nothing.
#
# Output: `work/qa/<run_name>/{accepted,rejected}.jsonl` and `stats.json` (stage 04 reads `accepted.jsonl`).
# %% tags=["parameters"]
CONFIG = "lexlab.legalmidm.qa.config:LawQAConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import mlflow

from lexlab.data.snapshot import load_snapshot
from lexlab.legalmidm.qa import generate as law_qa, report
from lexlab.workbench import paths, tracking
from lexlab.workbench.config import stage_config

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("generate_law_qa", cfg)
snap = load_snapshot(None if cfg.snapshot == "latest" else cfg.snapshot, tables=("statutes", "interpretations"))
mlflow.set_tag("lexlab.snapshot", snap.manifest.get("version", cfg.snapshot))
client = cfg.client()
if client is not None:
    tracking.log_params(client.params())  # endpoint, model, sampling: never the key
out_dir = paths.work_dir("qa", cfg.run_name)
# %%
stats = law_qa.run_stage(snap.statutes, snap.interpretations, out_dir, backend=cfg.backend, client=client,
                         include_interpretations=cfg.include_interpretations, verify_cfg=cfg.verify_config(),
                         **cfg.generation_options())
mlflow.log_metrics(report.metrics(stats))
mlflow.log_artifact(str(out_dir / "stats.json"))
mlflow.log_artifact(str(out_dir / "rejected.jsonl"))
mlflow.set_tag("lexlab.qa_dir", str(out_dir))
print(f"{stats['n_accepted']} accepted, {stats['n_rejected']} rejected from {stats['n_articles_used']} "
      f"train-split articles in {stats['total_s']:.1f} s → {out_dir}")
# %% [markdown]
# ## Items by source and verifier verdict ("ok" = accepted)
# %%
table = report.reason_table(stats)
mlflow.log_table(table.reset_index(), "qa/by_source_reason.json")
table
# %%
report.kind_table(stats)
# %%
fig = report.plot_reject_reasons(stats)
mlflow.log_figure(fig, "plots/reject_reasons.png")
# %% [markdown]
# ## A few accepted items and a few rejects
# %%
accepted_sample = report.sample_frame(out_dir / "accepted.jsonl", 200)
mlflow.log_table(accepted_sample, "qa/accepted_sample.json")
accepted_sample.head(8)
# %%
report.sample_frame(out_dir / "rejected.jsonl", 12)
