"""Keyword rules, written once: what a reader gets without any learning.

Article task: the first row of ``RULES`` whose keyword occurs in the text names the type (rows for types the data
set does not have are skipped), else ``other``. Span task: the statutes' own markers (``spans.marker_spans``: 다만
provisos and 준용 sentences), for the labels the data set has; on statutes that is how the spans were labelled, so
it scores 1 there by construction and is a baseline only on a team's own labels.
"""
from __future__ import annotations

from lexlab.clauses.models import ClauseModel, Prediction
from lexlab.clauses.spans import marker_spans
from lexlab.clauses.types import OTHER

# (type, keywords), tried in order: the specific phrasings before the general ones
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("공무원의제", ("공무원으로 본다",)),
    ("양벌규정", ("행위자를 벌하는 외에",)),
    ("미수범", ("미수범은 처벌한다",)),
    ("과태료", ("과태료를 부과한다", "과태료의 부과기준")),
    ("벌칙", ("징역", "벌금")),
    ("과징금", ("과징금",)),
    ("목적", ("목적으로 한다",)),
    ("정의", ("뜻은 다음과 같다", "이란 다음", "이란 ")),
    ("다른법률과의관계", ("다른 법률에 특별한 규정이", "다른 법률에 우선하여")),
    ("규제재검토", ("타당성을 검토하여", "개선 등의 조치를 하여야 한다")),
    ("고유식별정보", ("고유식별정보", "주민등록번호가 포함된 자료")),
    ("위임위탁", ("위임할 수 있다", "위탁할 수 있다", "위임한다", "위탁한다")),
    ("청문", ("청문을 하여야",)),
    ("수수료", ("수수료를 내야", "수수료를 납부")),
    ("준용", ("준용한다",)),
    ("적용범위", ("적용하지 아니한다", "적용한다")),
)


def rule_type(text: str, labels) -> str:
    for kind, keywords in RULES:
        if kind in labels and any(k in text for k in keywords):
            return kind
    return OTHER


class Rules(ClauseModel):
    tasks = ("article", "span")

    def fit(self, train, labels) -> None:
        self.labels = set(labels)

    def predict(self, examples) -> list[Prediction]:
        if self.cfg.task == "span":
            return [Prediction(spans=[s for s in marker_spans(e.text) if s.label in self.labels]) for e in examples]
        return [Prediction(rule_type(e.text, self.labels)) for e in examples]
