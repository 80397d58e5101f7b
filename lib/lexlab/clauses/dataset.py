"""What one run of the stage learns from and is scored on: the examples of the configured source, split, with
the label set and the training set as the config sizes it."""
from __future__ import annotations

import random
from dataclasses import dataclass

from lexlab.clauses import byo, data
from lexlab.clauses.spans import STATUTE_SPAN_LABELS
from lexlab.clauses.types import OTHER


@dataclass
class Dataset:
    examples: list[data.Example]   # every example, each with its split
    train: list[data.Example]      # the training set the models see (balanced and capped as configured)
    test: list[data.Example]
    labels: list[str]              # clause types (article task, "other" last) or span labels


def build(cfg) -> Dataset:
    examples = _examples(cfg)
    if cfg.task == "article":
        types = sorted({e.label for e in examples} - {OTHER}, key=lambda t: -sum(e.label == t for e in examples))
        labels = [*types, OTHER]
    else:
        labels = cfg.label_names() or (byo.labels_of(examples) if cfg.data == "jsonl" else list(STATUTE_SPAN_LABELS))
    train = _training_set(cfg, data.by_split(examples, "train"))
    test = _sample(data.by_split(examples, "test"), cfg.max_test, cfg.seed)
    return Dataset(examples, train, test, labels)


def _examples(cfg) -> list[data.Example]:
    if cfg.data == "jsonl":
        fractions = dict(dev=cfg.dev_fraction, test=cfg.test_fraction)
        if not cfg.jsonl_test:
            return byo.load_labelled(cfg.jsonl_train, cfg.label_names(), **fractions)
        return (byo.load_labelled(cfg.jsonl_train, cfg.label_names(), split="train")
                + byo.load_labelled(cfg.jsonl_test, cfg.label_names(), split="test"))
    articles = data.load_statute_articles(cfg.statutes)
    examples = data.statute_examples(articles, dev=cfg.dev_fraction, test=cfg.test_fraction)
    return data.group_rare(examples, cfg.min_type_articles)


def _training_set(cfg, train: list[data.Example]) -> list[data.Example]:
    """Article task: at most ``other_per_typed`` "other" articles per typed one (seeded); then ``max_train``."""
    if cfg.task == "article" and cfg.other_per_typed > 0:
        typed = [e for e in train if e.label != OTHER]
        other = _sample([e for e in train if e.label == OTHER], int(cfg.other_per_typed * len(typed)), cfg.seed)
        train = sorted(typed + other, key=lambda e: e.id)
    return _sample(train, cfg.max_train, cfg.seed)


def _sample(items: list, n: int, seed: int) -> list:
    """A seeded subset of ``n`` in the original order; all when ``n`` is 0 or covers them."""
    if not n or n >= len(items):
        return list(items)
    keep = set(random.Random(seed).sample(range(len(items)), n))
    return [x for i, x in enumerate(items) if i in keep]
