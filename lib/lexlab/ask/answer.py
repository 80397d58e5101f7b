"""The ``lexlab ask`` pipeline: retrieve → decide "not found" → generate → verify citations → guardrails.

Each question becomes one JSON object (the contract of ``lexlab ask``)::

    {"id", "question", "found": bool, "answer": str, "citations": [{"law", "article", "title", "score"}],
     "retrieved": [{"law", "article", "title", "score"}], "flags": [str]}

``citations`` are taken from the retrieved articles the generator says it relied on (indices, never text it wrote)
and each is checked again against the statute index: an article that is not in the snapshot or is deleted there
is dropped (flag ``citation_dropped``), so it can never be cited. An answer left without a citation is not an
answer: it becomes "not found" (flag ``no_citation``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from lexlab.ask import guardrails, not_found
from lexlab.ask.generators import Generation, Generator, Reference, get_generator
from lexlab.ask.retrieve import Confidence, Hit, RetrieverConfig, StatuteRetriever
from lexlab.ask.statute_index import StatuteIndex
from lexlab.workbench.config import check_choices, check_fraction, check_positive


@dataclass
class AskConfig:
    k: int = 5
    generator: str = "extractive"
    threshold: float | None = None     # None: the calibrated one (calibrated on first use)
    withhold: bool = True              # replace an answer that fails the number check by the cited text
    max_false_not_found: float = 0.1   # calibration target
    confidence: Confidence = "normalized"  # normalized | top (lexlab.ask.retrieve.StatuteRetriever.confidence)
    retriever: RetrieverConfig = field(default_factory=RetrieverConfig)
    timeout_s: float = 30.0            # openai:NAME only: seconds per request (one retry)

    def __post_init__(self):
        if self.threshold is not None and not math.isfinite(self.threshold):
            raise ValueError(f"threshold must be a finite number, got {self.threshold!r} (nan would answer every "
                             "question: no confidence is below it)")
        check_positive(self, "k", "timeout_s")
        check_fraction(self, "max_false_not_found")
        check_choices(self)


@dataclass
class AskResult:
    """One answer with what the evaluation also needs (the JSON contract is ``record()``)."""

    id: str
    question: str
    found: bool
    answer: str
    citations: list[Hit]
    retrieved: list[Hit]
    flags: list[str]
    confidence: float
    not_found_reason: str | None = None
    generation: Generation | None = None
    error: str | None = None           # the generator failed: no answer, and not a "not found" either

    def record(self) -> dict[str, Any]:
        """The JSON contract; ``error`` is there only when the generator failed."""
        hit = lambda h: {"law": h.law, "article": h.article, "title": h.title, "score": round(h.score, 4)}  # noqa: E731
        out = {"id": self.id, "question": self.question, "found": self.found, "answer": self.answer,
               "citations": [hit(h) for h in self.citations], "retrieved": [hit(h) for h in self.retrieved],
               "flags": list(self.flags)}
        return {**out, "error": self.error} if self.error else out


def references(index: StatuteIndex, hits: Sequence[Hit]) -> list[Reference]:
    out = []
    for h in hits:
        row = index.row(h.doc_id)
        out.append(Reference(h.doc_id, h.law, h.article, h.title, str(row["text"]), list(row["paragraphs"])))
    return out


def verified_citations(index: StatuteIndex, hits: Sequence[Hit], used: Sequence[int]) -> tuple[list[Hit], list[str]]:
    """The used hits that name an in-force article of the index (by law + article, not by trusting the id)."""
    cited, flags = [], []
    for i in dict.fromkeys(used):
        if not 0 <= i < len(hits):
            flags.append(f"citation_dropped:index {i}")
            continue
        h = hits[i]
        if index.lookup(h.law, h.article) != h.doc_id:
            why = "deleted" if index.is_deleted(h.law, h.article) else "not in snapshot"
            flags.append(f"citation_dropped:{h.law} {h.article} ({why})")
            continue
        cited.append(h)
    return cited, flags


class Asker:
    def __init__(self, index: StatuteIndex, config: AskConfig | None = None, retriever: StatuteRetriever | None = None,
                 generator: Generator | None = None, progress: bool = True):
        self.index = index
        self.config = config or AskConfig()
        self.retriever = retriever or StatuteRetriever(index, self.config.retriever, progress=progress)
        options = {"timeout_s": self.config.timeout_s} if self.config.generator.startswith("openai:") else {}
        self.generator = generator or get_generator(self.config.generator, **options)
        self.progress = progress
        self._threshold = self.config.threshold

    @property
    def threshold(self) -> float:
        if self._threshold is None:
            from lexlab.ask.calibration import ensure_calibration

            self._threshold = ensure_calibration(self.index, self.config, progress=self.progress).threshold
        return self._threshold

    def ask(self, items: Sequence[Mapping[str, Any]]) -> list[AskResult]:
        """``items``: ``{"id", "question"}`` mappings; one ``AskResult`` each, in order."""
        questions = [str(it["question"]) for it in items]
        cleaned = [not_found.clean_question(q) for q in questions]  # markup is not words to retrieve by
        hits = self.retriever.search(cleaned, self.config.k)
        conf = self.retriever.confidence(cleaned, hits, self.config.confidence)
        scope = [not_found.out_of_scope(q) for q in cleaned]
        reasons = [scope[i] or not_found.decide(c, self._unknown_law(q), self.threshold)
                   for i, (q, c) in enumerate(zip(cleaned, conf))]
        todo = [i for i, r in enumerate(reasons) if r is None and hits[i]]
        gens = dict(zip(todo, self.generator.generate([cleaned[i] for i in todo],
                                                      [references(self.index, hits[i]) for i in todo])))
        out = []
        for i, it in enumerate(items):
            reason = reasons[i] or (None if hits[i] else "no_hit")
            out.append(self._finish(str(it["id"]), questions[i], hits[i], conf[i], reason, gens.get(i)))
        return out

    def _unknown_law(self, question: str) -> bool:
        known, unknown = self.retriever.law_names.mentions(question)
        return bool(unknown) and not known

    def _finish(self, qid: str, question: str, hits: list[Hit], conf: float, reason: str | None,
                gen: Generation | None) -> AskResult:
        flags: list[str] = []
        if reason is None and gen is not None and gen.error:
            return AskResult(qid, question, False, "", [], hits, ["error:generator"], conf, None, gen, gen.error)
        if reason is None and gen is not None and not gen.answerable:
            reason = "generator_no_answer"
        cited: list[Hit] = []
        if reason is None and gen is not None:
            cited, flags = verified_citations(self.index, hits, gen.used)
            if not cited:
                reason = "no_citation"
        if reason is not None:
            text = not_found.GENERATOR_SAYS_NO if reason == "generator_no_answer" else not_found.NOT_FOUND_ANSWER
            return AskResult(qid, question, False, guardrails.with_notice(text), [], hits, flags + [f"not_found:{reason}"],
                             conf, reason, gen)
        refs = references(self.index, cited)
        texts = [f"{r.heading()} {r.body()}" for r in refs]
        from lexlab.ask.generators.extractive import best_paragraph

        fallback = f"{refs[0].heading()}: {best_paragraph(question, refs[0])}"
        answer, gflags = guardrails.check(gen.answer, texts, fallback, self.config.withhold)
        return AskResult(qid, question, True, guardrails.with_notice(answer), cited, hits, flags + gflags, conf,
                         None, gen)
