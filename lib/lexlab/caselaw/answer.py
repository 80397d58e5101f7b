"""Questions in, answer JSON out: retrieve citable precedents, predict with a generator, check the citations."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from lexlab.caselaw.corpus import CaseLaw
from lexlab.caselaw.predict import (Question, as_questions, check_citations, majority, record, vote)
from lexlab.legalsearchlm.retrieval import Retriever


NO_RETRIEVAL = ("majority", "instance_majority")  # baselines that look at no precedent


@dataclass
class AnswerConfig:
    generator: str = "vote"        # vote | majority | instance_majority | openai:NAME
    depth: int = 100               # retrieved per question
    k: int = 10                    # of those, the best k of the question's instance vote
    same_instance: bool = True
    citations: int = 3
    min_score: float = 0.0
    majority: tuple[str, float] = ("상고기각", 0.0)  # the training split's majority outcome and its share
    by_instance: dict = field(default_factory=dict)  # instance → (its training majority, share)
    llm_base_url: str = ""


class CaseAnswerer:
    def __init__(self, caselaw: CaseLaw, retriever: Retriever | None, config: AnswerConfig):
        if config.generator not in (*NO_RETRIEVAL, "vote") and not config.generator.startswith("openai:"):
            raise ValueError(f"unknown generator {config.generator!r} (vote, majority, instance_majority, "
                             "openai:NAME)")
        if config.generator not in NO_RETRIEVAL and retriever is None:
            raise ValueError(f"generator {config.generator!r} needs a retriever")
        self.caselaw, self.retriever, self.config = caselaw, retriever, config

    def retrieve(self, questions: Sequence[Question]) -> list[list[tuple[str, float]]]:
        if self.retriever is None:
            return [[] for _ in questions]
        queries = [self.caselaw.query(q.id, q.question, q.case_id, q.before) for q in questions]
        run = self.retriever.search(queries, k=self.config.depth)
        return [run.get(q.id, []) for q in questions]

    def answer(self, items: Sequence[Mapping]) -> list[dict]:
        """One answer record per item ``{"id", "question", optional "case_id" / "before" / "instance"}``."""
        questions = as_questions(items)
        hits = self.retrieve(questions)
        cfg = self.config
        if cfg.generator == "majority":
            preds = [majority(*cfg.majority) for _ in questions]
        elif cfg.generator == "instance_majority":
            preds = [majority(*cfg.by_instance.get(q.instance, cfg.majority)) for q in questions]
        elif cfg.generator == "vote":
            preds = [vote(q, h, self.caselaw, cfg.k, cfg.same_instance, cfg.citations, cfg.min_score)
                     for q, h in zip(questions, hits)]
        else:
            from lexlab.caselaw.llm import OpenAIOutcome

            llm = OpenAIOutcome(cfg.generator.split(":", 1)[1], cfg.llm_base_url or None)
            preds = llm.predict(questions, hits, self.caselaw)
        return [record(q, check_citations(p, q, self.caselaw), h, self.caselaw)
                for q, p, h in zip(questions, preds, hits)]
