"""An FM-index over token-id documents, in Python and numpy.

Generative retrieval needs two things from its corpus index: (1) while decoding, for every beam, the set of
tokens that may come next so that the span generated so far still occurs in the corpus, and (2) once a span
is generated, how often it occurs and in which documents. An FM-index answers both in space proportional to
the corpus, with per-step work that does not depend on the prefix length.

Layout (one *shard*):

* Documents are stored **reversed**, each followed by a separator, with a unique sentinel at the very end:
  ``T = rev(dk) 1 ... rev(d1) 1 rev(d0) 1 0`` (the whole token stream reversed at once). Reversal turns FM backward search into left-to-right
  extension of the original text, which is exactly what decoding does: appending token ``t`` to a span is
  one backward step with ``t``. The BWT rows of a span's range then hold the token that *follows* the span
  in the original order -- its continuations -- and a separator there means "the span can end a document".
* Token ids are remapped to a dense alphabet of the ids that occur (``2..sigma-1``; 0 and 1 are the sentinel
  and separator). A 250k vocabulary whose corpus uses < 65 534 distinct ids keeps a 16-bit BWT.
* The rank structure is psi (= LF^-1), stored as int32: ``psi[C[c] + k]`` is the BWT row of the k-th ``c``.
  Within one symbol's block psi is increasing, so rank(c, i) is one binary search inside the block --
  one ``searchsorted`` call per backward step whatever the alphabet size, which is what makes large
  vocabularies workable in numpy (per-symbol checkpoints cost sigma * n / block words; a wavelet matrix
  costs log2(sigma) Python-level rank calls per step). psi also walks the text forwards in O(1) per step,
  which gives locate: follow psi until a row whose text position is sampled.
* Memory per token: BWT 2 (or 4) bytes + psi 4 bytes + sampled SA 8/sample_rate bytes + small tables.

Patterns never contain the separator, so a match can never cross a document boundary.

Shards: a shard holds < 2^31 rows (int32 psi) and is built in one suffix sort; bigger corpora are split into
several shards at document boundaries and queries merge them (counts add, continuations union, document ids
concatenate -- ids are global). The decoding state is therefore a tuple with one ``(lo, hi)`` per shard.

Public API: :class:`FMIndex` -- ``from_documents``, ``save``/``load``, ``count``, ``continuations``,
``documents``, ``locate``, and the incremental ``start``/``extend``/``state_count``/``continuation_mask``
used by :mod:`lexlab.legalsearchlm.searchlm.decoding`.
"""

from __future__ import annotations

import operator
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lexlab.legalsearchlm.searchlm.fm_index_io import FORMAT_VERSION, FMIndexFormatError, read_index, write_index

__all__ = ["FMIndex", "FMIndexFormatError", "FORMAT_VERSION"]

_SENTINEL = 0
_SEPARATOR = 1
_FIRST_SYMBOL = 2
# One suffix sort per shard stays on libdivsufsort's 32-bit path only below 2^31 *bytes* of input, and psi
# is int32: keep a shard's rows (tokens + separators + 1) under that for 4-byte symbols.
_DEFAULT_MAX_SHARD_TOKENS = (2**31 - 1) // 4 - 1024
_WIDE_CACHE_ROWS = 1 << 16

State = tuple  # tuple[tuple[int, int], ...] -- one half-open row range per shard


def _as_token_array(tokens, vocab_size: int, what: str) -> np.ndarray:
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


