"""The legal side of the CPT mix: raw legal documents from a snapshot, restricted to one split.

The mirror of ``lexlab.data.general_text`` for the legal tables. Data-only (pandas through the snapshot, no
training stack), so QA generation, the task builders' leakage checks and the training code can all read it.
"""
from __future__ import annotations

from typing import Sequence

from lexlab.data import splits

LEGAL_TABLES = ("statutes", "decisions", "interpretations")


def legal_texts(
    snapshot,
    tables: Sequence[str] = LEGAL_TABLES,
    split: str = "train",
    max_docs: int | None = None,
) -> list[dict[str, str]]:
    """Raw legal documents for CPT from a ``lexlab.data.snapshot.Snapshot``, restricted to one split.

    Statutes are "법명 제N조(제목)\\n본문"; decisions are 판시사항 + 판결요지 + 이유 (the parts written as prose);
    interpretations are question, answer and reasons. The split is the one decided in ``lexlab.data.splits`` so no
    evaluation document is ever trained on. ``max_docs`` caps each table (first rows: the snapshot order is
    stable) to size a CPU run. Each document is ``{"id", "text", "source"}``; the id is the record's split key.
    """
    docs: list[dict[str, str]] = []
    if "statutes" in tables:
        df = snapshot.statutes
        df = df[~df["deleted"]] if "deleted" in df else df
        keys = [splits.statute_key(law, no) for law, no in zip(df["law"], df["article_no"])]
        df = df[[splits.split_of(k) == split for k in keys]]
        rows = df.head(max_docs) if max_docs else df
        for r in rows.itertuples():
            head = f"{r.law} {r.article}" + (f"({r.title})" if r.title else "")
            docs.append({"id": splits.statute_key(r.law, r.article_no), "text": f"{head}\n{r.text}",
                         "source": "statute"})
    if "decisions" in tables:
        df = snapshot.decisions
        df = df[[s == split for s in splits.case_split(df)]]
        rows = df.head(max_docs) if max_docs else df
        for r in rows.itertuples():
            parts = [p for p in (r.holdings, r.summary, r.reasoning) if isinstance(p, str) and p.strip()]
            if parts:
                docs.append({"id": splits.case_key(r.case_id), "text": "\n\n".join(parts), "source": "decision"})
    if "interpretations" in tables:
        df = snapshot.interpretations
        df = df[[splits.split_of(splits.interp_key(d)) == split for d in df["doc_id"]]]
        rows = df.head(max_docs) if max_docs else df
        for r in rows.itertuples():
            parts = [p for p in (r.title, r.question, r.answer, r.reason) if isinstance(p, str) and p.strip()]
            docs.append({"id": splits.interp_key(r.doc_id), "text": "\n\n".join(parts), "source": "interpretation"})
    return docs
