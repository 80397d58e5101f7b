"""Scoring runs against qrels, overall and per query category (the paper's Table 3/4 layout).

Queries that have qrels but no retrieved document count as 0 (``make_comparable``), and run queries without
qrels are left out, so a method cannot improve its average by answering fewer queries.

P@k, R@k and nDCG@k, the metrics of notebook 10 and the demo, are computed here in plain Python (`per_query_cut`);
the other metrics (MAP, MRR, ...; ``lexlab evaluate-run --metrics``) come from ranx. Inside a notebook kernel that
had run torch, ranx's numba kernels returned wrong P@5 for some query sets of a run whose TREC file ranx scored
right in a fresh process (BM25 on the test split: 0.073 instead of 0.328), and in a fresh environment the first
ranx call compiles its numba kernels first (NOTE in benchmarks/results/ranx_first_call.json: the seconds measured);
a count needs no compiled code. tests/legalsearchlm/retrieval/test_evaluation_counts.py checks them against ranx.
"""
from __future__ import annotations

import math
import warnings
from collections import defaultdict
from typing import TYPE_CHECKING, Mapping, Sequence

from lexlab.workbench.io import trec_id

if TYPE_CHECKING:
    import pandas as pd

# Short names people write → ranx names.
_ALIASES = {"p": "precision", "r": "recall", "ndcg": "ndcg", "map": "map", "mrr": "mrr", "recall": "recall",
            "precision": "precision", "hits": "hits", "hit_rate": "hit_rate"}


def ranx_metric(name: str) -> str:
    """``P@5`` → ``precision@5``, ``nDCG@10`` → ``ndcg@10``; ranx names pass through."""
    base, _, cut = name.partition("@")
    key = _ALIASES.get(base.lower())
    if key is None or (cut and not (cut.isdigit() and int(cut) > 0)):
        raise ValueError(f"unknown metric {name!r}; use e.g. P@5, R@10, nDCG@10, MAP, MRR")
    return f"{key}@{cut}" if cut else key


def _as_ranx(qrels: Mapping[str, Mapping[str, int]], run: Mapping):
    from ranx import Qrels, Run

    q = {trec_id(k): {trec_id(d): int(v) for d, v in docs.items()} for k, docs in qrels.items() if docs}
    r = {}
    for qid, hits in run.items():
        items = hits.items() if isinstance(hits, Mapping) else hits
        r[trec_id(qid)] = {trec_id(d): float(s) for d, s in items}
    for qid in q:
        if not r.get(qid):
            # ranx cannot hold an empty ranking; a score-0 unknown id keeps the query in the average at 0.
            r[qid] = {"__no_result__": 0.0}
    return Qrels(q), Run(r)


def per_query_cut(qrels: Mapping, run: Mapping, metric: str) -> dict[str, float] | None:
    """P@k, R@k or nDCG@k of every query with judgments (0 when the run misses it or it has no relevant document,
    as ranx), keyed by TREC id; None for any other metric. Hits are taken in the order given (a mapping: by
    descending score). nDCG is ranx's ``ndcg`` (Järvelin: gain = relevance grade, discount log2(rank + 1))."""
    name = ranx_metric(metric)
    kind, _, cut = name.partition("@")
    if kind not in _COUNTED or not cut:
        return None
    k = int(cut)
    runs = {trec_id(q): hits for q, hits in run.items()}
    out = {}
    for q, docs in qrels.items():
        if not docs:
            continue
        grades = {trec_id(d): int(v) for d, v in docs.items() if v > 0}
        hits = runs.get(trec_id(q)) or []
        ranked = sorted(hits.items(), key=lambda x: -x[1]) if isinstance(hits, Mapping) else list(hits)
        out[trec_id(q)] = _COUNTED[kind]([trec_id(d) for d, _ in ranked[:k]], grades, k)
    return out


def _precision(top: list[str], grades: Mapping[str, int], k: int) -> float:
    return sum(d in grades for d in top) / k


