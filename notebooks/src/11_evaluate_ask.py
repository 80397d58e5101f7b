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
# # 11 · Evaluate `lexlab ask`: retrieval, citations, answers and "not found"
# Answerable questions come from held-out splits with gold articles (law-QA templates on dev/test articles with
# the article number taken out, short title questions, FSC interpretations whose related laws are all in the
# index); unanswerable ones from whole law families removed from the index for this evaluation, plus out-of-scope
# questions (`lexlab.ask.questions`). The "not found" threshold is calibrated on the **dev** questions and every
# number below is on `eval_split` (default `test`), whose held-out laws differ from dev's.
# %% tags=["parameters"]
run_name = "evaluate_ask"
seed = 0
snapshot = "latest"
eval_split = "test"              # test | dev
k = 5
retriever = "bm25"               # any method of lexlab.legalsearchlm.retrieval's registry
retriever_options = ""           # JSON options of that method, e.g. '{"model": "work/retrieval/dense/final"}'
confidence = "normalized"        # normalized | top: the retrieval score the "not found" threshold is set on
max_false_not_found = 0.1        # calibration target on the dev questions
generators = "extractive"        # comma list: extractive, a model path / name, run:RUN_ID
openai_model = ""                # also evaluate openai:<this> (endpoint OPENAI_BASE_URL, key OPENAI_API_KEY)
heldout_fraction = 0.1           # share of law families removed from the index (the unanswerable laws)
max_per_kind = 150               # questions per kind and split (0: all)
retrieval_ablation = True        # measure where BM25 loses recall (tokenizer, title/law weighting, law-first, filler words)
dense_model = ""                 # add a dense retriever (a trained encoder) to the ablation
n_boot = 1000
# %%
import json

import matplotlib.pyplot as plt
import mlflow
import numpy as np
import pandas as pd

from lexlab.ask.answer import AskConfig
from lexlab.ask.calibration import EvalSetup, eval_setup, signals
from lexlab.ask.evaluation import by_kind, evaluate, retrieval_rows
from lexlab.ask.generators import get_generator
from lexlab.ask.retrieve import RetrieverConfig, StatuteRetriever
from lexlab.ask.statute_index import load_statute_index
from lexlab.workbench import tracking

params = {"snapshot": snapshot, "eval_split": eval_split, "k": k, "retriever": retriever,
          "retriever_options": retriever_options, "confidence": confidence,
          "max_false_not_found": max_false_not_found, "generators": generators, "openai_model": openai_model,
          "heldout_fraction": heldout_fraction, "max_per_kind": max_per_kind, "retrieval_ablation": retrieval_ablation,
          "dense_model": dense_model, "n_boot": n_boot, "seed": seed}
run = tracking.stage_run("evaluate_ask", params)
config = AskConfig(k=k, confidence=confidence, max_false_not_found=max_false_not_found,
                   retriever=RetrieverConfig(retriever, json.loads(retriever_options or "{}")))
index = load_statute_index(snapshot)
setup = eval_setup(index, config.retriever, heldout_fraction, max_per_kind, seed)
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
# 제27조") first. The last row is the default of `lexlab ask`.
# %%
ABLATION = [
    ("char2", RetrieverConfig("bm25", {"tokenizer": "char2"}, title_weight=1, law_weight=1, law_first=False,
                              strip_question_words=False)),
    ("+word tokens", RetrieverConfig("bm25", {"tokenizer": "word+char2"}, title_weight=1, law_weight=1,
                                     law_first=False, strip_question_words=False)),
    ("+title x3, law x2", RetrieverConfig("bm25", {"tokenizer": "word+char2"}, law_first=False,
                                          strip_question_words=False)),
    ("+named law first", RetrieverConfig("bm25", {"tokenizer": "word+char2"}, strip_question_words=False)),
    ("+filler words dropped", RetrieverConfig("bm25", {"tokenizer": "word+char2"}, named_articles_first=False)),
    ("+named articles first", RetrieverConfig("bm25", {"tokenizer": "word+char2"})),
]
if dense_model:
    ABLATION.append(("dense", RetrieverConfig("dense", {"model": dense_model}, law_first=False,
                                              named_articles_first=False)))
eval_qs = [q for q in setup.questions if q["split"] == eval_split]
variants = ABLATION if retrieval_ablation else [(retriever, config.retriever)]
recall_rows = []
for name, rcfg in variants:
    variant_setup = EvalSetup(setup.index, StatuteRetriever(setup.index, rcfg), setup.questions, setup.heldout)
    rr = retrieval_rows(variant_setup, eval_qs, k)
    row = {"retriever": name, "recall@k": rr["recall"].mean(), "hit@k": rr["hit"].mean(), "P@1": rr["p_at_1"].mean()}
    row.update({f"recall@k {kind}": v for kind, v in rr.groupby("kind")["recall"].mean().items()})
    recall_rows.append(row)
    mlflow.log_metric(tracking.metric_key(f"retrieval.{name}.recall_at_k"), row["recall@k"])
recall_table = pd.DataFrame(recall_rows).set_index("retriever")
mlflow.log_table(recall_table.reset_index(), "ask/retrieval_ablation.json")
recall_table.round(3)
# %% [markdown]
# ## Answers, citations and "not found", per generator
# %%
gen_specs = [g.strip() for g in generators.split(",") if g.strip()] + ([f"openai:{openai_model}"] if openai_model else [])
results, rows_by_gen = {}, {}
for spec in gen_specs:
    metrics, rows = evaluate(setup, config, get_generator(spec), eval_split, n_boot, seed)
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
# ## The "not found" threshold: both confidence scores on the dev questions
# The threshold is the highest one whose false "not found" rate on answerable dev questions stays within
# `max_false_not_found`; the curve shows what each threshold would trade.
# %%
dev_qs = [q for q in setup.questions if q["split"] == "dev"]
answerable = np.array([q["answerable"] for q in dev_qs])
fig, ax = plt.subplots(figsize=(5, 4))
for kind in ("normalized", "top"):
    _, conf, unknown = signals(setup, dev_qs, k, kind)
    conf, unknown = np.array(conf), np.array(unknown)
    ts = np.unique(np.quantile(conf[answerable], np.linspace(0, 0.6, 61)))
    fnf = [(unknown | (conf < t))[answerable].mean() for t in ts]
    caught = [(unknown | (conf < t))[~answerable].mean() for t in ts]
    ax.plot(fnf, caught, label=kind)
ax.axvline(max_false_not_found, ls="--", c="grey")
ax.set_xlabel("false 'not found' (answerable dev)")
ax.set_ylabel("caught (unanswerable dev)")
ax.legend()
fig.tight_layout()
mlflow.log_figure(fig, "ask/not_found_tradeoff.png")
# %%
cols = ["kind", "question", "found", "cited", "answer", "reason"]
rows_by_gen[first].groupby("kind").head(2)[cols]