def _concatenate_documents(docs: Sequence[Sequence[int]],
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


def _shard_bounds(lengths: np.ndarray, limit: int) -> list[int]:
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
class _Shard:
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
        sigma = len(occurring) + _FIRST_SYMBOL
        sym_dtype = np.uint16 if sigma <= 2**16 else np.uint32
        tok2sym = np.full(vocab_size, -1, dtype=np.int32)
        tok2sym[occurring] = np.arange(_FIRST_SYMBOL, sigma, dtype=np.int32)
        sym2tok = np.empty(sigma, dtype=np.int32)
        sym2tok[:_FIRST_SYMBOL] = vocab_size
        sym2tok[_FIRST_SYMBOL:] = occurring

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


class FMIndex:
    """FM-index over token-id documents; one or more shards behind one query interface."""

    def __init__(self, shards: list[_Shard], vocab_size: int, sample_rate: int):
        self.shards = shards
        self.vocab_size = int(vocab_size)
        self.sample_rate = int(sample_rate)
        self.n_docs = sum(len(s.doc_lengths) for s in shards)
        self.n_tokens = sum(s.n_tokens for s in shards)
        self._occurring: np.ndarray | None = None
        self._root = self.start()

    @property
    def doc_lengths(self) -> np.ndarray:
        """Tokens per document, in document-id order."""
        if getattr(self, "_doc_lengths", None) is None:
            self._doc_lengths = np.concatenate([s.doc_lengths for s in self.shards])
        return self._doc_lengths

    def term_frequencies(self, tokens: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(ids of the documents containing ``tokens``, how often each contains it)."""
        docs, _ = self.locate(tokens)
        return np.unique(docs, return_counts=True)

    # -- construction -----------------------------------------------------------------------------
    @classmethod
    def from_documents(cls, docs: Sequence[Sequence[int]], *, vocab_size: int | None = None,
                       sample_rate: int = 16, max_shard_tokens: int | None = None,
                       progress: bool = False) -> "FMIndex":
        """Build the index.

        docs: token-id sequences (lists or integer numpy arrays), one per document; document ``i`` keeps id
        ``i``. vocab_size: ids must be < it (default: max id + 1); it is also the width of continuation
        masks. sample_rate: one suffix-array sample every that many text positions (locate walks at most
        that many steps; memory 8/sample_rate bytes/token). max_shard_tokens: documents are packed into
        shards of at most this many tokens (default: the largest a 32-bit suffix sort can take).
        """
        if sample_rate < 1:
            raise ValueError("sample_rate must be >= 1")
        flat, lengths, vocab_size = _concatenate_documents(docs, vocab_size)
        bounds = _shard_bounds(lengths, max_shard_tokens or _DEFAULT_MAX_SHARD_TOKENS)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        from tqdm.auto import tqdm

        try:
            shards = [_Shard.build(flat[offsets[a]:offsets[b]], lengths[a:b], vocab_size, sample_rate, doc_base=a)
                      for a, b in tqdm(list(zip(bounds, bounds[1:])), desc="FM-index shards", disable=not progress)]
        except MemoryError:
            raise ValueError(f"not enough memory for an FM-index of {len(flat)} tokens with vocab_size {vocab_size} "
                             f"(each shard holds a {vocab_size * 4 / 2**30:.1f} GiB table of the vocabulary); "
                             "pass the tokenizer's real vocabulary size") from None
        return cls(shards, vocab_size, sample_rate)

    # -- incremental interface (decoding) ---------------------------------------------------------
    def start(self) -> State:
        """State of the empty span: every row of every shard."""
        return tuple((0, s.n) for s in self.shards)

    def extend(self, state: State, token: int) -> State:
        """Append ``token`` to the span whose state is given (one backward step per shard)."""
        try:
            token = operator.index(token)  # 1.7 used to become token 1
        except TypeError:
            raise TypeError(f"token must be an integer id, got {token!r}") from None
        if not 0 <= token < self.vocab_size:
            raise ValueError(f"token id {token} is out of range [0, {self.vocab_size})")
        if len(state) == 1:  # the common case, without the generator's overhead
            lo, hi = state[0]
            return (self.shards[0].extend(lo, hi, token),)
        return tuple(sh.extend(lo, hi, token) for sh, (lo, hi) in zip(self.shards, state))

    def state_of(self, tokens: Sequence[int]) -> State:
        arr = _as_token_array(tokens, self.vocab_size, "tokens")
        return tuple(sh.range_of(arr) for sh in self.shards)

    @staticmethod
    def state_count(state: State) -> int:
        """Occurrences of the span (meaningful for non-empty spans; the empty span's rows include separators)."""
        return sum(hi - lo for lo, hi in state)

    def continuation_mask(self, states: Sequence[State], width: int | None = None,
                          out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """One boolean mask row per state: ``mask[i, t]`` iff token ``t`` follows span ``i`` somewhere.

        Returns ``(mask, can_end)``: ``mask`` has shape ``(len(states), width)`` and ``can_end[i]`` says span
        ``i`` occurs at the end of a document. ``width`` (>= vocab_size, e.g. the model's logits width) pads
        with False columns. ``out``, if given, is reused as scratch and must have shape
        ``(len(states), max(width, vocab_size + 1))``.
        """
        width = self.vocab_size if width is None else int(width)
        if width < self.vocab_size:
            raise ValueError(f"mask width {width} is smaller than the index vocabulary {self.vocab_size}")
        # The "can end" marker lives in column vocab_size; when the caller's width leaves room for it (logits
        # wider than the index vocabulary) the returned mask is contiguous -- cheaper to hand to torch.
        cols = max(width, self.vocab_size + 1)
        full = np.zeros((len(states), cols), dtype=bool) if out is None else out
        if out is not None:
            if out.shape != (len(states), cols):
                raise ValueError(f"out must have shape {(len(states), cols)}, not {out.shape}")
            full[:] = False
        end_col = self.vocab_size
        for i, st in enumerate(states):
            if st == self._root:  # every occurring token; the full range would also hit the separators
                full[i, self.occurring_tokens()] = True
                continue
            row = full[i]
            for sh, (lo, hi) in zip(self.shards, st):
                sh.mark_next(lo, hi, row)
        can_end = full[:, end_col].copy()
        full[:, end_col] = False
        return full[:, :width], can_end

    def occurring_tokens(self) -> np.ndarray:
        if self._occurring is None:
            occ = [sh.sym2tok[_FIRST_SYMBOL:] for sh in self.shards]
            self._occurring = np.unique(np.concatenate(occ)).astype(np.int64)
        return self._occurring

    # -- whole-pattern queries --------------------------------------------------------------------
    def count(self, tokens: Sequence[int]) -> int:
        """Occurrences of ``tokens`` as a contiguous run inside one document (empty: total tokens)."""
        arr = _as_token_array(tokens, self.vocab_size, "tokens")
        return self.n_tokens if arr.size == 0 else self.state_count([sh.range_of(arr) for sh in self.shards])

    def continuations(self, prefix: Sequence[int]) -> np.ndarray:
        """Sorted distinct token ids that follow ``prefix`` somewhere (empty prefix: every occurring token)."""
        arr = _as_token_array(prefix, self.vocab_size, "prefix")
        if arr.size == 0:
            return self.occurring_tokens().copy()
        mask, _ = self.continuation_mask([tuple(sh.range_of(arr) for sh in self.shards)])
        return np.flatnonzero(mask[0])

    def locate(self, tokens: Sequence[int], limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Every occurrence as (document id, start offset in that document), sorted. ``limit`` caps how many
        occurrences are located (which ones is unspecified); locating costs O(sample_rate) per occurrence."""
        arr = _as_token_array(tokens, self.vocab_size, "tokens")
        if arr.size == 0:
            raise ValueError("locate needs a non-empty token sequence")
        docs, offs = [], []
        remaining = limit
        for sh in self.shards:
            lo, hi = sh.range_of(arr)
            if remaining is not None:
                hi = min(hi, lo + remaining)
            if hi <= lo:
                continue
            d, o = sh.positions_to_docs(sh.locate_rows(lo, hi), arr.size)
            docs.append(d + sh.doc_base)
            offs.append(o)
            if remaining is not None:
                remaining -= hi - lo
                if remaining <= 0:
                    break
        if not docs:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        d, o = np.concatenate(docs), np.concatenate(offs)
        order = np.lexsort((o, d))
        return d[order], o[order]

    def documents(self, tokens: Sequence[int], limit: int | None = None) -> np.ndarray:
        """Sorted ids of the documents containing ``tokens``. With ``limit``, at most that many ids: rows
        are located in chunks until enough distinct documents are found (which ones is unspecified)."""
        arr = _as_token_array(tokens, self.vocab_size, "tokens")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 0):
            raise ValueError(f"limit must be None or an integer >= 0, got {limit!r}")
        if limit == 0:
            return np.empty(0, dtype=np.int64)
        if arr.size == 0:
            ids = np.arange(self.n_docs, dtype=np.int64)
            return ids if limit is None else ids[:limit]
        found: list[np.ndarray] = []
        n_found = 0
        for sh in self.shards:
            lo, hi = sh.range_of(arr)
            chunk = max(1024, 4 * (limit or 0))
            while lo < hi:
                step_hi = hi if limit is None else min(hi, lo + chunk)
                d, _ = sh.positions_to_docs(sh.locate_rows(lo, step_hi), arr.size)
                found.append(np.unique(d) + sh.doc_base)
                lo = step_hi
                if limit is not None:
                    n_found = len(np.unique(np.concatenate(found)))
                    if n_found >= limit:
                        break
                    chunk *= 2
            if limit is not None and n_found >= limit:
                break
        if not found:
            return np.empty(0, dtype=np.int64)
        ids = np.unique(np.concatenate(found)).astype(np.int64)
        return ids if limit is None else ids[:limit]

    # -- sizes ------------------------------------------------------------------------------------
    @property
    def nbytes(self) -> int:
        """Bytes held by the index's arrays (what a loaded index occupies, bar Python object overhead)."""
        return sum(sh.nbytes for sh in self.shards)

    @property
    def bytes_per_token(self) -> float:
        return self.nbytes / max(1, self.n_tokens)

    def __repr__(self) -> str:
        return (f"FMIndex(n_docs={self.n_docs}, n_tokens={self.n_tokens}, vocab_size={self.vocab_size}, "
                f"shards={len(self.shards)}, {self.bytes_per_token:.2f} B/token)")

    # -- persistence (the file format lives in fm_index_io) ------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """One file, written atomically (see :mod:`lexlab.legalsearchlm.searchlm.fm_index_io`)."""
        sizes = {"vocab_size": self.vocab_size, "sample_rate": self.sample_rate, "n_docs": self.n_docs,
                 "n_tokens": self.n_tokens}
        write_index(path, sizes, [(sh.doc_base, {name: getattr(sh, name) for name in _Shard.ARRAYS})
                                  for sh in self.shards])

    @classmethod
    def load(cls, path: str | os.PathLike, *, mmap: bool = False, verify: bool = True) -> "FMIndex":
        """Read an index written by :meth:`save` (no rebuild). ``mmap=True`` maps the arrays instead of
        reading them (large indexes, shared between processes); ``verify`` checks every array's CRC32."""
        header, shards = read_index(path, _Shard.ARRAYS, mmap=mmap, verify=verify)
        return cls([_Shard(doc_base=base, **arrays) for base, arrays in shards], header["vocab_size"],
                   header["sample_rate"])