def _recall(top: list[str], grades: Mapping[str, int], k: int) -> float:
    return sum(d in grades for d in top) / max(1, len(grades))


def _ndcg(top: list[str], grades: Mapping[str, int], k: int) -> float:
    dcg = sum(grades.get(d, 0) / math.log2(i + 2) for i, d in enumerate(top))
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(grades.values(), reverse=True)[:k]))
    return dcg / ideal if ideal else 0.0


_COUNTED = {"precision": _precision, "recall": _recall, "ndcg": _ndcg}


def evaluate_run(qrels: Mapping, run: Mapping, metrics: Sequence[str] = ("P@5",)) -> dict[str, float]:
    """Mean of each metric over the queries that have qrels; keys are the names as given."""
    out, rest = {}, []
    for m in metrics:
        counted = per_query_cut(qrels, run, m)
        if counted is None:
            rest.append(m)
        else:
            out[m] = sum(counted.values()) / len(counted) if counted else 0.0
    if rest:
        qr, rr = _as_ranx(qrels, run)
        names = [ranx_metric(m) for m in rest]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numba's uint64 cast warning, once per metric
            from ranx import evaluate

            res = evaluate(qr, rr, names, make_comparable=True)
        if isinstance(res, float) or not isinstance(res, Mapping):
            res = {names[0]: res}
        out.update({m: float(res[n]) for m, n in zip(rest, names)})
    return {m: out[m] for m in metrics}


def evaluate_by_category(
    qrels: Mapping, run: Mapping, categories: Mapping[str, str], metrics: Sequence[str] = ("P@5",)
) -> list[dict]:
    """One row per category (plus ``ALL``) with the number of queries and each metric's mean."""
    cats = {trec_id(k): v for k, v in categories.items()}
    run = {trec_id(k): v for k, v in run.items()}
    qrels = {trec_id(k): v for k, v in qrels.items()}
    groups: dict[str, list[str]] = defaultdict(list)
    for qid in qrels:
        if qrels[qid]:
            groups[cats.get(qid, "(none)")].append(qid)
    rows = []
    for cat in sorted(groups, key=lambda c: (-len(groups[c]), c)):
        ids = groups[cat]
        sub_q = {q: qrels[q] for q in ids}
        sub_r = {q: run.get(q, []) for q in ids}
        rows.append({"category": cat, "n": len(ids), **evaluate_run(sub_q, sub_r, metrics)})
    rows.append({"category": "ALL", "n": sum(len(v) for v in groups.values()), **evaluate_run(qrels, run, metrics)})
    return rows


def p5_by_category(tables: Mapping[str, "pd.DataFrame"]) -> "pd.DataFrame":
    """One column of P@5 per method (rows: categories and ALL), with the query count first — the paper's Table 3/4."""
    import pandas as pd

    p5 = pd.concat({name: t["P@5"] for name, t in tables.items()}, axis=1)
    p5.insert(0, "n", next(iter(tables.values()))["n"])
    return p5


def ood_breakdown(tables: Mapping[str, "pd.DataFrame"], trained_on: Mapping[str, str]) -> list[dict]:
    """P@5 inside vs outside the one category a model was trained on (query-weighted), for the OOD ablation.

    ``tables`` are ``evaluate_by_category`` frames indexed by category (with an "ALL" row); ``trained_on`` maps
    a method name to its training category.
    """
    rows = []
    for name, cat in trained_on.items():
        t = tables[name]
        inside = t.loc[t.index == cat]
        outside = t.loc[(t.index != cat) & (t.index != "ALL")]
        for where, part in (("trained category", inside), ("other categories", outside)):
            if len(part):
                rows.append({"method": name, "train_category": cat, "scored on": where, "n": int(part["n"].sum()),
                             "P@5": float((part["P@5"] * part["n"]).sum() / part["n"].sum())})
    return rows
