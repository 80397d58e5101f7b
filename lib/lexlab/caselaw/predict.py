"""Outcome generators over retrieved precedents, and the answer JSON with checked citations.

Generators (``get_generator``): ``majority`` (the training split's most common outcome, no citation: the floor),
``vote`` (the no-model baseline: the retrieved precedents' outcomes weighted by retrieval score, optionally only
those of the question's instance) and ``openai:NAME`` (any OpenAI-compatible model reads the precedents and answers
as JSON). Whatever a generator cites goes through `CaseLaw.check_citation` (exists, decided earlier, not the case or
its appeal chain, passage verbatim); a failing citation is dropped and flagged, and an answer that cited and kept
none becomes "not found".
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from lexlab.caselaw.corpus import CaseLaw, Citation
from lexlab.caselaw.outcomes import LABELS, NOT_FOUND


@dataclass
class Prediction:
    outcome: str
    answer: str
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    cites: bool = True  # False for a generator that never cites (majority): no "no citation" rule


@dataclass
class Question:
    id: str
    question: str
    case_id: str | None = None   # the decision asked about (its chain and later decisions are not citable)
    before: str | None = None    # or only a date: precedents decided strictly before it
    instance: str | None = None  # 상고심 / 항소심 / 제1심 when known


def not_found(reason: str) -> Prediction:
    return Prediction(NOT_FOUND, "관련 선례를 찾지 못했습니다.", 0.0, flags=[f"not_found:{reason}"])


def vote(q: Question, hits: Sequence[tuple[str, float]], caselaw: CaseLaw, k: int = 10, same_instance: bool = True,
         n_citations: int = 3, min_score: float = 0.0) -> Prediction:
    """The score-weighted vote of the best ``k`` retrieved precedents' outcomes (each score over the best one)."""
    if same_instance and q.instance:
        hits = [(c, s) for c, s in hits if caselaw.instance.get(c) == q.instance]
    hits = [(c, s) for c, s in hits if s > min_score][:k]
    if not hits:
        return not_found("no_precedent")
    top = max(s for _, s in hits)
    weights: Counter = Counter()
    for c, s in hits:
        weights[caselaw.outcome[c]] += s / top
    label, weight = max(weights.items(), key=lambda kv: (kv[1], -LABELS.index(kv[0])))
    confidence = weight / sum(weights.values())
    cited = [caselaw.citation(c, q.question) for c, _ in hits if caselaw.outcome[c] == label][:n_citations]
    answer = (f"유사 선례 {len(hits)}건의 결론을 점수로 가중하면 '{label}'이 {confidence:.0%}로 가장 많습니다: "
              f"'{label}'로 예상됩니다 (근거: {', '.join(c.case_no for c in cited)}).")
    return Prediction(label, answer, confidence, cited)


def majority(label: str, share: float) -> Prediction:
    return Prediction(label, f"가장 흔한 결론인 '{label}'로 예상합니다 (선례를 보지 않은 기준선).", share, cites=False)


def check_citations(pred: Prediction, q: Question, caselaw: CaseLaw) -> Prediction:
    """Drop (and flag) every citation that fails `CaseLaw.check_citation`; no citation left → "not found"."""
    kept = []
    for c in pred.citations:
        why = caselaw.check_citation(c.record(), q.case_id, q.before)
        if why:
            pred.flags.append(f"citation_dropped:{c.case_no}:{why}")
        else:
            kept.append(c)
    pred.citations = kept
    if pred.cites and pred.outcome != NOT_FOUND and not kept:
        flags = pred.flags + ["no_citation"]
        pred = not_found("no_valid_citation")
        pred.flags = flags + pred.flags
    return pred


def record(q: Question, pred: Prediction, hits: Sequence[tuple[str, float]], caselaw: CaseLaw) -> dict:
    """The answer as JSON (the contract of ``lexlab ask --over cases``)."""
    return {"id": q.id, "question": q.question, "found": pred.outcome != NOT_FOUND, "outcome": pred.outcome,
            "answer": pred.answer, "confidence": round(pred.confidence, 4),
            "citations": [c.record() for c in pred.citations],
            "retrieved": [{"case_no": c, "score": round(s, 4), "outcome": caselaw.outcome[c]} for c, s in hits],
            "flags": list(pred.flags)}


def training_majority(outcomes: Sequence[str]) -> tuple[str, float]:
    """(the most common outcome, its share) — ties go to the earlier label of ``LABELS``."""
    counts = Counter(outcomes)
    if not counts:
        raise ValueError("no training outcomes to take the majority of")
    label = max(counts, key=lambda k: (counts[k], -LABELS.index(k)))
    return label, counts[label] / sum(counts.values())


def as_questions(items: Sequence[Mapping]) -> list[Question]:
    return [Question(str(i["id"]), str(i["question"]), i.get("case_id"), i.get("before"), i.get("instance"))
            for i in items]
