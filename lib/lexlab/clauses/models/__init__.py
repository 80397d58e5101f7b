"""The clause extractors, one module per variant, imported only when asked for.

Every model takes the stage config, learns from training examples (``fit``) and returns one ``Prediction`` per
example (``predict``): the clause type with a confidence for the article task, character spans for the span task.
``tasks`` says which of the two it does. Adding a variant is a module here and a line in ``REGISTRY``.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Sequence

from lexlab.clauses.spans import Span

REGISTRY = {
    "majority": "lexlab.clauses.models.majority:Majority",   # the most frequent training type
    "rules": "lexlab.clauses.models.rules:Rules",            # keyword rules, written once (rules.RULES)
    "tfidf": "lexlab.clauses.models.tfidf:Tfidf",            # character n-gram TF-IDF + logistic regression
    "finetune": "lexlab.clauses.models.finetune:FineTuned",  # a transformer fine-tuned through lexlab.models.trainer
}


@dataclass
class Prediction:
    label: str = ""
    confidence: float = 1.0
    spans: list[Span] = field(default_factory=list)


class ClauseModel:
    name = ""
    tasks: tuple[str, ...] = ("article",)

    def __init__(self, cfg):
        self.cfg = cfg

    def fit(self, train: Sequence, labels: Sequence[str]) -> None:
        """Learn from training examples; ``labels`` are the clause types (article task) or span labels."""

    def predict(self, examples: Sequence) -> list[Prediction]:
        raise NotImplementedError


def _class(name: str) -> type[ClauseModel]:
    if name not in REGISTRY:
        raise ValueError(f"unknown clause model {name!r}; known: {sorted(REGISTRY)}")
    module, _, cls = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def make(name: str, cfg) -> ClauseModel:
    """A registered model by name; an unknown name is an error listing the known ones."""
    model = _class(name)(cfg)
    model.name = name
    return model


def supports(name: str, task: str) -> bool:
    """Whether the model does ``task`` ("article" or "span")."""
    return task in _class(name).tasks
