"""The decisions a question may cite, and the checks every citation passes.

The rule: a decision cites only decisions **decided before it** (strictly earlier 선고일자), never itself and never
a member of its appeal chain (``lexlab.data.splits.decision_chains``: the lower-court judgment it reviews, the
remand, the Supreme Court decision above it). `CaseLaw.query` turns the rule into the ``exclude`` list every
retriever of the registry honours; `CaseLaw.check_citation` applies it again, with the verbatim passage check, to
whatever a generator cites.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from lexlab.caselaw.outcomes import instance_of, outcome_of
from lexlab.data.splits import decision_chains

TEXT_FIELDS = ("holdings", "summary", "order", "reasoning", "facts")  # what a passage may be quoted from
PASSAGE_FIELDS = ("summary", "holdings", "reasoning")                 # where passages are picked, in this order
PASSAGE_CHARS = 200
_SENTENCE = re.compile(r"(?<=다\.)\s+|\n+|(?=\[\d+\])")


@dataclass
class Citation:
    case_no: str
    court: str
    date: str
    passage: str

    def record(self) -> dict:
        return {"case_no": self.case_no, "court": self.court, "date": self.date, "passage": self.passage}


class CaseLaw:
    """The snapshot's decisions as a citable corpus: outcome, instance, date, chain and text of each."""

    def __init__(self, decisions: pd.DataFrame):
        missing = {"case_id", "court", "date", "order", "lower_case_ids", *TEXT_FIELDS} - set(decisions.columns)
        if missing:
            raise KeyError(f"decisions table lacks column(s) {sorted(missing)}")
        self.df = decisions.assign(case_id=decisions["case_id"].astype(str)).set_index("case_id", drop=False)
        self.chains = decision_chains(decisions)
        self.ids = np.asarray(self.df.index, dtype=object)
        self.dates = np.asarray(self.df["date"].fillna("").astype(str), dtype=object)
        self.outcome = {c: outcome_of(o) for c, o in zip(self.df.index, self.df["order"].fillna(""))}
        self.instance = {c: instance_of(c, court) for c, court in zip(self.df.index, self.df["court"])}

    def __contains__(self, case_id: str) -> bool:
        return case_id in self.df.index

    def row(self, case_id: str) -> Mapping:
        return self.df.loc[case_id]

    def corpus(self) -> list[dict]:
        """Retrieval records: ``id``, ``text`` (title, 판시사항, 판결요지, 이유; the 주문 is left out) and ``date``
        (a vector store filters on it before the nearest-neighbour cut)."""
        return [{"id": c, "date": str(r["date"] or ""),
                 "text": "\n".join(str(r.get(f) or "") for f in ("title", "holdings", "summary", "reasoning"))}
                for c, r in zip(self.df.index, self.df.to_dict("records"))]

    def not_citable(self, case_id: str | None = None, before: str | None = None) -> list[str]:
        """Ids a question about ``case_id`` (or asked as of date ``before``) must not cite: the decision, its
        appeal chain, and every decision not decided strictly earlier."""
        if case_id is not None:
            before = before or str(self.row(case_id)["date"])
        out = set(self.chains.get(case_id, [case_id])) if case_id else set()
        if before:
            out.update(self.ids[self.dates >= before].tolist())
        return sorted(out)

    def query(self, qid: str, text: str, case_id: str | None = None, before: str | None = None) -> dict:
        """A retrieval query record whose ``exclude`` holds `not_citable` (``before``: the date limit, for
        retrievers that filter by date themselves)."""
        before = before or (str(self.row(case_id)["date"]) if case_id else "")
        return {"id": qid, "text": text, "before": before, "exclude": self.not_citable(case_id, before)}

    def check_citation(self, cited: Mapping, case_id: str | None = None, before: str | None = None) -> str | None:
        """Why a citation ``{case_no, passage, ...}`` fails (unknown case, itself, appeal chain, not earlier,
        passage not verbatim), or None when it holds."""
        no = str(cited.get("case_no", ""))
        if no not in self:
            return "unknown_case"
        if case_id is not None and no == case_id:
            return "itself"
        if case_id is not None and no in self.chains.get(case_id, []):
            return "appeal_chain"
        limit = before or (str(self.row(case_id)["date"]) if case_id else None)
        if limit and not str(self.row(no)["date"]) < limit:
            return "not_earlier"
        passage = str(cited.get("passage") or "")
        if not passage.strip() or not any(passage in str(self.row(no)[f] or "") for f in TEXT_FIELDS):
            return "passage_not_verbatim"
        return None

    def citation(self, case_id: str, question: str) -> Citation:
        """``case_id`` cited with its passage closest to ``question`` (shared character bigrams)."""
        row = self.row(case_id)
        return Citation(case_id, str(row["court"]), str(row["date"]), best_passage(row, question))


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def best_passage(row: Mapping, question: str) -> str:
    """The sentence of the decision sharing most bigrams with ``question``, from its 판결요지, else its 판시사항,
    else its 이유, cut to ``PASSAGE_CHARS``; always a verbatim substring of that field."""
    q = _bigrams(question)
    best, best_score = "", -1.0
    field = next((f for f in PASSAGE_FIELDS if str(row.get(f) or "").strip()), PASSAGE_FIELDS[-1])
    for sentence in _SENTENCE.split(str(row.get(field) or "")[:6000]):
        sentence = sentence.strip()
        if len(sentence) < 10:
            continue
        score = len(q & _bigrams(sentence)) / (1 + len(_bigrams(sentence))) ** 0.5
        if score > best_score:
            best, best_score = sentence, score
    return best[:PASSAGE_CHARS]
