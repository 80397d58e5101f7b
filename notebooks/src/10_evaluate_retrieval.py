# %% [markdown]
# # 10 · Evaluate case retrieval: BM25 vs dense vs LegalSearchLM
# On the LEGAR-style benchmark of notebook 08: P@5 overall and per crime category (the layout of the paper's
# Table 3/4), wall times, and the LegalSearchLM variants of notebook 09 side by side. BM25 is tuned (tokenizer,
# k1, b) on the **dev** queries and every method is scored on `eval_split` (default `test`), so the baseline is
# not a straw man and no method is tuned on the queries it is scored on. A query never retrieves itself or its
# own appeal chain (`exclude`).
# %% tags=["parameters"]
run_name = "evaluate_retrieval"
seed = 0
benchmark = "legar"                # work/legar/<benchmark>/
qrels_kind = "standard"            # standard | stricter
eval_split = "test"                # test | dev | all
max_queries = 0                    # 0: every query of the split; N: a seeded sample (for quick runs)
k = 5
methods = "bm25,dense,searchlm"
bm25_tune = True
bm25_tokenizers = "word,char2,word+char2"
bm25_options = ""                  # JSON; used when bm25_tune is False (e.g. '{"tokenizer": "word", "k1": 3, "b": 1}')
dense_model = ""                   # HF / sentence-transformers path; empty: train one (work/retrieval/<dense_name>)
dense_name = "dense"
dense_steps = 300
searchlm_models = "searchlm"       # comma list: names under work/retrieval/ (notebook 09's model_name) or paths
num_beams = 10
max_new_tokens = 8
searchlm_anchor = "off"            # off | on | both: also decode with spans anchored on query words (our addition)
# %%
import json
import random
import re
import time
from pathlib import Path

import matplotlib.pyplot as plt
import mlflow
import pandas as pd

from lexlab.workbench import paths, tracking
from lexlab.legalsearchlm.retrieval import get_retriever, read_jsonl_records, read_trec_qrels, write_trec_run, Retriever
from lexlab.legalsearchlm.retrieval.evaluation import evaluate_by_category, ood_breakdown, p5_by_category

run = tracking.stage_run("evaluate_retrieval", {
    "benchmark": benchmark, "qrels_kind": qrels_kind, "eval_split": eval_split, "max_queries": max_queries, "k": k,
    "methods": methods, "bm25_tune": bm25_tune, "bm25_tokenizers": bm25_tokenizers, "dense_model": dense_model,
    "dense_steps": dense_steps, "searchlm_models": searchlm_models, "num_beams": num_beams,
    "max_new_tokens": max_new_tokens, "searchlm_anchor": searchlm_anchor, "seed": seed})
bdir = paths.work_dir("legar", benchmark)
corpus = read_jsonl_records(bdir / "corpus.jsonl")
queries = read_jsonl_records(bdir / "queries.jsonl")
qrels = read_trec_qrels(bdir / f"qrels.{qrels_kind}.trec")
if not qrels:
    raise ValueError(f"{bdir}/qrels.{qrels_kind}.trec is empty")
dev = [q for q in queries if q.get("split") == "dev"]
evalq = queries if eval_split == "all" else [q for q in queries if q.get("split") == eval_split]
if max_queries and len(evalq) > max_queries:
    evalq = random.Random(seed).sample(evalq, max_queries)
categories = {q["id"]: q.get("category", "(none)") for q in queries}
out_dir = paths.work_dir("retrieval", "runs", run_name)
wanted = [m.strip() for m in methods.split(",") if m.strip()]
runs, timings = {}, []
print(f"{len(corpus)} candidates, {len(dev)} dev queries, {len(evalq)} {eval_split} queries")
# %% [markdown]
# ## BM25, tuned on dev
# %%
if "bm25" in wanted:
    from lexlab.legalsearchlm.retrieval.bm25 import tune_bm25

    t0 = time.time()
    if bm25_tune:
        best, grid = tune_bm25(corpus, dev, qrels, tokenizers=[t.strip() for t in bm25_tokenizers.split(",")])
        grid = pd.DataFrame(grid)
        mlflow.log_table(grid, "retrieval/bm25_grid.json")
    else:
        best, grid = json.loads(bm25_options or "{}"), None
    t_tune = time.time() - t0
    mlflow.log_dict(best, "retrieval/bm25_options.json")
    t0 = time.time()
    bm25 = get_retriever("bm25", **best).index(corpus)
    t_index = time.time() - t0
    t0 = time.time()
    runs["bm25"] = bm25.search(evalq, k)
    timings.append({"method": "bm25", "tune_s": t_tune, "train_s": 0.0, "index_s": t_index,
                    "search_s": time.time() - t0})
    print("BM25 options:", best)
