"""The floor: every article gets the most frequent training type."""
from __future__ import annotations

from collections import Counter

from lexlab.clauses.models import ClauseModel, Prediction


class Majority(ClauseModel):
    tasks = ("article",)

    def fit(self, train, labels) -> None:
        counts = Counter(e.label for e in train)
        self.label, n = counts.most_common(1)[0]
        self.share = n / len(train)

    def predict(self, examples) -> list[Prediction]:
        return [Prediction(self.label, self.share) for _ in examples]
