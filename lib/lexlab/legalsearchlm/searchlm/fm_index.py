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

Modules: this one is the index over its shards (:class:`FMIndex`); one shard's construction and per-shard steps
are :mod:`lexlab.legalsearchlm.searchlm.fm_shard`; the file format is :mod:`lexlab.legalsearchlm.searchlm.fm_index_io`.

Public API: :class:`FMIndex` -- ``from_documents``, ``save``/``load``, ``count``, ``continuations``,
``documents``, ``locate``, and the incremental ``start``/``extend``/``state_count``/``continuation_mask``
used by :mod:`lexlab.legalsearchlm.searchlm.decoding`.
"""

from __future__ import annotations

import operator
import os
from typing import Sequence

import numpy as np

from lexlab.legalsearchlm.searchlm.fm_index_io import FORMAT_VERSION, FMIndexFormatError, read_index, write_index
from lexlab.legalsearchlm.searchlm.fm_shard import (DEFAULT_MAX_SHARD_TOKENS, FIRST_SYMBOL, Shard, State,
                                                    as_token_array, concatenate_documents, shard_bounds)

__all__ = ["FMIndex", "FMIndexFormatError", "FORMAT_VERSION"]


class FMIndex:
    """FM-index over token-id documents; one or more shards behind one query interface."""

    def __init__(self, shards: list[Shard], vocab_size: int, sample_rate: int):
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
        flat, lengths, vocab_size = concatenate_documents(docs, vocab_size)
        bounds = shard_bounds(lengths, max_shard_tokens or DEFAULT_MAX_SHARD_TOKENS)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        from tqdm.auto import tqdm

        try:
            shards = [Shard.build(flat[offsets[a]:offsets[b]], lengths[a:b], vocab_size, sample_rate, doc_base=a)
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
        arr = as_token_array(tokens, self.vocab_size, "tokens")
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
            occ = [sh.sym2tok[FIRST_SYMBOL:] for sh in self.shards]
            self._occurring = np.unique(np.concatenate(occ)).astype(np.int64)
        return self._occurring

    # -- whole-pattern queries --------------------------------------------------------------------
    def count(self, tokens: Sequence[int]) -> int:
        """Occurrences of ``tokens`` as a contiguous run inside one document (empty: total tokens)."""
        arr = as_token_array(tokens, self.vocab_size, "tokens")
        return self.n_tokens if arr.size == 0 else self.state_count([sh.range_of(arr) for sh in self.shards])

    def continuations(self, prefix: Sequence[int]) -> np.ndarray:
        """Sorted distinct token ids that follow ``prefix`` somewhere (empty prefix: every occurring token)."""
        arr = as_token_array(prefix, self.vocab_size, "prefix")
        if arr.size == 0:
            return self.occurring_tokens().copy()
        mask, _ = self.continuation_mask([tuple(sh.range_of(arr) for sh in self.shards)])
        return np.flatnonzero(mask[0])

    def locate(self, tokens: Sequence[int], limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Every occurrence as (document id, start offset in that document), sorted. ``limit`` caps how many
        occurrences are located (which ones is unspecified); locating costs O(sample_rate) per occurrence."""
        arr = as_token_array(tokens, self.vocab_size, "tokens")
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
        arr = as_token_array(tokens, self.vocab_size, "tokens")
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
        write_index(path, sizes, [(sh.doc_base, {name: getattr(sh, name) for name in Shard.ARRAYS})
                                  for sh in self.shards])

    @classmethod
    def load(cls, path: str | os.PathLike, *, mmap: bool = False, verify: bool = True) -> "FMIndex":
        """Read an index written by :meth:`save` (no rebuild). ``mmap=True`` maps the arrays instead of
        reading them (large indexes, shared between processes); ``verify`` checks every array's CRC32."""
        header, shards = read_index(path, Shard.ARRAYS, mmap=mmap, verify=verify)
        return cls([Shard(doc_base=base, **arrays) for base, arrays in shards], header["vocab_size"],
                   header["sample_rate"])
