"""Who is relevant to whom: appeal chains (never candidates of their own query) and LEGAR's standard relevance."""
from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

import pandas as pd

from lexlab.data import splits
from lexlab.legalsearchlm.bench.provisions import as_list
from lexlab.workbench.io import Qrels


def appeal_chains(decisions: pd.DataFrame) -> dict[str, frozenset[str]]:
    """case_id → every decision of the same dispute (linked by lower_case_ids in either direction, transitively).

    A Supreme Court decision names its 원심 (high court) which names its own 1심: all three are one dispute.
    Links to cases outside ``decisions`` are dropped, so every chain holds only decisions of the table.
    """
    ids = decisions["case_id"].astype(str).tolist()
    known = set(ids)
    links = [(cid, low) for cid, lowers in zip(ids, decisions["lower_case_ids"])
             for low in map(str, as_list(lowers)) if low in known and low != cid]
    return {cid: frozenset(members) for cid, members in splits.appeal_chains(ids, links).items()}


def standard_relevance(
    query: Mapping[str, Any],
    candidates: pd.DataFrame,
    *,
    title_match: str = "exact",
) -> list[str]:
    """Ids of candidates relevant to ``query`` under the standard rule.

    ``query`` needs ``charge`` (one normalised charge), ``articles`` (substantive) and ``exclude``;
    ``candidates`` needs ``id``, ``charges`` (tuple of normalised charges) and ``articles`` (substantive).
    ``title_match="exact"``: the candidate's whole normalised title is that one charge (the paper's single-crime
    reading); ``"contains"``: the charge is among the candidate's charges.
    """
    if title_match not in ("exact", "contains"):
        raise ValueError(f"title_match must be 'exact' or 'contains', not {title_match!r}")
    q_arts = set(query["articles"])
    excluded = set(query.get("exclude") or ()) | {query["id"]}
    out = []
    for cid, charges, arts in zip(candidates["id"], candidates["charges"], candidates["articles"]):
        if cid in excluded:
            continue
        same = tuple(charges) == (query["charge"],) if title_match == "exact" else query["charge"] in charges
        if same and q_arts & set(arts):
            out.append(cid)
    return out


def standard_qrels(queries: pd.DataFrame, corpus: pd.DataFrame, title_match: str,
                   skips: Counter) -> tuple[pd.DataFrame, Qrels]:
    """Standard qrels of every query, and the queries that have at least one relevant candidate.

    A query without one is dropped and counted in ``skips["no_relevant_candidate"]``.
    """
    qrels: Qrels = {}
    if queries.empty:
        return queries, qrels
    by_charge: dict[str, pd.DataFrame] = {}
    for q in queries.to_dict("records"):
        key = q["charge"]
        if key not in by_charge:
            mask = corpus["charges"].map(lambda cs, k=key: k in cs)
            by_charge[key] = corpus.loc[mask, ["id", "charges", "articles"]]
        rel = standard_relevance(q, by_charge[key], title_match=title_match)
        if rel:
            qrels[q["id"]] = {d: 1 for d in rel}
        else:
            skips["no_relevant_candidate"] += 1
    return queries[queries["id"].isin(qrels)].reset_index(drop=True), qrels
