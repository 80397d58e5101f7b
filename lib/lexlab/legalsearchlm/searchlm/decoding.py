"""Beam search that can only generate spans occurring in a corpus (FM-index-constrained decoding).

Generative retrieval (SEAL, LegalSearchLM) asks the model for spans -- n-grams -- of the documents that fit a
query, then ranks documents by the spans they contain. Decoding must never leave the corpus, so at every
step each beam may only take a token that continues its span inside some document; the FM-index answers that
in one backward step per beam (see :mod:`lexlab.legalsearchlm.searchlm.fm_index`).

:class:`FMIndexLogitsProcessor` does this as a transformers ``LogitsProcessor``: per step it reads every
beam's generated tokens, extends the beam's cached index state by the last token, builds one boolean mask
for all beams with numpy and applies it once (disallowed tokens get ``-inf``). It never renormalises, so in
beam search (where processors receive log-softmax outputs) the scores of chosen tokens stay the model's true
log-probabilities -- span scoring downstream relies on that. ``prefix_allowed_tokens_fn`` would do the same
one beam at a time in Python and build one torch mask per row; this builds one mask per step.

Rules per beam, given its span ``s`` (the tokens generated after the prompt):

* the allowed tokens are the continuations of ``s`` in the index;
* for the first generated token, optionally intersected with ``first_token_allowed`` and/or minus
  ``first_token_banned`` (first-token-aware decoding: start spans on legally informative tokens, not dates,
  numbers or places);
* EOS (ending the span) is allowed once ``len(s) >= min_span_length`` -- every substring of a document is a
  valid span, so a span may end anywhere; EOS is the only choice when ``s`` has no continuation (it ends
  every document it occurs in) or when ``stop_count`` is set and ``count(s) <= stop_count`` (the span is
  already specific enough to identify its documents);
* if a rule leaves a beam no token at all, EOS alone is allowed (the empty/short span is dropped later).

The retrieval helper (LegalSearchLM) calls::

    generate_spans(model, index, input_ids, attention_mask=None, *, num_beams=10,
                   num_return_sequences=None, max_new_tokens=10, min_span_length=1, stop_count=None,
                   first_token_allowed=None, first_token_banned=None, eos_token_id=None,
                   pad_token_id=None, tokenizer=None, **generate_kwargs) -> list[list[Span]]

one list per input row (batch order), each holding up to ``num_return_sequences`` distinct spans in beam
order, every one with ``tokens`` (tuple of ids, EOS excluded), ``logprob`` (sum of the model's log-probs of
those tokens given the input -- unmodified by the mask), ``count`` (occurrences in the index, > 0) and
``text`` (decoded when a tokenizer is given). Decoder-only models get the prompt cut off (pass left-padded
``input_ids``); encoder-decoder models take ``input_ids`` as encoder input. ``generate_kwargs`` go to
``model.generate`` (e.g. ``length_penalty=0.0`` to rank finished spans by plain sum of log-probs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import torch
from transformers import LogitsProcessor, LogitsProcessorList

from lexlab.legalsearchlm.searchlm.fm_index import FMIndex

__all__ = ["FMIndexLogitsProcessor", "Span", "generate_spans"]


def _token_mask(ids: Iterable[int] | None, width: int, what: str) -> np.ndarray | None:
    if ids is None:
        return None
    arr = np.asarray(list(ids), dtype=np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= width):
        raise ValueError(f"{what}: token id out of range [0, {width})")
    mask = np.zeros(width, dtype=bool)
    mask[arr] = True
    return mask


class FMIndexLogitsProcessor(LogitsProcessor):
    """Restrict every beam to spans that occur in ``index`` (rules in the module docstring).

    prompt_length: tokens of ``input_ids`` before the first generated one -- the (left-padded) prompt length
    for decoder-only models, 1 (the decoder start token) for encoder-decoder models. One processor serves
    one ``generate`` call (it caches per-span index states).
    """

    def __init__(self, index: FMIndex, *, prompt_length: int, eos_token_id: int | Sequence[int],
                 min_span_length: int = 1, stop_count: int | None = None,
                 first_token_allowed: Iterable[int] | None = None,
                 first_token_banned: Iterable[int] | None = None):
        if min_span_length < 1:
            raise ValueError("min_span_length must be >= 1")
        self.index = index
        self.prompt_length = int(prompt_length)
        eos = [eos_token_id] if isinstance(eos_token_id, int) else list(eos_token_id)
        if not eos:
            raise ValueError("an EOS token id is needed to end spans")
        self.eos = np.asarray(eos, dtype=np.int64)
        self.min_span_length = int(min_span_length)
        self.stop_count = stop_count
        self._first_allowed_ids = first_token_allowed
        self._first_banned_ids = first_token_banned
        self._first_masks: dict[int, tuple] = {}
        self._cache: dict[tuple, tuple] = {(): (index.start(), index.n_tokens)}

    def _first_token_masks(self, width: int):
        if width not in self._first_masks:
            self._first_masks[width] = (_token_mask(self._first_allowed_ids, width, "first_token_allowed"),
                                        _token_mask(self._first_banned_ids, width, "first_token_banned"))
        return self._first_masks[width]

    def state(self, span: tuple) -> tuple:
        """(index state, count) of a span, extending the cached state of its parent by one token."""
        hit = self._cache.get(span)
        if hit is None:
            parent_state, parent_count = self.state(span[:-1])
            st = self.index.extend(parent_state, span[-1]) if parent_count else parent_state
            hit = (st, self.index.state_count(st) if parent_count else 0)
            self._cache[span] = hit
        return hit

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        width = scores.shape[-1]
        spans = [tuple(r) for r in input_ids[:, self.prompt_length:].tolist()]
        eos_set = set(self.eos.tolist())
        finished = [any(t in eos_set for t in s) for s in spans]
        states = []
        counts = np.zeros(len(spans), dtype=np.int64)
        for i, s in enumerate(spans):
            if finished[i]:
                states.append(((0, 0),) * len(self.index.shards))
                continue
            st, c = self.state(s)
            states.append(st)
            counts[i] = c
        mask, can_end = self.index.continuation_mask(states, width=width)
        lengths = np.fromiter((len(s) for s in spans), dtype=np.int64, count=len(spans))

        first = lengths == 0
        if first.any():
            allowed, banned = self._first_token_masks(width)
            if allowed is not None:
                mask[first] &= allowed
            if banned is not None:
                mask[first] &= ~banned
        long_enough = lengths >= self.min_span_length
        force_end = (counts == 0) | np.asarray(finished)
        if self.stop_count is not None:
            force_end |= long_enough & (counts <= self.stop_count)
        mask[force_end] = False
        stuck = ~mask.any(axis=1)  # no continuation (or the rules removed them all): only ending is left
        end_ok = long_enough | stuck | force_end
        mask[np.ix_(end_ok, self.eos)] = True
        del can_end  # a span at a document's end simply has no continuation there; "stuck" covers it
        allowed_t = torch.from_numpy(np.ascontiguousarray(mask)).to(scores.device)
        return torch.where(allowed_t, scores, torch.tensor(float("-inf"), dtype=scores.dtype, device=scores.device))


@dataclass(frozen=True)
class Span:
    tokens: tuple[int, ...]
    logprob: float
    count: int
    text: str | None = None


def generate_spans(model, index: FMIndex, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                   *, num_beams: int = 10, num_return_sequences: int | None = None, max_new_tokens: int = 10,
                   min_span_length: int = 1, stop_count: int | None = None,
                   first_token_allowed: Iterable[int] | None = None,
                   first_token_banned: Iterable[int] | None = None, eos_token_id: int | Sequence[int] | None = None,
                   pad_token_id: int | None = None, tokenizer=None, **generate_kwargs) -> list[list[Span]]:
    """Constrained beam search; returns the generated spans per input row (see the module docstring)."""
    cfg = model.generation_config
    eos = eos_token_id if eos_token_id is not None else cfg.eos_token_id
    if eos is None:
        raise ValueError("no eos_token_id given and the model's generation_config has none")
    eos_list = [eos] if isinstance(eos, int) else list(eos)
    pad = pad_token_id if pad_token_id is not None else (cfg.pad_token_id if cfg.pad_token_id is not None
                                                          else eos_list[0])
    num_return_sequences = num_return_sequences or num_beams
    if model.config.is_encoder_decoder:
        dec = generate_kwargs.get("decoder_input_ids")
        prompt_length = 1 if dec is None else dec.shape[1]  # the decoder start token (or a forced prefix)
    else:
        prompt_length = input_ids.shape[1]
    proc = FMIndexLogitsProcessor(index, prompt_length=prompt_length, eos_token_id=eos_list,
                                  min_span_length=min_span_length, stop_count=stop_count,
                                  first_token_allowed=first_token_allowed, first_token_banned=first_token_banned)
    with torch.no_grad():
        out = model.generate(input_ids=input_ids, attention_mask=attention_mask, num_beams=num_beams,
                             num_return_sequences=num_return_sequences, max_new_tokens=max_new_tokens,
                             do_sample=False, eos_token_id=eos_list, pad_token_id=pad,
                             logits_processor=LogitsProcessorList([proc]), output_scores=True,
                             return_dict_in_generate=True, **generate_kwargs)
        # Per-token scores of the chosen tokens, gathered along each hypothesis' beam path: with a mask that
        # never renormalises these are the model's own log-probabilities.
        step_scores = model.compute_transition_scores(out.sequences, out.scores, out.beam_indices,
                                                      normalize_logits=False)
    gen = out.sequences[:, prompt_length:].tolist()
    step_scores = step_scores.cpu().numpy()
    eos_set = set(eos_list)
    results: list[list[Span]] = []
    for b in range(input_ids.shape[0]):
        spans, seen = [], set()
        for r in range(b * num_return_sequences, (b + 1) * num_return_sequences):
            toks = []
            for t in gen[r]:
                if t in eos_set:
                    break
                toks.append(t)
            toks = tuple(toks)
            if len(toks) < min_span_length or toks in seen:
                continue
            count = proc.state(toks)[1]
            if count == 0:  # cannot happen under the mask; guard against a model that ignored it
                raise RuntimeError(f"generated span {toks} does not occur in the index")
            seen.add(toks)
            text = tokenizer.decode(list(toks)) if tokenizer is not None else None
            spans.append(Span(toks, float(step_scores[r, :len(toks)].sum()), int(count), text))
        results.append(spans)
    return results
