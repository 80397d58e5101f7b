"""One shard of :mod:`lexlab.legalsearchlm.searchlm.fm_index`: the token stream of a run of documents (reversed,
separated, remapped to a dense alphabet), its suffix sort, BWT, psi and sampled suffix array, and the per-shard
steps the index composes (backward extension, continuations, locate). The layout is described in ``fm_index``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

_SENTINEL = 0
_SEPARATOR = 1
FIRST_SYMBOL = 2
# One suffix sort per shard stays on libdivsufsort's 32-bit path only below 2^31 *bytes* of input, and psi
# is int32: keep a shard's rows (tokens + separators + 1) under that for 4-byte symbols.
DEFAULT_MAX_SHARD_TOKENS = (2**31 - 1) // 4 - 1024
_WIDE_CACHE_ROWS = 1 << 16

State = tuple  # tuple[tuple[int, int], ...] -- one half-open row range per shard


def as_token_array(tokens, vocab_size: int, what: str) -> np.ndarray:
    arr = np.asarray(tokens)
    if arr.ndim != 1:
        raise ValueError(f"{what}: expected a 1-D sequence of token ids, got shape {arr.shape}")
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{what}: token ids must be integers, got dtype {arr.dtype}")
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi >= vocab_size:
        bad = lo if lo < 0 else hi
        raise ValueError(f"{what}: token id {bad} is out of range [0, {vocab_size})")
    return arr.astype(np.int64, copy=False)


_MAX_VOCAB = 2**31 - 2  # symbols and token ids are int32; the end marker takes id vocab_size


def _check_vocab_size(vocab_size) -> int:
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)):
        raise ValueError(f"vocab_size must be an integer, got {vocab_size!r}")
    if not 1 <= vocab_size <= _MAX_VOCAB:
        raise ValueError(f"vocab_size {vocab_size} is outside [1, {_MAX_VOCAB}] (token ids are int32)")
    return int(vocab_size)


def concatenate_documents(docs: Sequence[Sequence[int]],
                           vocab_size: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    """(all tokens in one array, document lengths, vocab_size): each document non-empty, 1-D, integer, in range."""
    arrays = []
    for i, d in enumerate(docs):
        a = np.asarray(d)
        if a.ndim != 1 or a.size == 0:
            raise ValueError(f"document {i} is empty or not a 1-D token sequence (shape {a.shape})")
        if a.dtype.kind not in "iu":
            raise ValueError(f"document {i}: token ids must be integers, got dtype {a.dtype}")
        arrays.append(a)
    if not arrays:
        raise ValueError("no documents given")
    lengths = np.fromiter((a.shape[0] for a in arrays), dtype=np.int64, count=len(arrays))
    flat = np.concatenate(arrays)  # native integer dtype: an int64 copy would be one more pass
    del arrays
    lo_id, hi_id = int(flat.min()), int(flat.max())
    if vocab_size is None:
        vocab_size = hi_id + 1
    vocab_size = _check_vocab_size(vocab_size)
    if lo_id < 0 or hi_id >= vocab_size:
        bad = lo_id if lo_id < 0 else hi_id
        doc = int(np.searchsorted(np.cumsum(lengths), np.flatnonzero((flat < 0) | (flat >= vocab_size))[0],
                                  side="right"))
        raise ValueError(f"document {doc}: token id {bad} is out of range [0, {vocab_size})")
    return flat, lengths, vocab_size


def shard_bounds(lengths: np.ndarray, limit: int) -> list[int]:
    """First document of each shard (and the end): greedy packing at document boundaries, <= limit tokens each."""
    if int(lengths.max()) > limit:
        raise ValueError(f"document {int(lengths.argmax())} has {int(lengths.max())} tokens, more than "
                         f"max_shard_tokens={limit}")
    bounds = [0]
    acc = 0
    for i, L in enumerate(lengths.tolist()):
        if acc + L > limit:
            bounds.append(i)
            acc = 0
        acc += L
    bounds.append(len(lengths))
    return bounds


@dataclass
class Shard:
    """One FM-index over a contiguous run of documents (see the module docstring for the layout)."""

    bwt: np.ndarray  # uint16/uint32, n rows
    psi: np.ndarray  # int32, n rows
    C: np.ndarray  # int32, sigma + 1: first row of each symbol's block
    tok2sym: np.ndarray  # int32, vocab_size: dense symbol of a token id, -1 if absent from the shard
    sym2tok: np.ndarray  # int32, sigma: token id of a symbol; sentinel/separator map to vocab_size ("end")
    sa_rows: np.ndarray  # int32, sorted rows whose text position is a multiple of sample_rate
    sa_pos: np.ndarray  # int32, text position of each sampled row
    doc_starts: np.ndarray  # int64, ascending text positions where the (reversed) documents start, last doc first
    doc_lengths: np.ndarray  # int64
    doc_base: int  # global id of this shard's first document

    ARRAYS = ("bwt", "psi", "C", "tok2sym", "sym2tok", "sa_rows", "sa_pos", "doc_starts", "doc_lengths")

    def __post_init__(self):
        self.n = int(self.bwt.shape[0])
        self._C = self.C.tolist()  # scalar reads in the hot loop are ~4x faster from a list
        self._wide_cache: OrderedDict = OrderedDict()

    @property
    def n_tokens(self) -> int:
        return int(self.doc_lengths.sum())

    @property
    def nbytes(self) -> int:
        return sum(int(getattr(self, a).nbytes) for a in self.ARRAYS)

    # -- construction -----------------------------------------------------------------------------
    @classmethod
    def build(cls, flat: np.ndarray, lengths: np.ndarray, vocab_size: int, sample_rate: int, doc_base: int):
        from pydivsufsort import divsufsort

        n_docs = len(lengths)
        offsets = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        n = int(offsets[-1]) + n_docs + 1
        if n > 2**31 - 1:
            raise ValueError("shard too large for int32 rows; lower max_shard_tokens")

        present = np.zeros(vocab_size, dtype=bool)
        present[flat] = True
        occurring = np.flatnonzero(present)
        sigma = len(occurring) + FIRST_SYMBOL
        sym_dtype = np.uint16 if sigma <= 2**16 else np.uint32
        tok2sym = np.full(vocab_size, -1, dtype=np.int32)
        tok2sym[occurring] = np.arange(FIRST_SYMBOL, sigma, dtype=np.int32)
        sym2tok = np.empty(sigma, dtype=np.int32)
        sym2tok[:FIRST_SYMBOL] = vocab_size
        sym2tok[FIRST_SYMBOL:] = occurring

        # Lay out T: the whole token stream reversed (documents last-first, each reversed), a separator after
        # each document, the sentinel at the end. Reversing the stream at once avoids per-token index
        # arithmetic; positions_to_docs undoes the document order.
        rev_lengths = lengths[::-1]
        sep_pos = np.cumsum(rev_lengths) + np.arange(n_docs, dtype=np.int64)
        doc_starts = sep_pos - rev_lengths  # T order: entry k is document n_docs - 1 - k
        is_token = np.ones(n, dtype=bool)
        is_token[sep_pos] = False
        is_token[-1] = False
        T = np.empty(n, dtype=sym_dtype)
        T[is_token] = tok2sym.astype(sym_dtype)[flat[::-1]]
        del is_token
        T[sep_pos] = _SEPARATOR
        T[-1] = _SENTINEL

        sa = divsufsort(T)
        if sa.dtype != np.int32:
            sa = sa.astype(np.int32)
        bwt = T[sa - 1]  # sa == 0 wraps to T[-1], the sentinel, as the BWT wants
        counts = np.bincount(T, minlength=sigma)
        del T
        C = np.zeros(sigma + 1, dtype=np.int32)  # rows < 2^31 per shard
        np.cumsum(counts, out=C[1:])
        # psi = LF^-1: the stable sort of the BWT lists, symbol by symbol, the rows holding that symbol.
        psi = np.argsort(bwt, kind="stable").astype(np.int32)
        if sample_rate & (sample_rate - 1) == 0:
            sampled = (sa & (sample_rate - 1)) == 0
        else:
            sampled = (sa % sample_rate) == 0
        sampled[0] = True  # row 0 is the sentinel (position n-1): walks never wrap past the text's end
        sa_rows = np.flatnonzero(sampled).astype(np.int32)
        sa_pos = sa[sa_rows].astype(np.int32)
        del sa, sampled
        return cls(bwt=bwt, psi=psi, C=C, tok2sym=tok2sym, sym2tok=sym2tok, sa_rows=sa_rows, sa_pos=sa_pos,
                   doc_starts=doc_starts, doc_lengths=lengths.astype(np.int64), doc_base=doc_base)

    # -- search -----------------------------------------------------------------------------------
    def extend(self, lo: int, hi: int, token: int) -> tuple[int, int]:
        """One backward step: rows of ``span + [token]`` from the rows of ``span``."""
        if lo >= hi:
            return (0, 0)
        s = int(self.tok2sym[token])
        if s < 0:
            return (0, 0)
        a = self._C[s]
        r0, r1 = self.psi[a:self._C[s + 1]].searchsorted(np.array((lo, hi), dtype=np.int32)).tolist()
        return (a + r0, a + r1) if r0 < r1 else (0, 0)  # one spelling for "no match"

    def range_of(self, tokens: np.ndarray) -> tuple[int, int]:
        lo, hi = 0, self.n
        for t in tokens.tolist():
            lo, hi = self.extend(lo, hi, t)
            if lo >= hi:
                return (0, 0)
        return (lo, hi)

    def mark_next(self, lo: int, hi: int, out: np.ndarray) -> None:
        """Set ``out[token] = True`` for every token that follows the span; ``out[vocab]`` means "can end"."""
        if lo >= hi:
            return
        if hi - lo <= _WIDE_CACHE_ROWS:
            out[self.sym2tok.take(self.bwt[lo:hi])] = True
            return
        key = (lo, hi)
        toks = self._wide_cache.get(key)
        if toks is None:
            toks = self.sym2tok[self._distinct_symbols_wide(lo, hi)]
            self._wide_cache[key] = toks
            if len(self._wide_cache) > 256:
                self._wide_cache.popitem(last=False)
        else:
            self._wide_cache.move_to_end(key)
        out[toks] = True

    def _distinct_symbols_wide(self, lo: int, hi: int) -> np.ndarray:
        """Distinct BWT symbols in a wide range without scanning it: a symbol occurs in rows [lo, hi) iff
        its psi block has an entry in [lo, hi). One vectorised binary search over all blocks at once costs
        O(sigma log n), cheaper than the O(hi - lo) scan once the range is much larger than the alphabet."""
        sigma = len(self._C) - 1
        if hi - lo < 64 * sigma:
            return np.unique(self.bwt[lo:hi])
        starts = self.C[:-1].astype(np.int64)  # int64: (a + b) below must not overflow
        ends = self.C[1:].astype(np.int64)
        a, b = starts.copy(), ends.copy()  # find first index in [a, b) with psi >= lo
        psi = self.psi
        while True:
            active = a < b
            if not active.any():
                break
            mid = (a + b) >> 1
            midc = np.minimum(mid, len(psi) - 1)
            go_right = active & (psi[midc] < lo)
            a = np.where(go_right, mid + 1, a)
            b = np.where(active & ~go_right, mid, b)
        first = a
        ok = first < ends
        ok[ok] = psi[first[ok]] < hi
        return np.flatnonzero(ok)

    def locate_rows(self, lo: int, hi: int) -> np.ndarray:
        """Text positions of rows [lo, hi): walk psi forwards (one text position per step) until a sampled
        row, all rows at once."""
        rows = np.arange(lo, hi, dtype=np.int32)
        out = np.empty(hi - lo, dtype=np.int64)
        idx_active = np.arange(hi - lo)
        sa_rows, sa_pos, psi = self.sa_rows, self.sa_pos, self.psi
        m = len(sa_rows)
        step = 0
        while rows.size:
            k = sa_rows.searchsorted(rows)
            kc = np.minimum(k, m - 1)
            hit = sa_rows[kc] == rows
            if hit.any():
                out[idx_active[hit]] = sa_pos[kc[hit]].astype(np.int64) - step
                miss = ~hit
                rows, idx_active = rows[miss], idx_active[miss]
            rows = psi[rows]
            step += 1
        return out

    def positions_to_docs(self, pos: np.ndarray, span_len: int) -> tuple[np.ndarray, np.ndarray]:
        """(local doc id, offset of the span's first token in the original, unreversed document)."""
        k = np.searchsorted(self.doc_starts, pos, side="right") - 1
        d = len(self.doc_starts) - 1 - k  # T holds the documents last-first
        rev_off = pos - self.doc_starts[k]
        return d, self.doc_lengths[d] - rev_off - span_len
