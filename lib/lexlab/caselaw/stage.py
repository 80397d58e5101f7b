"""Stage 13 in a few calls (the notebook stays thin): held-out questions, the systems, their scored rows."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from lexlab.caselaw.answer import AnswerConfig, CaseAnswerer
from lexlab.caselaw.config import CaseOutcomeConfig
from lexlab.caselaw.corpus import CaseLaw
from lexlab.caselaw.evaluation import score_rows
from lexlab.caselaw.predict import training_majority
from lexlab.caselaw.questions import build_questions
from lexlab.caselaw.retrieve import case_retriever
from lexlab.data.splits import case_split


@dataclass
class Setup:
    caselaw: CaseLaw
    questions: pd.DataFrame            # the held-out questions asked
    leak: dict                         # build_questions' statistics (leak_rate is the measured leak)
    train: pd.DataFrame                # the training split's decisions
    majority: tuple[str, float]        # the training split's majority outcome and its share
    by_instance: dict                  # instance → its training majority and share (a stronger prior)
    seconds: dict = field(default_factory=dict)


def prepare(decisions: pd.DataFrame, cfg: CaseOutcomeConfig) -> Setup:
    """Split the decisions (appeal chains together), build the held-out questions and the majority class."""
    decisions = decisions.assign(split=case_split(decisions).to_numpy())
    questions, leak = build_questions(decisions[decisions["split"] == cfg.split])
    if cfg.max_questions and len(questions) > cfg.max_questions:
        questions = questions.sample(cfg.max_questions, random_state=cfg.seed).reset_index(drop=True)
    train = decisions[decisions["split"] == "train"]
    train_questions, _ = build_questions(train)
    by_instance = {i: training_majority(g["outcome"]) for i, g in train_questions.groupby("instance")}
    return Setup(CaseLaw(decisions), questions, leak, train, training_majority(train_questions["outcome"]),
                 by_instance)


def items(questions: pd.DataFrame) -> list[dict]:
    return [{"id": r.id, "question": r.question, "case_id": r.id, "instance": r.instance}
            for r in questions.itertuples()]


def answer_config(cfg: CaseOutcomeConfig, setup: Setup, generator: str) -> AnswerConfig:
    return AnswerConfig(generator=generator, depth=cfg.depth, k=cfg.k, same_instance=cfg.same_instance,
                        citations=cfg.citations, min_score=cfg.min_score, majority=setup.majority,
                        by_instance=setup.by_instance, llm_base_url=cfg.llm_base_url)


def systems(cfg: CaseOutcomeConfig) -> list[tuple[str, str, str | None]]:
    """(system name, generator, retrieval method) in the order the stage runs them; majority first."""
    out = [("majority", "majority", None), ("instance_majority", "instance_majority", None)]
    out += [(f"vote_{m}", "vote", m) for m in cfg.retriever_names()]
    if cfg.llm_model:
        out.append((f"openai_{cfg.retriever_names()[0]}", f"openai:{cfg.llm_model}", cfg.retriever_names()[0]))
    return out


def run_systems(setup: Setup, cfg: CaseOutcomeConfig, snapshot_version: str | None) -> tuple[pd.DataFrame, dict]:
    """Every system's scored rows and its answers (``{system: [record, ...]}``); times go to ``setup.seconds``."""
    rows, answers, retrievers = [], {}, {}
    for name, generator, method in systems(cfg):
        t0 = time.perf_counter()
        if method and method not in retrievers:
            retrievers[method] = case_retriever(method, setup.caselaw, snapshot_version,
                                                **cfg.retriever_options(method))
            setup.seconds[f"index_{method}"] = time.perf_counter() - t0
            t0 = time.perf_counter()
        answerer = CaseAnswerer(setup.caselaw, retrievers.get(method), answer_config(cfg, setup, generator))
        answers[name] = answerer.answer(items(setup.questions))
        setup.seconds[f"answer_{name}"] = time.perf_counter() - t0
        rows.append(score_rows(answers[name], setup.questions, setup.caselaw, name))
    return pd.concat(rows, ignore_index=True), answers
