"""The dense retriever behind an embedded vector store: LanceDB, registered as ``lancedb`` in the retrieval registry.

Why LanceDB (not Chroma): it runs in-process from files (no server), keeps vectors with typed columns in one
Arrow table, and filters **before** the nearest-neighbour cut (``prefilter``) with exact (flat) search below the
size where an ANN index pays: the no-future-citation rule (``date < question's date``) then never leaves a query
with fewer than k precedents, and results are exact and repeatable. It adds four small packages to the
environment (pyarrow is already in); chromadb 1.5 brings onnxruntime, grpc and an OpenTelemetry stack.

Embeddings: a dense encoder when ``model`` is given (the registry's ``dense`` retriever encodes: a trained
Contriever-style encoder, an HF encoder or a sentence-transformers model), otherwise LSA — TF-IDF over
character bigrams reduced by truncated SVD to ``dim`` dimensions, fit on the corpus (no pretrained Korean
encoder can be downloaded here). Cosine distance; a score is 1 − distance.
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np

from lexlab.legalsearchlm.retrieval import Retriever, excluded_ids, get_retriever, register

TABLE = "decisions"
EARLIER_EXCLUDED = 20  # room for excluded ids the date filter leaves in (the query's earlier appeal chain)
ENCODE_CHARS = 3000  # characters of a decision an encoder sees (its issue, summary and the start of 이유)


class LSA:
    """TF-IDF over character bigrams → truncated SVD → unit vectors."""

    def __init__(self, dim: int):
        self.dim = dim
        self.vectorizer = self.svd = None

    def fit(self, texts: list[str]) -> "LSA":
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 2), sublinear_tf=True, min_df=2)
        tfidf = self.vectorizer.fit_transform(texts)
        self.svd = TruncatedSVD(n_components=min(self.dim, tfidf.shape[1] - 1, len(texts) - 1), random_state=0)
        self.svd.fit(tfidf)
        return self

    def encode(self, texts: list[str]) -> np.ndarray:
        v = self.svd.transform(self.vectorizer.transform(texts)).astype(np.float32)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


@register("lancedb")
class LanceDBRetriever(Retriever):
    """Options: ``model`` (a dense encoder; empty: LSA), ``dim`` (LSA dimensions), ``path`` (where the store
    lives before `save`; default a temporary folder)."""

    def __init__(self, model: str = "", dim: int = 256, **kw):
        super().__init__(model=model or "", dim=int(dim), **kw)
        self._lsa: LSA | None = None
        self._dense = None
        self._table = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.options["model"]:
            if self._dense is None:
                self._dense = get_retriever("dense", model=self.options["model"])
            return self._dense.encode_texts([t[:ENCODE_CHARS] for t in texts])
        return self._lsa.encode([t[:ENCODE_CHARS] for t in texts])

    def _index(self, texts, records) -> None:
        import tempfile

        if not self.options["model"]:
            self._lsa = LSA(self.options["dim"]).fit([t[:ENCODE_CHARS] for t in texts])
        vectors = self.encode(list(texts))
        rows = [{"id": str(r["id"]), "date": str(r.get("date") or ""), "vector": v.tolist()}
                for r, v in zip(records, vectors)]
        self._open(Path(tempfile.mkdtemp(prefix="lexlab-lancedb-")), rows)

    def _open(self, path: Path, rows: list[dict] | None = None) -> None:
        os.environ.setdefault("LANCE_LOG", "error")  # not a warning per new table into every notebook
        import lancedb

        db = lancedb.connect(str(path))
        self._path = path
        self._table = db.create_table(TABLE, data=rows, mode="overwrite") if rows else db.open_table(TABLE)

    def _search(self, texts, ks, queries):
        vectors = self.encode(list(texts))
        out = []
        for v, k, q in zip(vectors, ks, queries):
            search = self._table.search(v).metric("cosine").select(["id", "_distance"])
            if q.get("before"):  # the date rule inside the store: only the few earlier excluded ids remain to skip
                search = search.where(f"date < '{_quote(q['before'])}'", prefilter=True)
                k = k - len(excluded_ids(q)) + EARLIER_EXCLUDED
            out.append([(r["id"], 1.0 - float(r["_distance"]))
                        for r in search.limit(max(1, min(k, len(self.doc_ids)))).to_list()])
        return out

    def _save(self, path: Path) -> None:
        rows = self._table.to_arrow().to_pylist()
        self._open(path / "lancedb", rows)
        if self._lsa is not None:
            (path / "lsa.pkl").write_bytes(pickle.dumps(self._lsa))

    def _load(self, path: Path) -> None:
        if (path / "lsa.pkl").exists():
            self._lsa = pickle.loads((path / "lsa.pkl").read_bytes())
        self._open(path / "lancedb")


def _quote(value: str) -> str:
    """A date for a SQL string literal (dates are ISO; anything else loses its quotes)."""
    return str(value).replace("'", "")
