"""Notebook 10's comparison: BM25 (tuned on dev), dense and LegalSearchLM on the same benchmark queries.

`evaluate_methods` builds or loads each method's index (training a dense model when none is given), times
tuning, training, indexing and search, and returns the runs; `score_runs` scores them per crime category
(`lexlab.legalsearchlm.retrieval.report` turns them into the notebook's tables, figure and per-method runs).
"""
from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping, Sequence

import pandas as pd

from lexlab.legalsearchlm.retrieval.base import Retriever, get_retriever, load_or_index
from lexlab.legalsearchlm.retrieval.dense_train import DenseConfig
from lexlab.legalsearchlm.retrieval.evaluation import evaluate_by_category
from lexlab.models.naming import resolve_model
from lexlab.workbench import paths
from lexlab.workbench.config import check_choices, check_non_negative, check_positive
from lexlab.workbench.io import Qrels, Run, trec_id, write_trec_run

METHODS = ("bm25", "dense", "searchlm", "hybrid")  # hybrid: our addition, BM25 + LegalSearchLM fused
Anchor = Literal["off", "on", "both"]
_ANCHORS: dict[str, list[bool]] = {"off": [False], "on": [True], "both": [False, True]}


def _names(value: str | Sequence[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    return [x.strip() for x in items if x.strip()]


@dataclass
class EvaluationConfig:
    """Stage 10's parameters (notebook 10, its YAMLs): what it compares and on which queries. Comma-separated
    strings are accepted wherever a list is."""

    run_name: str = "evaluate_retrieval"    # TREC run files go to work/retrieval/runs/<run_name>/
    methods: str | Sequence[str] = METHODS  # bm25 | dense | searchlm | hybrid (hybrid: our addition)
    k: int = 5
    benchmark: str = "legar"                # work/legar/<benchmark>/; LegalSearchLM indexes: <model>/../index_<benchmark>
    qrels_kind: Literal["standard", "stricter"] = "standard"  # the relevance of the tables and the figure
    eval_split: Literal["test", "dev", "all"] = "test"        # the scored queries (BM25 is tuned on dev)
    max_queries: int = 0                    # 0: every query of the split; N: a seeded sample (quick runs)
    seed: int = 0
    bm25_tune: bool = True                  # tune tokenizer, k1, b on dev; False: bm25_options over the tuned defaults
    bm25_tokenizers: str | Sequence[str] = ("word", "char2", "word+char2")
    bm25_options: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"tokenizer": "word", "k1": 3, "b": 1}
    dense_model: str = ""                   # HF / sentence-transformers path; empty: train one (work/retrieval/<dense_name>)
    dense_name: str = "dense"
    dense_steps: int = DenseConfig.max_steps  # when a dense model is trained here
    searchlm_models: str | Sequence[str] = ("searchlm",)  # names under work/retrieval/ (notebook 09's model_name) or paths
    num_beams: int = 10
    max_new_tokens: int = 8
    searchlm_anchor: Anchor = "off"         # also decode with spans anchored on query words (our addition)
    hybrid_depth: int = 100                 # hybrid: candidates fused from each of BM25 and LegalSearchLM
    oracle: bool = True                     # also rank with each query's own elements (perfect generation): the bound
    learning_curve: str = "benchmarks/results/searchlm_learning_curve.json"  # committed reference shown ("" : none)

    def __post_init__(self):
        if isinstance(self.bm25_options, str):  # -p bm25_options='{"k1": 3}' or a JSON string from an old YAML
            self.bm25_options = json.loads(self.bm25_options or "{}")
        check_non_negative(self, "max_queries")
        check_positive(self, "k", "num_beams", "max_new_tokens", "hybrid_depth", "dense_steps")
        self.methods = _names(self.methods)
        if "hybrid" in self.methods:  # fuses the runs of both
            self.methods = list(dict.fromkeys([m for m in self.methods if m != "hybrid"] + ["bm25", "searchlm",
                                                                                           "hybrid"]))
        unknown = sorted(set(self.methods) - set(METHODS))
        if unknown:
            raise ValueError(f"unknown method(s) {unknown}; choose from {list(METHODS)}")
        self.bm25_tokenizers = _names(self.bm25_tokenizers)
        self.searchlm_models = _names(self.searchlm_models)
        if isinstance(self.searchlm_anchor, bool):  # YAML reads `on` as True
            self.searchlm_anchor = "on" if self.searchlm_anchor else "off"
        if self.searchlm_anchor not in _ANCHORS:
            raise ValueError(f"searchlm_anchor must be one of {list(_ANCHORS)}, not {self.searchlm_anchor!r}")
        check_choices(self)


@dataclass
class Evaluation:
    """Runs by method name (in the order bm25, dense, searchlm variants) and what it took to make them."""

    runs: dict[str, Run] = field(default_factory=dict)
    timings: list[dict] = field(default_factory=list)   # method, tune_s, train_s, index_s, search_s
    bm25_options: dict | None = None
    bm25_grid: pd.DataFrame | None = None
    dense_training: dict = field(default_factory=dict)  # the trainer's summary when a dense model was trained
    spans: list[dict] = field(default_factory=list)     # LegalSearchLM's spans for the first 20 queries
    trained_on: dict[str, str] = field(default_factory=dict)  # method → the one category its model saw
    diversity: dict[str, dict] = field(default_factory=dict)  # method → span diversity over all its queries
    model_dirs: dict[str, str] = field(default_factory=dict)  # method → the model it ran (dense, searchlm)
    collapse: dict[str, dict] = field(default_factory=dict)  # LegalSearchLM method → its collapse flag (diagnostics)

    def add(self, name: str, run: Run, search_s: float, **seconds: float) -> None:
        self.runs[name] = run
        self.timings.append({"method": name, "tune_s": seconds.get("tune_s", 0.0),
                             "train_s": seconds.get("train_s", 0.0), "index_s": seconds["index_s"],
                             "search_s": search_s})


def split_queries(queries: Sequence[dict], eval_split: str, max_queries: int = 0,
                  seed: int = 0) -> tuple[list[dict], list[dict]]:
    """(dev queries to tune on, queries to score): ``eval_split`` test | dev | all; ``max_queries`` > 0 keeps a
    seeded sample of the scored ones."""
    dev = [q for q in queries if q.get("split") == "dev"]
    scored = list(queries) if eval_split == "all" else [q for q in queries if q.get("split") == eval_split]
    if max_queries and len(scored) > max_queries:
        scored = random.Random(seed).sample(scored, max_queries)
    return dev, scored


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.time()
    out = fn()
    return out, time.time() - t0


def evaluate_methods(corpus: Sequence[dict], dev: Sequence[dict], queries: Sequence[dict], qrels: Qrels,
                     config: EvaluationConfig) -> Evaluation:
    """Run every method of ``config`` on ``queries`` (BM25 tuned on ``dev``); see `Evaluation`."""
    ev = Evaluation()
    if "bm25" in config.methods:
        _bm25(ev, corpus, dev, queries, qrels, config)
    if "dense" in config.methods:
        _dense(ev, corpus, queries, config)
    if "searchlm" in config.methods:
        for name in config.searchlm_models:
            _searchlm(ev, name, corpus, queries, config)
    if "hybrid" in config.methods:
        _hybrid(ev, config)
    return ev


def _depth(config: EvaluationConfig) -> int:
    """How deep BM25 and LegalSearchLM rank: ``k``, or the fusion depth when the hybrid is asked for."""
    return max(config.k, config.hybrid_depth) if "hybrid" in config.methods else config.k


def _hybrid(ev: Evaluation, config: EvaluationConfig) -> None:
    """Reciprocal-rank fusion of the BM25 run with each LegalSearchLM run at the hybrid's default weights (our
    addition, not the paper's)."""
    from lexlab.legalsearchlm.retrieval.hybrid import DEFAULT_WEIGHTS, fuse

    bm25 = ev.runs["bm25"]
    for name in [n for n in list(ev.runs) if n.startswith("searchlm")]:
        slm = ev.runs[name]
        (run, t) = _timed(lambda: {q: fuse([bm25[q], slm.get(q, [])], DEFAULT_WEIGHTS, "rrf", k=config.k)
                                   for q in bm25})
        ev.add(name.replace("searchlm", "hybrid", 1), run, t, index_s=0.0)


def _bm25(ev: Evaluation, corpus, dev, queries, qrels: Qrels, config: EvaluationConfig) -> None:
    if config.bm25_tune:
        from lexlab.legalsearchlm.retrieval.bm25 import tune_bm25

        (best, grid), t_tune = _timed(lambda: tune_bm25(corpus, dev, qrels, tokenizers=config.bm25_tokenizers))
        ev.bm25_grid = pd.DataFrame(grid)
    else:
        best, t_tune = dict(config.bm25_options), 0.0
    bm25, t_index = _timed(lambda: get_retriever("bm25", **best).index(corpus))
    ev.bm25_options = dict(bm25.options)  # what ran: the tuned defaults where nothing was given
    run, t_search = _timed(lambda: bm25.search(queries, _depth(config)))
    ev.add("bm25", run, t_search, tune_s=t_tune, index_s=t_index)


def _dense(ev: Evaluation, corpus, queries, config: EvaluationConfig) -> None:
    def model_path() -> str:
        if config.dense_model:
            return resolve_model(config.dense_model)
        from lexlab.legalsearchlm.retrieval.training import train_model

        path, ev.dense_training = train_model("dense", corpus, paths.work_dir("retrieval", config.dense_name),
                                              max_steps=config.dense_steps, seed=config.seed)
        return path

    path, t_train = _timed(model_path)
    ev.model_dirs["dense"] = str(path)
    dense, t_index = _timed(lambda: get_retriever("dense", model=path).index(corpus))
    run, t_search = _timed(lambda: dense.search(queries, config.k))
    ev.add("dense", run, t_search, train_s=t_train, index_s=t_index)


def searchlm_model_dir(name: str) -> Path:
    """A LegalSearchLM model: a path, ``models:/lexlab-legalsearchlm@legal`` (stage 09 registers it) or
    ``run:<id>``, or a name under work/retrieval/ (notebook 09's ``model_name``)."""
    if name.startswith(("models:/", "run:")) or Path(name).exists():
        return Path(resolve_model(name))
    return Path(resolve_model(paths.work_dir("retrieval", name)))


def _searchlm(ev: Evaluation, name: str, corpus, queries, config: EvaluationConfig) -> None:
    from lexlab.legalsearchlm.searchlm.diagnostics import collapse
    from lexlab.legalsearchlm.searchlm.oracle import span_diversity
    from lexlab.legalsearchlm.searchlm.retriever import search_defaults

    mdir = searchlm_model_dir(name)
    meta = json.loads((mdir / "searchlm.json").read_text()) if (mdir / "searchlm.json").exists() else {}
    label = f"searchlm[{meta.get('variant', name)}]" if len(config.searchlm_models) > 1 else "searchlm"
    index_dir = mdir.parent / f"index_{config.benchmark}"
    slm, t_index = _timed(lambda: load_or_index("searchlm", index_dir, corpus, model=str(mdir)))
    # A loaded index decodes with this model, wherever it was built, and at today's defaults for what is not set
    # here; first-token-aware decoding as the model was trained (the legal_no_fta ablation turns both off).
    slm.options.update(search_defaults(), model=str(mdir), first_token_aware=meta.get("first_token_aware", True))
    for anchor in _ANCHORS[config.searchlm_anchor]:
        name_a = label + ("+qanchor" if anchor else "")
        slm.options.update(num_beams=config.num_beams, max_new_tokens=config.max_new_tokens,
                           first_token_from_query=anchor)
        run, t_search = _timed(lambda: slm.search(queries, _depth(config)))
        ev.add(name_a, run, t_search, train_s=float(meta.get("seconds_train", 0.0)), index_s=t_index)
        ev.model_dirs[name_a] = str(mdir)
        ev.spans += _spans_table(name_a, slm, queries[:20])
        spans = {q: [s.text.strip() for s in ss] for q, ss in slm.last_spans.items()}
        ev.diversity[name_a] = span_diversity(spans)
        ev.collapse[name_a] = collapse(spans)
        if meta.get("train_category"):
            ev.trained_on[name_a] = meta["train_category"]


def _spans_table(method: str, slm: Retriever, queries: Sequence[dict]) -> list[dict]:
    """The first 8 spans generated for each query, with their corpus counts."""
    return [{"method": method, "query": q["id"], "category": q.get("category"),
             "spans": " | ".join(f"{s.text.strip()} ({s.count})" for s in slm.last_spans[q["id"]][:8])}
            for q in queries]


def score_metrics(k: int) -> list[str]:
    return ["P@5", "nDCG@10" if k >= 10 else "nDCG@5", "R@5"]


def score_runs(runs: Mapping[str, Run], qrels: Qrels, queries: Sequence[dict], categories: Mapping[str, str],
               k: int) -> dict[str, pd.DataFrame]:
    """Per method, `evaluate_by_category` over the qrels of ``queries`` (rows: categories and ALL)."""
    scored = {trec_id(q["id"]) for q in queries}
    used = {q: r for q, r in qrels.items() if q in scored}
    return {name: pd.DataFrame(evaluate_by_category(used, run, categories, score_metrics(k))).set_index("category")
            for name, run in runs.items()}


def metric_prefix(method: str) -> str:
    """A method's MLflow metric prefix: "searchlm[legal]+qanchor" → "searchlm_legal_qanchor".

    Not ``tracking.metric_key``, which keeps one "_" per character ("searchlm_legal__qanchor"): the recorded
    names of earlier runs must stay comparable.
    """
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", method).strip("_")


def write_runs(runs: Mapping[str, Run], out_dir: Path) -> list[Path]:
    """One TREC run file per method, ``<out_dir>/<method>.trec``, tagged with the method."""
    return [write_trec_run(run, Path(out_dir) / f"{name}.trec", tag=name) for name, run in runs.items()]


def timing_table(ev: Evaluation, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Seconds per stage and overall P@5, one row per method."""
    timing = pd.DataFrame(ev.timings).set_index("method")
    timing["P@5"] = [float(tables[m].loc["ALL", "P@5"]) for m in timing.index]
    return timing


QRELS_KINDS = ("standard", "stricter")


def read_benchmark(benchmark: str, main_kind: str = "standard") -> tuple[list[dict], list[dict], dict[str, Qrels]]:
    """(corpus, queries, kind → qrels) of work/legar/<benchmark>/: every relevance kind whose file has
    judgments, ``main_kind`` first (an error when it has none)."""
    from lexlab.legalsearchlm.retrieval import read_records
    from lexlab.workbench.io import read_trec_qrels

    bdir = paths.work_dir("legar", benchmark)
    corpus, queries = read_records(bdir / "corpus.jsonl"), read_records(bdir / "queries.jsonl")
    qrels = {}
    for kind in (main_kind, *[k for k in QRELS_KINDS if k != main_kind]):
        path = bdir / f"qrels.{kind}.trec"
        judged = read_trec_qrels(path) if path.exists() else {}
        if judged:
            qrels[kind] = judged
        elif kind == main_kind:
            raise ValueError(f"{path}: no judgments (empty or missing); build the benchmark with notebook 08")
    return corpus, queries, qrels
