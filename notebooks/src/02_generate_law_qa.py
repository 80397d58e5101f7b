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
run_name = "law_qa"          # output directory under work/qa/
seed = 0
backend = "template"         # template | openai
base_url = ""                # openai backend: "" → OPENAI_BASE_URL or api.openai.com; e.g. http://127.0.0.1:8000/v1
model = "gpt-4o-mini"        # openai backend: the served model name
api_key_env = "OPENAI_API_KEY"  # name of the environment variable holding the key (not the key)
workers = 4                  # openai backend: parallel requests
max_articles = 0             # 0: every train-split article; N: a seeded sample of N articles
laws = ""                    # comma-separated law names, e.g. 형법,도로교통법; empty: all laws
kinds = "penalty,number_cloze,definition,which_article,title"  # template kinds
per_kind = 2                 # at most this many items of each kind per article
include_interpretations = True
ngram = 3                    # verifier: character n-gram size
min_containment = 0.6        # verifier: share of the answer's n-grams that must be in the article
neighbours = 2               # verifier: compare with ±k articles of the same law
min_margin = 0.0             # verifier: own support must exceed the best neighbour's by more than this
snapshot = "latest"
# %%
import mlflow

from lexlab.data.snapshot import load_snapshot
from lexlab.legalmidm.qa import generate as law_qa, report
from lexlab.legalmidm.qa.verify import VerifyConfig
from lexlab.models.llm_client import LLMClient
from lexlab.workbench import paths, tracking

run = tracking.stage_run("generate_law_qa", {
    "backend": backend, "max_articles": max_articles, "laws": laws, "kinds": kinds, "per_kind": per_kind,
    "include_interpretations": include_interpretations, "ngram": ngram, "min_containment": min_containment,
    "neighbours": neighbours, "min_margin": min_margin, "snapshot": snapshot, "workers": workers,
})
snap = load_snapshot(None if snapshot == "latest" else snapshot, tables=("statutes", "interpretations"))
mlflow.set_tag("lexlab.snapshot", snap.manifest.get("version", snapshot))
client = None
if backend == "openai":
    client = LLMClient(base_url=base_url or None, model=model, api_key_env=api_key_env)
    tracking.log_params(client.params())  # endpoint, model, sampling: never the key
out_dir = paths.work_dir("qa", run_name)
# %%
stats = law_qa.run_stage(
    snap.statutes, snap.interpretations, out_dir, backend=backend, client=client,
    include_interpretations=include_interpretations,
    verify_cfg=VerifyConfig(ngram=ngram, min_containment=min_containment, neighbours=neighbours,
                            min_margin=min_margin),
    laws=laws or None, max_articles=max_articles, seed=seed, kinds=[k.strip() for k in kinds.split(",") if k.strip()],
    per_kind=per_kind, workers=workers,
)
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
