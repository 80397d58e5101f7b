"""Is a LegalSearchLM model collapsed? A model that generates the same few spans whatever the query ranks the same
cases for every query; its P@5 alone does not say why it is low.

`collapse` reads the spans a search generated (``SearchLMRetriever.last_spans``) and measures

- ``distinct_spans_per_query``: distinct spans over all queries, divided by the number of queries;
- ``top_span_share``: the share of queries whose first (most likely) span is the most common first span.

A model is flagged ``collapsed`` when, over at least `MIN_QUERIES` queries, one first span covers more than
`MAX_TOP_SPAN_SHARE` of the queries or there is less than `MIN_DISTINCT_PER_QUERY` distinct span per query.
For scale (benchmarks/results/searchlm_learning_curve.json, 335 dev queries, 10 beams): the default model
(2000 steps) generates 508 distinct spans (1.5 per query), 92 (0.27 per query) after 500 steps; no first span
leads for more than 6 % of the queries. A model generating one fixed set of ten spans has 10 / 335 = 0.03 per query
and one first span for (nearly) all queries.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Mapping, Sequence

MIN_QUERIES = 10              # fewer queries: measured, never flagged (one repeated span among 3 queries is chance)
MAX_TOP_SPAN_SHARE = 0.5      # one first span for more than half of the queries
MIN_DISTINCT_PER_QUERY = 0.1  # fewer than one new span per ten queries


def collapse(spans_by_query: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """queries, distinct_spans, distinct_spans_per_query, top_span, top_span_share and the verdict ``collapsed``
    (module docstring) of the spans generated for each query, best first."""
    lists = [[s.strip() for s in spans] for spans in spans_by_query.values()]
    n = len(lists)
    distinct = len({s for spans in lists for s in spans})
    firsts = Counter(spans[0] for spans in lists if spans)
    top, n_top = firsts.most_common(1)[0] if firsts else ("", 0)
    per_query = distinct / n if n else 0.0
    share = n_top / n if n else 0.0
    flagged = n >= MIN_QUERIES and (share > MAX_TOP_SPAN_SHARE or per_query < MIN_DISTINCT_PER_QUERY)
    return {"queries": n, "distinct_spans": distinct, "distinct_spans_per_query": per_query, "top_span": top,
            "top_span_share": share, "collapsed": flagged}


def spans_by_query(retriever) -> dict[str, list[str]] | None:
    """The spans the last search of ``retriever`` generated per query: a LegalSearchLM retriever's, or those of
    the LegalSearchLM part of a hybrid; None for a retriever without one."""
    parts = [retriever, *getattr(retriever, "parts", [])]
    found = next((p for p in parts if hasattr(p, "last_spans")), None)
    if found is None:
        return None
    return {q: [s.text for s in spans] for q, spans in found.last_spans.items()}


def summary(stats: Mapping[str, Any]) -> str:
    """One line: "spans: 508 distinct over 335 queries (1.52 per query); top first span '…' for 3 % of them"."""
    return (f"spans: {stats['distinct_spans']} distinct over {stats['queries']} queries "
            f"({stats['distinct_spans_per_query']:.2f} per query); top first span {stats['top_span']!r} for "
            f"{100 * stats['top_span_share']:.0f} % of them")


def warning(method: str, stats: Mapping[str, Any]) -> str | None:
    """The warning for a collapsed model, or None."""
    if not stats.get("collapsed"):
        return None
    return (f"the {method} model looks collapsed ({summary(stats)}): it generates about the same spans whatever "
            f"the query; train it longer or check its training targets")
