"""BM25 (bm25s) with tokenisations that suit Korean, and a small grid search on a dev split.

Korean attaches particles and endings to words (사기죄를, 사기죄의, 사기죄에), so whitespace tokens split one
term into many. Character n-grams inside each word recover the shared stem without a dictionary; kiwipiepy
morphemes do it with one, when that package is installed. Which works better, and with what k1/b, is an empirical
question answered by `tune_bm25` on the dev split — the baseline must be tuned, not left at defaults.
"""
from __future__ import annotations

import itertools
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
from tqdm.auto import tqdm

from lexlab.legalsearchlm.retrieval import Retriever, register
from lexlab.workbench.io import trec_id

_WORD = re.compile(r"[0-9A-Za-z\uac00-\ud7a3]+")
# Content morphemes only: nouns, verb/adjective stems, roots, foreign words, Chinese characters.
_KIWI_TAGS = ("NNG", "NNP", "NNB", "VV", "VA", "XR", "SL", "SH", "NR", "SN")


def _char_ngrams(text: str, sizes: Sequence[int]) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        for n in sizes:
            if len(word) < n:
                if n == min(sizes):
                    out.append(word)  # a word shorter than every n-gram is still a term
                continue
            out.extend(word[i : i + n] for i in range(len(word) - n + 1))
    return out


@lru_cache(maxsize=1)
def _kiwi():
    try:
        from kiwipiepy import Kiwi
    except ImportError as e:  # optional extra: pip install lexlab[morph]
        raise ImportError("tokenizer 'kiwi' needs kiwipiepy (pip install kiwipiepy)") from e
    return Kiwi()


def _kiwi_tokens(text: str) -> list[str]:
    return [t.form for t in _kiwi().tokenize(text) if t.tag.startswith(_KIWI_TAGS)]


def make_tokenizer(name: str) -> Callable[[str], list[str]]:
    """``word`` | ``charN`` / ``charNM`` (n-gram sizes, e.g. char2, char12, char23) | ``kiwi`` | ``kiwi+char2``."""
    parts = name.split("+")
    fns: list[Callable[[str], list[str]]] = []
    for part in parts:
        if part == "word":
            fns.append(lambda t: _WORD.findall(t.lower()))
        elif part == "kiwi":
            fns.append(_kiwi_tokens)
        elif re.fullmatch(r"char[1-9]+", part):
            sizes = tuple(int(c) for c in part[4:])
            fns.append(lambda t, s=sizes: _char_ngrams(t, s))
        else:
            raise ValueError(f"unknown BM25 tokenizer {part!r} (word, charN[M], kiwi, joined with '+')")
    if len(fns) == 1:
        return fns[0]
    # Prefix each part so a morpheme and an equal character n-gram stay distinct terms.
    return lambda t: [f"{i}:{tok}" for i, fn in enumerate(fns) for tok in fn(t)]


def _to_ids(token_lists: list[list[str]], vocab: dict[str, int], grow: bool) -> list[list[int]]:
    out = []
    for toks in token_lists:
        ids = []
        for tok in toks:
            i = vocab.get(tok)
            if i is None and grow:
                i = vocab[tok] = len(vocab)
            if i is not None:
                ids.append(i)
        out.append(ids)
    return out


# The defaults: tuned on the project's own dev split (335 LEGAR-style dev queries, standard relevance, P@5) by
# `tune_bm25` over tokenizers word/char2/char12/word+char2, k1 1.2–300, b 0.75/1 (README, "BM25 defaults").
# dev P@5: char2 k1=300 b=1 0.300 (k1=100: 0.297) vs the textbook k1=1.2 b=0.75: 0.109. Long decisions and
# repeated legal terms want almost linear term frequency with full length normalisation.
DEFAULT_OPTIONS: dict = {"tokenizer": "char2", "k1": 300.0, "b": 1.0}