grid.pivot_table(index=["tokenizer", "k1"], columns="b", values="P@5") if bm25_tune and "bm25" in wanted else None
# %% [markdown]
# ## Dense (Contriever-style, unsupervised on the corpus)
# %%
if "dense" in wanted:
    from lexlab.legalsearchlm.retrieval.dense import train_dense

    t0 = time.time()
    model_path = dense_model
    if not model_path:
        meta = train_dense(corpus, paths.work_dir("retrieval", dense_name), max_steps=dense_steps, seed=seed)
        model_path = str(paths.work_dir("retrieval", dense_name) / "final")
        mlflow.log_metrics({f"dense_{k_}": float(v) for k_, v in meta.items() if isinstance(v, (int, float))})
    t_train = time.time() - t0
    t0 = time.time()
    dense = get_retriever("dense", model=model_path).index(corpus)
    t_index = time.time() - t0
    t0 = time.time()
    runs["dense"] = dense.search(evalq, k)
    timings.append({"method": "dense", "tune_s": 0.0, "train_s": t_train, "index_s": t_index,
                    "search_s": time.time() - t0})
# %% [markdown]
# ## LegalSearchLM (FM-index-constrained span generation, SEAL-style ranking)
# %%
spans_log = []
ood = {}
if "searchlm" in wanted:
    for name in [m.strip() for m in searchlm_models.split(",") if m.strip()]:
        mdir = Path(name) if Path(name).exists() else paths.work_dir("retrieval", name) / "final"
        meta = json.loads((mdir / "searchlm.json").read_text()) if (mdir / "searchlm.json").exists() else {}
        label = f"searchlm[{meta.get('variant', name)}]" if len(searchlm_models.split(",")) > 1 else "searchlm"
        idx_dir = mdir.parent / f"index_{benchmark}"
        t0 = time.time()
        if (idx_dir / "retriever.json").exists():
            slm = Retriever.load(idx_dir)
            slm.options.update(model=str(mdir))
        else:
            slm = get_retriever("searchlm", model=str(mdir)).index(corpus)
            slm.save(idx_dir)
        t_index = time.time() - t0
        mode = {True: "on", False: "off"}.get(searchlm_anchor, searchlm_anchor)  # `-p x=on` may arrive as a bool
        for anchor in {"off": [False], "on": [True], "both": [False, True]}[str(mode)]:
            name_a = label + ("+qanchor" if anchor else "")
            slm.options.update(num_beams=num_beams, max_new_tokens=max_new_tokens, first_token_from_query=anchor)
            t0 = time.time()
            runs[name_a] = slm.search(evalq, k)
            timings.append({"method": name_a, "tune_s": 0.0, "train_s": float(meta.get("seconds_train", 0.0)),
                            "index_s": t_index, "search_s": time.time() - t0})
            for q in evalq[:20]:
                spans_log.append({"method": name_a, "query": q["id"], "category": q.get("category"),
                                  "spans": " | ".join(f"{s.text.strip()} ({s.count})"
                                                      for s in slm.last_spans[q["id"]][:8])})
            if meta.get("train_category"):
                ood[name_a] = meta["train_category"]
pd.DataFrame(spans_log).head(10)
# %% [markdown]
# ## P@5 overall and per category
# %%
evalq_ids = {q["id"] for q in evalq}
from lexlab.legalsearchlm.retrieval import trec_id

eval_qrels = {q: r for q, r in qrels.items() if q in {trec_id(x) for x in evalq_ids}}
tables = {}
for name, r in runs.items():
    write_trec_run(r, out_dir / f"{name}.trec", tag=name)
    mlflow.log_artifact(str(out_dir / f"{name}.trec"), "retrieval/runs")
    rows = evaluate_by_category(eval_qrels, r, categories, ["P@5", "nDCG@10" if k >= 10 else "nDCG@5", "R@5"])
    tables[name] = pd.DataFrame(rows).set_index("category")
    overall = tables[name].loc["ALL"]
    safe = re.sub(r"[^0-9A-Za-z_.-]+", "_", name).strip("_")  # MLflow metric names: no "@" or brackets
    mlflow.log_metrics({f"{safe}.P_at_5": float(overall["P@5"]), f"{safe}.R_at_5": float(overall["R@5"])})
p5 = p5_by_category(tables)
mlflow.log_table(p5.reset_index(), "retrieval/p5_by_category.json")
p5.round(3)
# %%
timing = pd.DataFrame(timings).set_index("method")
timing["P@5"] = [float(tables[m].loc["ALL", "P@5"]) for m in timing.index]
mlflow.log_table(timing.reset_index(), "retrieval/timings.json")
timing.round(2)
# %% [markdown]
# ## Out-of-distribution: a model trained on one category, scored in and outside it
# %%
pd.DataFrame(ood_breakdown(tables, ood))
# %%
plot = p5.drop(columns="n")
plot = plot[p5["n"] >= 3] if (p5["n"] >= 3).sum() > 1 else plot
fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(plot)), 3.5))
plot.plot.bar(ax=ax)
ax.set_ylabel("P@5")
ax.set_title(f"P@5 by category ({eval_split}, {qrels_kind} relevance)")
fig.tight_layout()
mlflow.log_figure(fig, "retrieval/p5_by_category.png")
if spans_log:
    mlflow.log_table(pd.DataFrame(spans_log), "retrieval/searchlm_spans.json")
