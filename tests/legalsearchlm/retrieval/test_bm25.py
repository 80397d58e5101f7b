"""BM25: the tuner's re-weighting equals bm25s, and it returns the best point of its grid."""
from __future__ import annotations

import numpy as np

from legalsearchlm import cases


def test_bm25_tuner_weights_match_bm25s():
    """The tuner re-weights a tf matrix instead of re-indexing; its ranking must be bm25s' ranking."""
    from scipy.sparse import csr_matrix

    from lexlab.legalsearchlm.retrieval.bm25 import BM25Retriever, _bm25_matrix, _to_ids, make_tokenizer

    corpus = cases.corpus()
    tok = make_tokenizer("char2")
    vocab: dict[str, int] = {}
    ids = _to_ids([tok(d["text"]) for d in corpus], vocab, grow=True)
    rows, cols, vals = [], [], []
    for i, x in enumerate(ids):
        u, c = np.unique(x, return_counts=True)
        rows += [i] * len(u)
        cols += u.tolist()
        vals += c.tolist()
    tf = csr_matrix((np.asarray(vals, float), (rows, cols)), shape=(len(ids), len(vocab)))
    r = BM25Retriever(tokenizer="char2", k1=1.7, b=0.6)
    r.doc_ids = [d["id"] for d in corpus]
    r.index_ids(ids, vocab)
    for q in cases.queries():
        qids = sorted(set(_to_ids([tok(q["text"])], vocab, grow=False)[0]))
        ours = np.asarray(_bm25_matrix(tf, 1.7, 0.6)[:, qids].sum(axis=1)).ravel()
        theirs = r.model.get_scores(qids)
        np.testing.assert_allclose(ours, theirs, rtol=1e-4)


def test_tune_bm25_returns_best_of_grid():
    from lexlab.legalsearchlm.retrieval.bm25 import tune_bm25

    corpus = cases.corpus()
    best, rows = tune_bm25(corpus, cases.queries(), cases.qrels(corpus), tokenizers=("char2", "word"), k1s=(0.9, 1.5),
                           bs=(0.5, 0.9), metric="P@3", progress=False)
    assert len(rows) == 8
    assert max(r["P@3"] for r in rows) == next(
        r["P@3"] for r in rows if (r["tokenizer"], r["k1"], r["b"]) == (best["tokenizer"], best["k1"], best["b"]))