@register("bm25")
class BM25Retriever(Retriever):
    """bm25s over our own token ids; options: ``tokenizer``, ``k1``, ``b`` (defaults: `DEFAULT_OPTIONS`), ``method``."""

    def __init__(self, tokenizer: str = DEFAULT_OPTIONS["tokenizer"], k1: float = DEFAULT_OPTIONS["k1"],
                 b: float = DEFAULT_OPTIONS["b"], method: str = "lucene", **kw):
        super().__init__(tokenizer=tokenizer, k1=float(k1), b=float(b), method=method, **kw)
        self._tok = make_tokenizer(tokenizer)
        self.vocab: dict[str, int] = {}
        self.model = None

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        return [self._tok(t) for t in texts]

    def _index(self, texts, records) -> None:
        self.index_tokens(self.tokenize(texts))

    def index_tokens(self, token_lists: list[list[str]]) -> None:
        """Index pre-tokenised documents."""
        vocab: dict[str, int] = {}
        ids = _to_ids(token_lists, vocab, grow=True)
        self.index_ids(ids, vocab)

    def index_ids(self, ids: list[list[int]], vocab: dict[str, int]) -> None:
        """Index documents already mapped to term ids (the tuner maps once and re-indexes per k1/b)."""
        import bm25s
        from bm25s.tokenization import Tokenized

        self.vocab = vocab
        self.model = bm25s.BM25(k1=self.options["k1"], b=self.options["b"], method=self.options["method"])
        self.model.index(Tokenized(ids=ids, vocab=dict(vocab)), show_progress=False)

    def _search(self, texts, ks, queries):
        return self.search_tokens(self.tokenize(texts), ks)

    def search_tokens(self, token_lists: list[list[str]], ks: Sequence[int]):
        return self.search_ids(_to_ids(token_lists, self.vocab, grow=False), ks)

    def search_ids(self, id_lists: list[list[int]], ks: Sequence[int]):
        n = len(self.doc_ids)
        out = []
        for ids, k in zip(id_lists, ks):
            ids = sorted(set(ids))
            if not ids:
                out.append([])
                continue
            # get_scores keeps query-term multiplicity out (as Lucene does) and lets us take any k cheaply.
            scores = self.model.get_scores(ids)
            k = min(k, n)
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top], kind="stable")]
            out.append([(self.doc_ids[i], float(scores[i])) for i in top if scores[i] > 0])
        return out

    def _save(self, path: Path) -> None:
        self.model.save(str(path / "bm25s"), show_progress=False)
        (path / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    def _load(self, path: Path) -> None:
        import bm25s

        self.model = bm25s.BM25.load(str(path / "bm25s"), show_progress=False)
        self.vocab = json.loads((path / "vocab.json").read_text(encoding="utf-8"))


def _bm25_matrix(tf, k1: float, b: float):
    """Document × term BM25 weights, bm25s' "lucene" variant (idf × tf / (tf + k1·(1 − b + b·dl/avgdl)))."""
    from scipy.sparse import csr_matrix

    n_docs = tf.shape[0]
    dl = np.asarray(tf.sum(axis=1)).ravel()
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    norm = k1 * (1 - b + b * dl / max(dl.mean(), 1e-9))
    rows = np.repeat(np.arange(n_docs), np.diff(tf.indptr))
    data = idf[tf.indices] * tf.data / (tf.data + norm[rows])
    return csr_matrix((data, tf.indices, tf.indptr), shape=tf.shape)


def _term_matrices(tok_name: str, texts: Sequence[str], queries: Sequence[str], progress: bool = True):
    """(document × term frequencies, query × term presence) as sparse matrices over the documents' vocabulary."""
    from scipy.sparse import csr_matrix

    tok = make_tokenizer(tok_name)
    vocab: dict[str, int] = {}
    d_ids = _to_ids([tok(t) for t in tqdm(texts, desc=f"tokenize {tok_name}", disable=not progress,
                                           leave=False)], vocab, grow=True)
    q_ids = _to_ids([tok(q) for q in queries], vocab, grow=False)
    indptr = np.zeros(len(d_ids) + 1, dtype=np.int64)
    cols, vals = [], []
    for i, ids in enumerate(d_ids):
        u, c = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
        cols.append(u)
        vals.append(c.astype(np.float64))
        indptr[i + 1] = indptr[i] + len(u)
    tf = csr_matrix((np.concatenate(vals), np.concatenate(cols), indptr), shape=(len(d_ids), len(vocab)))
    qr, qc = [], []
    for i, ids in enumerate(q_ids):
        u = np.unique(np.asarray(ids, dtype=np.int64))
        qr.append(np.full(len(u), i))
        qc.append(u)
    qmat = csr_matrix((np.ones(sum(map(len, qc))), (np.concatenate(qr), np.concatenate(qc))),
                      shape=(len(queries), len(vocab)))
    return tf, qmat


def tune_bm25(
    corpus: Sequence[Mapping],
    queries: Sequence[Mapping],
    qrels: Mapping[str, Mapping[str, int]],
    tokenizers: Sequence[str] = ("char2", "word", "word+char2"),
    k1s: Sequence[float] = (1.2, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0),
    bs: Sequence[float] = (0.75, 0.9, 1.0),
    metric: str = "P@5",
    k: int = 10,
    progress: bool = True,
) -> tuple[dict, "list[dict]"]:
    """Grid search on a dev split; returns (best options, all rows) so the notebook can show the whole grid.

    Re-indexing with bm25s for every (k1, b) would re-count every document; instead each tokenizer builds one
    sparse term-frequency matrix and each grid point only re-weights it (same formula as bm25s, checked in the
    tests), scoring all queries with one sparse product. The chosen options are then used with bm25s itself.
    """
    from lexlab.legalsearchlm.retrieval.evaluation import evaluate_run

    rows = []
    texts = [d["text"] for d in corpus]
    doc_ids = [str(d["id"]) for d in corpus]
    # Score only the tuned queries: qrels of other splits would count as zeros.
    tuned = {str(q["id"]) for q in queries}
    tuned |= {trec_id(x) for x in tuned}
    qrels = {q: r for q, r in qrels.items() if q in tuned}
    pos = {d: i for i, d in enumerate(doc_ids)}
    for tok_name in tokenizers:
        tf, qmat = _term_matrices(tok_name, texts, [q["text"] for q in queries], progress)
        for k1, b in tqdm(list(itertools.product(k1s, bs)), desc=f"bm25 grid {tok_name}", disable=not progress,
                          leave=False):
            scores = (qmat @ _bm25_matrix(tf, k1, b).T).toarray()
            run = {}
            for qi, q in enumerate(queries):
                row = scores[qi]
                for ex in {str(q["id"]), *map(str, q.get("exclude", []) or [])}:
                    if ex in pos:
                        row[pos[ex]] = -np.inf
                top = np.argsort(-row, kind="stable")[:k]
                run[str(q["id"])] = [(doc_ids[j], float(row[j])) for j in top if row[j] > 0]
            score = evaluate_run(qrels, run, [metric])[metric]
            rows.append({"tokenizer": tok_name, "k1": k1, "b": b, metric: score})
    best = max(rows, key=lambda r: r[metric])
    return {"tokenizer": best["tokenizer"], "k1": best["k1"], "b": best["b"]}, rows
