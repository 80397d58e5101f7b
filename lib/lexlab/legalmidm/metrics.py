"""Scores for the legal tasks: ROUGE-L that can read Korean, accuracy, bootstrap CIs, the task average.

rouge-score's default tokenizer keeps only ``[a-z0-9]``, so every Korean string tokenizes to nothing and scores 0 —
even a prediction identical to its reference. We always pass our own tokenizer and put its name into the metric
name (``rougeL_char``, ``rougeL_morph``), because ROUGE-L over characters and over morphemes are different numbers
and must never be averaged or compared with each other.
"""
from __future__ import annotations

import math
import re
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from rouge_score import rouge_scorer
from rouge_score.tokenizers import Tokenizer


_WORD_CHAR = re.compile(r"\w", re.UNICODE)


class CharTokenizer(Tokenizer):
    """One token per word character (Hangul syllable, letter, digit); whitespace and punctuation drop out.

    Characters are the default because they need no extra package and Korean spacing is inconsistent in legal text
    (조사 attach to nouns), which makes whitespace words a poor unit.
    """

    name = "char"

    def tokenize(self, text: str) -> list[str]:
        return _WORD_CHAR.findall((text or "").lower())


class MorphTokenizer(Tokenizer):
    """kiwipiepy morphemes (surface forms), for users who want scores closer to word-level ROUGE.

    Optional: needs ``pip install kiwipiepy`` (the ``morph`` extra); its model package is ~105 MB.
    """

    name = "morph"

    def __init__(self) -> None:
        try:
            from kiwipiepy import Kiwi
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "ROUGE tokenizer 'morph' needs kiwipiepy: pip install 'lexlab[morph]' (or use tokenizer='char')"
            ) from exc
        self._kiwi = Kiwi()

    def tokenize(self, text: str) -> list[str]:
        if not text or not text.strip():
            return []
        return [t.form.lower() for t in self._kiwi.tokenize(text) if _WORD_CHAR.search(t.form)]


_TOKENIZERS: dict[str, Callable[[], Tokenizer]] = {"char": CharTokenizer, "morph": MorphTokenizer}
_SCORERS: dict[str, rouge_scorer.RougeScorer] = {}


def available_tokenizers() -> list[str]:
    """Tokenizer names usable in this environment (``morph`` only when kiwipiepy imports)."""
    names = ["char"]
    try:
        import kiwipiepy  # noqa: F401

        names.append("morph")
    except ImportError:
        pass
    return names


def _scorer(tokenizer: str) -> rouge_scorer.RougeScorer:
    if tokenizer not in _TOKENIZERS:
        raise ValueError(f"unknown ROUGE tokenizer {tokenizer!r}; choose from {sorted(_TOKENIZERS)}")
    if tokenizer not in _SCORERS:
        _SCORERS[tokenizer] = rouge_scorer.RougeScorer(["rougeL"], tokenizer=_TOKENIZERS[tokenizer]())
    return _SCORERS[tokenizer]


def rouge_metric_name(tokenizer: str = "char") -> str:
    """The name a ROUGE-L score is logged under, e.g. ``rougeL_char``."""
    return f"rougeL_{tokenizer}"


def rouge_l(predictions: Sequence[str], references: Sequence[str], tokenizer: str = "char") -> np.ndarray:
    """Per-example ROUGE-L F1 in [0, 1]. Empty prediction or reference scores 0 (rouge-score's convention)."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    scorer = _scorer(tokenizer)
    # rouge-score's signature is score(target, prediction): reference first.
    return np.array(
        [scorer.score(ref or "", pred or "")["rougeL"].fmeasure for pred, ref in zip(predictions, references)],
        dtype=float,
    )


def accuracy(predicted: Sequence[int], labels: Sequence[int]) -> np.ndarray:
    """Per-example 0/1 correctness, so it can be bootstrapped like any other per-example score."""
    if len(predicted) != len(labels):
        raise ValueError(f"{len(predicted)} predictions but {len(labels)} labels")
    return np.array([float(int(p) == int(y)) for p, y in zip(predicted, labels)], dtype=float)


# Numbers that qualify a score (its interval, its sample size, prompts cut to fit) are logged as params: a metric
# gets a chart in MLflow's chart view, and 63 one-bar charts of ".ci_low" and ".n" hide the scores.
# ``compare.tidy_runs`` reads them back as numbers.
DETAIL_SUFFIXES = (".ci_low", ".ci_high", ".n", ".truncated_prompts")


def is_detail(name: str) -> bool:
    return name.endswith(DETAIL_SUFFIXES)


def same_task_average(scores: pd.DataFrame, reference: pd.Series | None = None) -> tuple[pd.Series, list[str]]:
    """Each row's mean over the same tasks: the columns every reference row (the models, not the baselines) has a
    score for. A row missing one of them gets NaN (no average) rather than an average over an easier subset: the
    extractive baseline has no multiple-choice score, and its mean over the 4 summary/QA tasks it has beside the
    models' mean over 10 read as if it won. Returns (averages, the tasks averaged over)."""
    pool = scores[reference] if reference is not None and bool(reference.any()) else scores
    shared = [c for c in scores.columns if len(pool) and pool[c].notna().all()]
    avg = scores[shared].mean(axis=1, skipna=False) if shared else pd.Series(math.nan, index=scores.index)
    return avg, shared


def task_average(scores: Mapping[str, float]) -> float:
    """The paper's headline number: the unweighted mean of each task's primary score (higher-is-better only).

    Perplexity is not averaged in: lower is better and its scale is unrelated to ROUGE or accuracy. Tasks that
    were not run are left out rather than counted as 0, so always read the average with its task list.
    """
    vals = [float(v) for v in scores.values() if v is not None and not math.isnan(float(v))]
    return float(np.mean(vals)) if vals else math.nan
