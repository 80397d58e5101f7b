"""Fine-tuning data: (question, answer, citation) triplets from the training split (template backend, offline).

Each training decision with a leak-free question gives one triplet: the question (`questions.question_text`),
the answer (its outcome and the first sentence of its 판결요지 or 판시사항 as the reason) and the decision itself as
the citation, with a passage checked verbatim. Only ``train`` decisions are used (``lexlab.data.splits``, appeal
chains kept together), so no triplet describes a decision the evaluation asks about.
"""
from __future__ import annotations

import pandas as pd

from lexlab.caselaw.corpus import CaseLaw, best_passage
from lexlab.caselaw.questions import build_questions


def _reason(row) -> str:
    for field in ("summary", "holdings"):
        text = str(row[field] or "").strip()
        if text:
            return text.split("\n")[0][:200]
    return ""


def build_triplets(caselaw: CaseLaw, train: pd.DataFrame, max_items: int = 0, seed: int = 0) -> list[dict]:
    """``{"id", "question", "answer", "outcome", "citation": {case_no, court, date, passage}}`` per decision."""
    questions, _ = build_questions(train)
    if max_items and len(questions) > max_items:
        questions = questions.sample(max_items, random_state=seed)
    out = []
    for q in questions.itertuples():
        row = caselaw.row(q.id)
        citation = {"case_no": q.id, "court": str(row["court"]), "date": str(row["date"]),
                    "passage": best_passage(row, q.question)}
        if caselaw.check_citation(citation) is not None:
            continue
        answer = f"이 사건의 결론은 '{q.outcome}'입니다. {_reason(row)}".strip()
        out.append({"id": q.id, "question": q.question, "answer": answer, "outcome": q.outcome, "citation": citation})
    return out
