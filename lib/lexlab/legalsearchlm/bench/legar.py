"""A LEGAR-BENCH-style case-retrieval benchmark built from the snapshot's criminal decisions.

LEGAR BENCH asks: given one criminal case, find the cases a lawyer would cite beside it. Its *standard* relevance
is "same crime and same provisions"; its *stricter* relevance additionally requires the same legal factors
(see :mod:`lexlab.legalsearchlm.bench.legal_factors`). We rebuild that on the offline corpus:

* candidate pool — every criminal decision (판시사항 + 이유; no title, no 참조조문/참조판례 fields);
* queries — decisions with exactly one charge and at least one *substantive* provision
  (:mod:`lexlab.legalsearchlm.bench.provisions`);
* standard relevance — same normalised charge title and at least one shared substantive article
  (:mod:`lexlab.legalsearchlm.bench.relevance`);
* a query never counts itself or any decision of its own appeal chain as a candidate (the same dispute at
  another instance would be a trivially "relevant" near-duplicate);
* the query text is the case's 이유 with everything that states the answer removed or masked
  (:mod:`lexlab.legalsearchlm.bench.case_text`).

:mod:`lexlab.legalsearchlm.bench.export` writes the result as IR-standard files and reads it back.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pandas as pd

from lexlab.data import splits
from lexlab.legalsearchlm.bench import crime_categories as cc
from lexlab.legalsearchlm.bench.case_text import document_text, find_leaks, query_text
from lexlab.legalsearchlm.bench.provisions import decision_articles, known_laws, substantive_articles
from lexlab.legalsearchlm.bench.relevance import Qrels, appeal_chains, standard_qrels

_REQUIRED_COLUMNS = ["case_id", "title", "case_type", "reasoning", "lower_case_ids"]


class EmptyBenchmark(ValueError):
    """The snapshot gave no query (no decision with a relevant, leak-free candidate)."""


@dataclass
class Benchmark:
    """Everything one build produced; ``export.export`` writes it, ``export.load_benchmark`` reads it back."""

    corpus: pd.DataFrame                       # id, text, title, court, category, charges, articles
    queries: pd.DataFrame                      # id, text, charge, category, articles, exclude, split, ...
    qrels: Qrels                               # standard relevance
    qrels_stricter: Qrels = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def build_benchmark(
    decisions: pd.DataFrame,
    *,
    annotator: Any = None,
    max_queries: int = 0,
    seed: int = 0,
    title_match: str = "exact",
    min_query_chars: int = 200,
    test_fraction: float = 0.5,
    criminal_only: bool = True,
    split_of: Mapping[str, str] | None = None,
    progress: bool = True,
) -> Benchmark:
    """Build corpus, queries and qrels from a snapshot's ``decisions`` table (CONTRACTS.md columns).

    ``annotator`` (see :mod:`lexlab.legalsearchlm.bench.legal_factors`) turns on stricter relevance; without one
    only standard qrels are made. ``max_queries`` > 0 keeps a seeded random subset of queries (stratified by
    nothing: the category table shows what was kept). Queries are split dev/test by lexlab.data.splits with
    ``test_fraction``; ``split_of`` (case_id → "dev"/"test") overrides that (tests).
    """
    t0 = time.time()
    df = _unique_decisions(decisions)
    # splits over the whole table (as every other stage computes them), before narrowing to criminal cases
    query_split = dict(split_of) if split_of is not None else _split_map(df, test_fraction)
    project_split = {} if split_of is not None else _project_split_map(df)
    if criminal_only:
        df = df[df["case_type"].astype(str).str.strip() == "형사"].reset_index(drop=True)
    chains = appeal_chains(df)
    rows = df.to_dict("records")
    corpus, arts_by_id, candidate_skips = candidate_pool(rows, known_laws(df), project_split, progress)
    queries, query_skips = leak_free_queries(rows, arts_by_id, chains, query_split, project_split,
                                             min_query_chars, progress)
    queries, qrels = standard_qrels(queries, corpus, title_match, query_skips)
    if not len(queries):  # a benchmark without queries measures nothing: the stage fails, it does not FINISH
        raise EmptyBenchmark(f"no query survived from {len(decisions)} decisions ({len(corpus)} candidates); "
                             f"why each was skipped: {dict(query_skips) or 'no decision could be a query'}")
    queries, qrels = _sample_queries(queries, qrels, max_queries, seed)
    stricter, strict_stats = _stricter_qrels(annotator, queries, corpus, qrels, df, progress)
    stats = {
        "decisions": int(len(decisions)),
        "candidates": int(len(corpus)),
        **_query_stats(queries, qrels),
        "query_skips": dict(query_skips),
        "candidate_skips": dict(candidate_skips),
        "appeal_chains_multi": int(sum(1 for c in set(chains.values()) if len(c) > 1)),
        "title_match": title_match,
        "test_fraction": test_fraction,
        "build_seconds": round(time.time() - t0, 2),
        **strict_stats,
    }
    return Benchmark(corpus=corpus, queries=queries, qrels=qrels, qrels_stricter=stricter, stats=stats)


def _unique_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    """One row per case_id, after checking the columns the build needs."""
    missing = [c for c in _REQUIRED_COLUMNS if c not in decisions.columns]
    if missing:
        raise KeyError(f"decisions table lacks column(s) {missing} (see docs/CONTRACTS.md, snapshot.decisions)")
    return decisions.drop_duplicates("case_id").reset_index(drop=True)


def _charges(row: Mapping[str, Any]) -> tuple[str, ...]:
    return cc.normalize_title(str(row.get("title") or ""))


def candidate_pool(rows: Sequence[Mapping[str, Any]], known: set[str], project_split: Mapping[str, str],
                   progress: bool = True) -> tuple[pd.DataFrame, dict[str, list[str]], Counter]:
    """(corpus, every candidate's provisions by id, skip counts): one candidate per decision with text."""
    from tqdm.auto import tqdm

    corpus_rows, skipped = [], Counter()
    arts_by_id: dict[str, list[str]] = {}
    for row in tqdm(rows, desc="candidates", disable=not progress, mininterval=2.0):
        cid = str(row["case_id"])
        text = document_text(row)
        if not text:
            skipped["empty_document"] += 1
            continue
        arts = arts_by_id[cid] = decision_articles(row, known)
        charges = _charges(row)
        corpus_rows.append({
            "id": cid, "text": text, "title": str(row.get("title") or ""), "court": str(row.get("court") or ""),
            "charges": charges, "category": _candidate_category(charges),
            "articles": substantive_articles(arts), "project_split": project_split.get(cid, ""),
        })
    corpus = pd.DataFrame(corpus_rows)
    if corpus.empty:
        raise ValueError("no criminal decisions with text in the decisions table: nothing to build")
    return corpus, arts_by_id, skipped


def _candidate_category(charges: Sequence[str]) -> str:
    """The category of a single charge; several charges join their categories with "+"."""
    if len(charges) == 1:
        return cc.category_of(charges[0])
    return "+".join(sorted({cc.category_of(c) for c in charges})) if charges else cc.OTHER


def leak_free_queries(rows: Sequence[Mapping[str, Any]], arts_by_id: Mapping[str, list[str]],
                      chains: Mapping[str, frozenset[str]], query_split: Mapping[str, str],
                      project_split: Mapping[str, str], min_query_chars: int = 200,
                      progress: bool = True) -> tuple[pd.DataFrame, Counter]:
    """(queries, why the other candidates are no query): single-charge candidates with a substantive
    provision and a long enough masked text in which `find_leaks` finds nothing."""
    from tqdm.auto import tqdm

    query_rows, reasons = [], Counter()
    for row in tqdm(rows, desc="queries", disable=not progress, mininterval=2.0):
        cid = str(row["case_id"])
        if cid not in arts_by_id:
            continue
        charges = _charges(row)
        if len(charges) != 1:
            reasons["not_single_charge"] += 1
            continue
        sub = substantive_articles(arts_by_id[cid])
        if not sub:
            reasons["no_substantive_article"] += 1
            continue
        chain = chains.get(cid, frozenset({cid}))
        text = query_text(row, arts_by_id[cid], chain)
        if len(text) < min_query_chars:
            reasons["query_text_too_short"] += 1
            continue
        if find_leaks(text, row, arts_by_id[cid]):  # the masking missed something: never ship that query
            reasons["leak_not_removable"] += 1
            continue
        query_rows.append({
            "id": cid, "text": text, "charge": charges[0], "category": cc.category_of(charges[0]),
            "articles": sub, "exclude": sorted(chain), "court": str(row.get("court") or ""),
            "project_split": project_split.get(cid, ""), "split": query_split.get(cid, "dev"),
        })
    return pd.DataFrame(query_rows), reasons


def _sample_queries(queries: pd.DataFrame, qrels: Qrels, max_queries: int, seed: int) -> tuple[pd.DataFrame, Qrels]:
    """A seeded random subset of ``max_queries`` queries (all of them when 0 or fewer exist)."""
    if not max_queries or len(queries) <= max_queries:
        return queries, qrels
    queries = queries.sample(n=max_queries, random_state=seed).sort_values("id").reset_index(drop=True)
    return queries, {q: qrels[q] for q in queries["id"]}


def _stricter_qrels(annotator: Any, queries: pd.DataFrame, corpus: pd.DataFrame, qrels: Qrels,
                    decisions: pd.DataFrame, progress: bool) -> tuple[Qrels, dict[str, Any]]:
    """Stricter qrels and their stats when an annotator is given, else nothing."""
    if annotator is None or queries.empty:
        return {}, {}
    from lexlab.legalsearchlm.bench import legal_factors

    return legal_factors.stricter_qrels(queries, corpus, qrels, decisions, annotator, progress=progress)


def _query_stats(queries: pd.DataFrame, qrels: Qrels) -> dict[str, Any]:
    n_rel = [len(v) for v in qrels.values()]
    return {
        "queries": int(len(queries)),
        "queries_dev": int((queries["split"] == "dev").sum()) if len(queries) else 0,
        "queries_test": int((queries["split"] == "test").sum()) if len(queries) else 0,
        "mean_relevant_per_query": float(sum(n_rel) / len(n_rel)) if n_rel else 0.0,
        "median_relevant_per_query": float(pd.Series(n_rel).median()) if n_rel else 0.0,
    }


def _split_map(decisions: pd.DataFrame, test_fraction: float) -> dict[str, str]:
    """case_id → "dev"/"test" for benchmark queries, from lexlab.data.splits (stable hash, appeal-chain aware).

    The benchmark has no training split (retrievers train on the candidate pool, never on query texts), so
    every query is dev or test: ``splits.case_split`` with dev = 1 - test_fraction. A chain shares one split,
    so a query never sits in test while its lower-court twin tunes a retriever in dev.
    """
    if not 0.0 <= test_fraction <= 1.0:
        raise ValueError(f"test_fraction must be in [0, 1], got {test_fraction}")
    result = splits.case_split(decisions, dev=1.0 - test_fraction, test=test_fraction)
    return {str(c): ("test" if s == "test" else "dev") for c, s in zip(decisions["case_id"], result)}


def _project_split_map(decisions: pd.DataFrame) -> dict[str, str]:
    """The project-wide train/dev/test of each case (what LegalMidm training may use), kept as metadata."""
    return {str(c): s for c, s in zip(decisions["case_id"], splits.case_split(decisions))}
