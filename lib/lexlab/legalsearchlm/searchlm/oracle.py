"""Where LegalSearchLM loses: the oracle bound of the element design, and the diversity of generated spans.

*Oracle bound*: rank the corpus with the query case's **own** elements — the extractor applied to the query's
full decision, i.e. perfect generation — through the same span → case matching and a span weight. It separates
"elements + scoring cannot find the relevant cases" from "the model does not generate the right elements";
a model can only approach it.

Span weights (``scoring``):

* ``count`` — every matched span counts 1;
* ``idf`` — log((N + 1) / (df + 0.5)) with df the number of cases containing the span (rare spans weigh most);
* ``seal`` — SEAL's weight (`lexlab.legalsearchlm.searchlm.scoring.span_weight`) with the model's probability
  set to the one of perfect generation and the corpus probability from the span's case frequency.

A case's score is the sum of the weights of the distinct spans it contains (SEAL's intersective scoring: a case
matching several spans outranks one matching a single span of the same weight); with ``k1 > 0`` each weight is
saturated by how often the case holds the span and normalised by the case's length, as the retriever ranks
(:mod:`lexlab.legalsearchlm.searchlm.scoring`).
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Literal, Mapping, Sequence

from lexlab.legalsearchlm.searchlm.targets import SpanCounter, is_general_provision
from lexlab.workbench.io import Run

Scoring = Literal["count", "idf", "seal"]
SCORINGS: tuple[str, ...] = ("count", "idf", "seal")


def span_weights(spans: Sequence[str], counter: SpanCounter, scoring: Scoring = "idf") -> dict[str, float]:
    """Weight of each distinct span under ``scoring`` (module docstring)."""
    from lexlab.legalsearchlm.searchlm.scoring import span_weight

    if scoring not in SCORINGS:
        raise ValueError(f"scoring must be one of {SCORINGS}, not {scoring!r}")
    out = {}
    for s in dict.fromkeys(spans):
        df = counter.df(s)
        if not df:
            continue
        if scoring == "count":
            out[s] = 1.0
        elif scoring == "idf":
            out[s] = counter.idf(s)
        else:
            out[s] = span_weight(0.0, df, counter.n_docs)
    return out


def rank_by_spans(spans: Sequence[str], counter: SpanCounter, doc_ids: Sequence[str], k: int,
                  scoring: Scoring = "idf", exclude: set[str] | frozenset = frozenset(),
                  k1: float = 0.0, b: float = 0.0) -> list[tuple[str, float]]:
    """The ``k`` best cases by the weight of the distinct ``spans`` they contain (``exclude`` left out): summed
    (``k1 = 0``), or saturated by how often each case holds the span and normalised by its length, as the
    retriever ranks (`lexlab.legalsearchlm.searchlm.scoring.case_scores`)."""
    import numpy as np

    from lexlab.legalsearchlm.searchlm.scoring import case_scores

    hits = ((*counter.term_frequencies(s), w) for s, w in span_weights(spans, counter, scoring).items())
    scores = case_scores(counter.fm.doc_lengths, hits, k1, b)
    hit = [d for d in np.flatnonzero(scores > 0).tolist() if doc_ids[d] not in exclude]
    ranked = sorted(((doc_ids[d], float(scores[d])) for d in hit), key=lambda x: (-x[1], x[0]))
    return ranked[:k]


def oracle_run(query_spans: Mapping[str, Sequence[str]], counter: SpanCounter, doc_ids: Sequence[str],
               queries: Sequence[Mapping], k: int = 5, scoring: Scoring = "idf", k1: float = 0.0,
               b: float = 0.0) -> Run:
    """A run from each query's own gold spans (``query_spans[qid]``); the query and its ``exclude`` never rank."""
    from lexlab.legalsearchlm.retrieval.base import excluded_ids

    return {str(q["id"]): rank_by_spans(query_spans.get(str(q["id"]), []), counter, doc_ids, k, scoring,
                                        excluded_ids(q), k1, b)
            for q in queries}


def span_diversity(spans_by_query: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """How varied generated spans are over the queries (issue #10: the same spans for every query is the failure).

    distinct_spans: distinct spans over all queries; distinct_share: that over all spans generated;
    top_span_is_global_top: share of queries whose first span is the globally most frequent one;
    general_provision_share: share of spans that are procedural/general provisions;
    distinct_top5_sets: distinct sets of first five spans, over queries.
    """
    lists = [list(v) for v in spans_by_query.values()]
    flat = [s for ss in lists for s in ss]
    if not flat:
        return {"queries": float(len(lists)), "spans": 0.0, "distinct_spans": 0.0, "distinct_share": 0.0,
                "top_span_is_global_top": 0.0, "general_provision_share": 0.0, "distinct_top5_sets": 0.0}
    top = Counter(flat).most_common(1)[0][0]
    firsts = [ss[0] for ss in lists if ss]
    return {
        "queries": float(len(lists)),
        "spans": float(len(flat)),
        "distinct_spans": float(len(set(flat))),
        "distinct_share": len(set(flat)) / len(flat),
        "top_span_is_global_top": sum(f == top for f in firsts) / max(1, len(lists)),
        "general_provision_share": sum(is_general_provision(s) for s in flat) / len(flat),
        "distinct_top5_sets": float(len({tuple(ss[:5]) for ss in lists})),
    }


def mean_idf(spans: Sequence[str], counter: SpanCounter) -> float:
    """Mean idf of the spans (how specific the targets are); nan for none."""
    vals = [counter.idf(s) for s in spans if counter.df(s)]
    return sum(vals) / len(vals) if vals else math.nan


def full_decisions(ids: set[str], snapshot: str | None = None) -> dict[str, dict]:
    """The snapshot's decisions of ``ids`` as extractor records: holdings, summary, facts, and ``text`` =
    판시사항 + 판결요지 + 이유 (the query case's full decision, which its masked query text leaves out)."""
    from lexlab.data.snapshot import load_snapshot

    d = load_snapshot(snapshot, tables=("decisions",)).decisions
    d = d[d["case_id"].isin(ids)]
    return {r.case_id: {"id": r.case_id, "holdings": r.holdings, "summary": r.summary, "facts": r.facts,
                        "text": " ".join(x for x in (r.holdings, r.summary, r.reasoning) if x)}
            for r in d.itertuples()}


def own_spans(records: Mapping[str, Mapping], counter: SpanCounter, design: str = "filtered",
              rule=None, candidates: int = 64) -> dict[str, list[str]]:
    """Each record's own element spans: ``base`` = today's targets (`build_targets`, 8), ``filtered`` =
    ``candidates`` elements of the full decision through `targets.filter_elements` with ``rule``."""
    from lexlab.legalsearchlm.searchlm.elements import build_targets, extract_elements
    from lexlab.legalsearchlm.searchlm.targets import TargetFilter, filter_elements

    ids = list(records)
    if design == "base":
        els = build_targets([records[i] for i in ids], max_elements=8, progress=False)
        return {i: [e.text for e in es] for i, es in zip(ids, els)}
    if design != "filtered":
        raise ValueError(f"design must be 'base' or 'filtered', not {design!r}")
    rule = rule or TargetFilter()
    return {i: [e.text for e in filter_elements(extract_elements(records[i]["text"], max_elements=candidates),
                                                 counter, rule)] for i in ids}
