"""Stage 2's ensemble: the same span model fine-tuned from several seeds; their disagreement is the uncertainty.

A document's probability of holding personal data is its highest token probability; the ensemble reports the
members' mean (``p``) and standard deviation (``uncertainty``), and the spans of the mean token probabilities.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from lexlab.review import spans as span_model
from lexlab.workbench.progress import item_bar


@dataclass
class Prediction:
    p: np.ndarray                 # mean over members of the document probability
    uncertainty: np.ndarray       # standard deviation over members of the document probability
    members: np.ndarray           # (members × documents) document probabilities
    spans: list[list[dict]]       # per document: spans of the mean token probabilities at the span threshold
    texts: Sequence[str]
    token_means: list[tuple[np.ndarray, list[tuple[int, int]]]]  # per document: mean token probs, offsets

    def spans_at(self, threshold: float) -> list[list[dict]]:
        """Per document: the spans of the mean token probabilities at ``threshold``."""
        out = []
        for text, (mean, offsets) in zip(self.texts, self.token_means):
            found = (trim(text, s) for s in span_model.spans_from_tokens(mean, offsets, threshold))
            out.append([s for s in found if s["end"] > s["start"]])
        return out


def member_configs(base: span_model.SpanConfig, seeds: Sequence[int]) -> list[span_model.SpanConfig]:
    root = Path(base.out_dir)
    return [dataclasses.replace(base, seed=s, out_dir=str(root / f"seed{s}")) for s in seeds]


def train(train_docs: Sequence[dict], base: span_model.SpanConfig, seeds: Sequence[int], tokenizer) -> list:
    """One ``TrainResult`` per seed (each resumes, or loads a finished member)."""
    return [span_model.train_span_model(train_docs, cfg, tokenizer)
            for cfg in item_bar(member_configs(base, seeds), desc="ensemble members")]


def trim(text: str, span: dict) -> dict:
    """A span without the whitespace and punctuation the byte-level tokens carry at its edges."""
    start, end = span["start"], span["end"]
    while start < end and (text[start].isspace() or text[start] in "(,"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "),."):
        end -= 1
    return {**span, "start": start, "end": end}


def predict(final_dirs: Sequence[str], tokenizer, texts: Sequence[str], max_tokens: int,
            span_threshold: float) -> Prediction:
    per_member = []
    for d in item_bar(final_dirs, desc="ensemble predict"):
        per_member.append(span_model.token_probs(span_model.load_member(d), tokenizer, texts, max_tokens))
    members = np.array([[float(p.max()) if p.size else 0.0 for p, _ in m] for m in per_member])
    means = [(np.mean([m[i][0] for m in per_member], axis=0), per_member[0][i][1]) for i in range(len(texts))]
    pred = Prediction(p=members.mean(axis=0), uncertainty=members.std(axis=0), members=members, spans=[],
                      texts=texts, token_means=means)
    pred.spans = pred.spans_at(span_threshold)
    return pred


def span_scores(pred_spans: Sequence[Sequence[dict]], gold_spans: Sequence[Sequence[dict]]) -> dict[str, float]:
    """Span precision / recall by overlap: a predicted span is right if it overlaps a gold span, a gold span is
    found if a predicted span overlaps it."""
    def overlaps(a, b):
        return a["start"] < b["end"] and b["start"] < a["end"]

    tp_p = sum(any(overlaps(p, g) for g in gold) for pred, gold in zip(pred_spans, gold_spans) for p in pred)
    tp_g = sum(any(overlaps(p, g) for p in pred) for pred, gold in zip(pred_spans, gold_spans) for g in gold)
    n_p, n_g = sum(map(len, pred_spans)), sum(map(len, gold_spans))
    return {"span_precision": tp_p / n_p if n_p else float("nan"), "span_recall": tp_g / n_g if n_g else float("nan"),
            "predicted_spans": n_p, "gold_spans": n_g}
