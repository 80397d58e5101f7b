"""The classical classifier: character 2–4-gram TF-IDF (Korean needs no tokenizer at this level) and a
multinomial logistic regression (scikit-learn)."""
from __future__ import annotations

from lexlab.clauses.models import ClauseModel, Prediction


class Tfidf(ClauseModel):
    tasks = ("article",)

    def fit(self, train, labels) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.pipe = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, max_features=100_000, sublinear_tf=True),
            LogisticRegression(C=10.0, max_iter=300, random_state=self.cfg.seed))
        self.pipe.fit([e.text for e in train], [e.label for e in train])

    def predict(self, examples) -> list[Prediction]:
        proba = self.pipe.predict_proba([e.text for e in examples])
        classes = self.pipe.classes_
        return [Prediction(str(classes[row.argmax()]), float(row.max())) for row in proba]
