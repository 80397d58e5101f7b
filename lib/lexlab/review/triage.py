"""Stage 1, triage: cheap and recall-first. Hand-written rules for the forms personal data takes (주민등록번호,
phone and account numbers, road addresses, a name after a private party's role) feed, with character n-grams,
one small logistic regression; its threshold is set on dev as the highest that keeps recall >= the target.
A document under the threshold is released without the precision model ever reading it."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lexlab.review import pii

_SURNAME = f"[{pii.SURNAMES}]"
RULES: dict[str, re.Pattern] = {
    "rrn": re.compile(r"\d{6}\s?-\s?[1-4]\d{6}"),
    "phone": re.compile(r"(?<![\d-])0(?:1[016789]|2|[3-6]\d)-\d{3,4}-\d{4}(?![\d-])"),
    "account": re.compile(r"(?:은행|뱅크|농협)\s?\d{2,6}-\d{2,6}-\d{2,7}"),
    "address": re.compile(r"(?:[시군구])\s\S+(?:로|길)\s\d{1,4}(?:,\s?\d{2,4}동)?"),
    "private_name": re.compile(rf"(?:{'|'.join(pii.PRIVATE_ROLES)})\s{_SURNAME}[가-힣]{{1,2}}(?=[은는이가의을를에과와(,\s])"),
    "unmasked_party": re.compile(rf"(?:피해자|공소외|고소인)\s(?![A-Z\d]){_SURNAME}"),
}


def rule_counts(texts: Sequence[str]) -> np.ndarray:
    """(documents × rules) match counts, log-scaled."""
    return np.log1p(np.array([[len(r.findall(t)) for r in RULES.values()] for t in texts], dtype=float))


def rule_hits(text: str) -> list[dict]:
    """Every rule match in ``text`` as ``{"start", "end", "kind"}`` (what stage 1 would point a reviewer at)."""
    return sorted(({"start": m.start(), "end": m.end(), "kind": k} for k, r in RULES.items()
                   for m in r.finditer(text)), key=lambda s: s["start"])


@dataclass
class Triage:
    """Rules + character n-grams → logistic regression; ``threshold`` set by ``set_threshold``."""

    ngram_max: int = 3
    max_features: int = 50_000
    c: float = 4.0
    threshold: float = 0.5

    def fit(self, texts: Sequence[str], y: Sequence[int], seed: int = 0) -> "Triage":
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, self.ngram_max),
                                          max_features=self.max_features, sublinear_tf=True)
        x = hstack([self.vectorizer.fit_transform(texts), rule_counts(texts)]).tocsr()
        self.model = LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000, random_state=seed)
        self.model.fit(x, np.asarray(y))
        return self

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        from scipy.sparse import hstack

        x = hstack([self.vectorizer.transform(texts), rule_counts(texts)]).tocsr()
        return self.model.predict_proba(x)[:, 1]

    def set_threshold(self, scores: Sequence[float], y: Sequence[int], recall: float) -> float:
        self.threshold = threshold_for_recall(scores, y, recall)
        return self.threshold

    def passes(self, scores: Sequence[float]) -> np.ndarray:
        return np.asarray(scores) >= self.threshold


def threshold_for_recall(scores: Sequence[float], y: Sequence[int], recall: float) -> float:
    """The highest threshold t such that ``score >= t`` keeps at least ``recall`` of the positives."""
    pos = np.sort(np.asarray(scores, dtype=float)[np.asarray(y, dtype=bool)])
    if pos.size == 0:
        raise ValueError("no positives to set a recall threshold on")
    keep = math.ceil(recall * pos.size - 1e-9)
    return float(pos[pos.size - keep]) if keep else float("inf")


def recall_and_pass_rate(passed: Sequence[bool], y: Sequence[int]) -> dict[str, float]:
    """Recall of the positives that pass, and the share of all documents passed on to stage 2."""
    passed, y = np.asarray(passed, dtype=bool), np.asarray(y, dtype=bool)
    return {"recall": float(passed[y].mean()) if y.any() else math.nan, "pass_rate": float(passed.mean())}
