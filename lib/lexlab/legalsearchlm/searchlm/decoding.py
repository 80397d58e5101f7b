"""Beam search that can only generate spans occurring in a corpus (FM-index-constrained decoding).

Generative retrieval (SEAL, LegalSearchLM) asks the model for spans -- n-grams -- of the documents that fit a
query, then ranks documents by the spans they contain. Decoding must never leave the corpus, so at every
step each beam may only take a token that continues its span inside some document; the FM-index answers that
in one backward step per beam (see :mod:`lexlab.legalsearchlm.searchlm.fm_index`).

:class:`FMIndexLogitsProcessor` holds those rules. :meth:`FMIndexLogitsProcessor.allowed` takes the spans of
all beams, extends each beam's cached index state by its last token and returns one boolean numpy mask for
all of them. Two searches use it:

* the default (``engine="beam"``): a beam search written here. For decoder-only models the batch of
  left-padded prompts is prefilled once; for encoder-decoder models the inputs are encoded once and the
  decoder's first step (from ``decoder_start_token_id``) runs once per input. Either way the KV cache is then
  repeated to ``num_beams`` rows per input; every step takes the log-softmax of the next-token logits, masks
  it, adds the beam scores and keeps the best candidates over (beams x vocabulary) per input, reordering the
  cache by the chosen beams. ``model.generate`` would prefill the beam-expanded prompt (``num_beams`` times the
  same work) -- most of the search time on short spans.
* ``engine="hf"``: ``model.generate`` with the processor as a transformers ``LogitsProcessor`` (disallowed
  tokens get ``-inf``); it takes ``generate``'s options (length penalty, forced decoder prefix, ...).

Neither renormalises after masking, so the score of every chosen token is the model's true log-probability --
span scoring downstream relies on that.

Rules per beam, given its span ``s`` (the tokens generated after the prompt):

* the allowed tokens are the continuations of ``s`` in the index;
* for the first generated token, optionally intersected with ``first_token_allowed`` and/or minus
  ``first_token_banned`` (first-token-aware decoding: start spans on legally informative tokens, not dates,
  numbers or places); ``first_token_allowed`` is one set for all input rows or a list with one set (or
  ``None``) per input row;
* EOS (ending the span) is allowed once ``len(s) >= min_span_length`` -- every substring of a document is a
  valid span, so a span may end anywhere; EOS is the only choice when ``s`` has no continuation (it ends
  every document it occurs in) or when ``stop_count`` is set and ``count(s) <= stop_count`` (the span is
  already specific enough to identify its documents);
* if a rule leaves a beam no token at all, EOS alone is allowed (the empty/short span is dropped later).

The hand-written search follows ``model.generate``'s beam search with ``length_penalty=0.0``: per prompt it
looks at the best ``2 * num_beams`` candidates (more with several EOS ids); an EOS candidate among the first
``num_beams`` finishes its beam (a hypothesis scored by its sum of log-probs, EOS included), the best
``num_beams`` others continue. Beams still running after ``max_new_tokens`` are hypotheses too. It stops
early once every prompt has ``num_return_sequences`` hypotheses scoring at least its best running beam --
log-probs are <= 0, so a running beam can only lose score, and the result is the same as running on.

The retrieval helper (LegalSearchLM) calls::

    generate_spans(model, index, input_ids, attention_mask=None, *, num_beams=10,
                   num_return_sequences=None, max_new_tokens=10, min_span_length=1, stop_count=None,
                   first_token_allowed=None, first_token_banned=None, eos_token_id=None,
                   pad_token_id=None, tokenizer=None, engine="auto", **generate_kwargs) -> list[list[Span]]

one list per input row (batch order), each holding up to ``num_return_sequences`` distinct spans best first,
every one with ``tokens`` (tuple of ids, EOS excluded), ``logprob`` (sum of the model's log-probs of those
tokens given the input -- unmodified by the mask, EOS not included), ``count`` (occurrences in the index,
> 0) and ``text`` (decoded when a tokenizer is given). Decoder-only models get the prompt cut off (pass
left-padded ``input_ids``); encoder-decoder models take ``input_ids`` as encoder input. ``generate_kwargs``
go to ``model.generate`` (e.g. ``length_penalty=0.0`` to rank finished spans by plain sum of log-probs, the
only ranking the hand-written search has: it accepts ``length_penalty=0.0`` and nothing else).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import torch
from transformers import LogitsProcessor, LogitsProcessorList

from lexlab.legalsearchlm.searchlm.fm_index import FMIndex

__all__ = ["FMIndexLogitsProcessor", "Span", "generate_spans"]

FirstTokens = Iterable[int] | Sequence[Iterable[int] | None] | None


def _token_mask(ids: Iterable[int] | None, width: int, what: str) -> np.ndarray | None:
    if ids is None:
        return None
    arr = np.asarray(list(ids), dtype=np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= width):
        raise ValueError(f"{what}: token id out of range [0, {width})")
    mask = np.zeros(width, dtype=bool)
    mask[arr] = True
    return mask


def _split_first_tokens(first_token_allowed: FirstTokens) -> tuple[list | None, list | None]:
    """``(one set for all rows, None)`` or ``(None, one set or None per input row)`` -- a list whose items are
    all sets/lists/None is per row; anything else (ints) is one set."""
    if first_token_allowed is None:
        return None, None
    items = list(first_token_allowed)
    if items and not any(_is_token(e) for e in items):
        return None, items
    return [int(e) for e in items], None


def _is_token(e) -> bool:
    """A single token id: an int, a numpy integer or a 0-d tensor (not a set, list, generator or None)."""
    return np.ndim(e) == 0 and isinstance(getattr(e, "item", lambda: e)(), (int, np.integer))


class FMIndexLogitsProcessor(LogitsProcessor):
    """Restrict every beam to spans that occur in ``index`` (rules in the module docstring).

    prompt_length: tokens of ``input_ids`` before the first generated one -- the (left-padded) prompt length
    for decoder-only models, 1 (the decoder start token) for encoder-decoder models. One processor serves
    one search (it caches per-span index states). As a ``LogitsProcessor`` with a per-row
    ``first_token_allowed``, the rows of ``input_ids`` are taken as that many equal groups (the beams of
    each input row, as ``generate`` lays them out).
    """

    def __init__(self, index: FMIndex, *, prompt_length: int, eos_token_id: int | Sequence[int],
                 min_span_length: int = 1, stop_count: int | None = None,
                 first_token_allowed: FirstTokens = None, first_token_banned: Iterable[int] | None = None):
        if min_span_length < 1:
            raise ValueError("min_span_length must be >= 1")
        self.index = index
        self.prompt_length = int(prompt_length)
        eos = [eos_token_id] if isinstance(eos_token_id, int) else list(eos_token_id)
        if not eos:
            raise ValueError("an EOS token id is needed to end spans")
        self.eos = np.asarray(eos, dtype=np.int64)
        self._eos_set = set(eos)
        self.min_span_length = int(min_span_length)
        self.stop_count = stop_count
        self._first_allowed_ids, self._first_rows = _split_first_tokens(first_token_allowed)
        self._first_banned_ids = first_token_banned
        self._first_masks: dict[int, tuple] = {}
        self._cache: dict[tuple, tuple] = {(): (index.start(), index.n_tokens)}

    def _first_token_masks(self, width: int):
        if width not in self._first_masks:
            rows = None if self._first_rows is None else [
                _token_mask(ids, width, "first_token_allowed") for ids in self._first_rows]
            self._first_masks[width] = (_token_mask(self._first_allowed_ids, width, "first_token_allowed"), rows,
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

    def allowed(self, spans: Sequence[tuple], width: int, rows: Sequence[int] | None = None) -> np.ndarray:
        """Boolean ``(len(spans), width)`` mask of the next tokens each span may take (EOS ends it).

        rows: the input row of each span, for a per-row ``first_token_allowed`` (default: span i is row i).
        A span holding an EOS is finished: it may only repeat EOS.
        """
        finished = np.fromiter((any(t in self._eos_set for t in s) for s in spans), dtype=bool, count=len(spans))
        counts = np.zeros(len(spans), dtype=np.int64)
        states = []
        for i, s in enumerate(spans):
            st, c = (((0, 0),) * len(self.index.shards), 0) if finished[i] else self.state(s)
            states.append(st)
            counts[i] = c
        mask, _ = self.index.continuation_mask(states, width=width)  # a span at a document's end: no continuation
        lengths = np.fromiter((len(s) for s in spans), dtype=np.int64, count=len(spans))
        self._first_token_rules(mask, np.flatnonzero(lengths == 0), width, rows)
        long_enough = lengths >= self.min_span_length
        force_end = (counts == 0) | finished
        if self.stop_count is not None:
            force_end |= long_enough & (counts <= self.stop_count)
        mask[force_end] = False
        stuck = ~mask.any(axis=1)  # no continuation (or the rules removed them all): only ending is left
        mask[np.ix_(long_enough | stuck | force_end, self.eos)] = True
        return mask

    def _first_token_rules(self, mask: np.ndarray, first: np.ndarray, width: int, rows) -> None:
        if not first.size:
            return
        allowed, per_row, banned = self._first_token_masks(width)
        if allowed is not None:
            mask[first] &= allowed
        if per_row is not None:
            for i in first:
                row_mask = per_row[rows[i] if rows is not None else i]
                if row_mask is not None:
                    mask[i] &= row_mask
        if banned is not None:
            mask[first] &= ~banned

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        spans = [tuple(r) for r in input_ids[:, self.prompt_length:].tolist()]
        rows = None
        if self._first_rows is not None:  # generate lays out the beams of each input row next to each other
            rows = np.arange(len(spans)) // max(1, len(spans) // len(self._first_rows))
        allowed_t = torch.from_numpy(self.allowed(spans, scores.shape[-1], rows)).to(scores.device)
        return torch.where(allowed_t, scores, torch.tensor(float("-inf"), dtype=scores.dtype, device=scores.device))


@dataclass(frozen=True)
class Span:
    tokens: tuple[int, ...]
    logprob: float
    count: int
    text: str | None = None


# -- the hand-written beam search (decoder-only and encoder-decoder models) -------------------------------------

@dataclass
class _Beams:
    """The running beams: ``num_beams`` rows per prompt, prompt after prompt, as the KV cache holds them."""
    spans: list[tuple]      # tokens generated so far, per row
    scores: torch.Tensor    # (rows,) sum of their log-probs; -inf marks a dead row (no candidate was left for it)
    source: torch.Tensor    # (rows,) the row each one continues (indexes the previous step's rows)
    tokens: torch.Tensor    # (rows,) the token it just took


def _log_probs(out) -> torch.Tensor:
    """Next-token log-probs at the last position (float32)."""
    return torch.log_softmax(out.logits[:, -1].float(), dim=-1)


class _DecoderOnlySteps:
    """A decoder-only model under the beam search: the (left-padded) prompts run once, their KV cache is then
    repeated to ``num_beams`` rows per prompt and extended one token per beam."""

    def __init__(self, model, input_ids, attention_mask, num_beams: int):
        self.model = model
        position_ids = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)
        out = model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                    use_cache=True, logits_to_keep=1)
        self.cache = out.cache
        self.cache.batch_repeat_interleave(num_beams)
        self.first = _log_probs(out).repeat_interleave(num_beams, dim=0)
        self.mask = attention_mask.repeat_interleave(num_beams, dim=0)
        self.position = self.mask.sum(-1, keepdim=True)  # position of the first generated token, per row

    def next(self, beams: "_Beams", step: int) -> torch.Tensor:
        """Log-probs after each beam's newest token (the cache reordered to the beams' sources first)."""
        self.cache.reorder_cache(beams.source)
        self.mask = torch.cat([self.mask, self.mask.new_ones((self.mask.shape[0], 1))], -1)
        out = self.model(input_ids=beams.tokens[:, None], attention_mask=self.mask,
                         position_ids=self.position + step, cache=self.cache, use_cache=True, logits_to_keep=1)
        self.cache = out.cache
        return _log_probs(out)


class _EncoderDecoderSteps:
    """An encoder-decoder model under the beam search: the inputs are encoded once, the decoder's first step
    (from ``decoder_start_token_id``) runs once per input, and its cache (cross-attention included) is then
    repeated to ``num_beams`` rows per input and extended one token per beam."""

    def __init__(self, model, input_ids, attention_mask, num_beams: int):
        self.model = model
        start = model.generation_config.decoder_start_token_id
        start = model.config.decoder_start_token_id if start is None else start
        if start is None:
            raise ValueError("the encoder-decoder model has no decoder_start_token_id")
        encoded = model.get_encoder()(input_ids=input_ids, attention_mask=attention_mask)
        out = model(encoder_outputs=encoded, attention_mask=attention_mask, use_cache=True,
                    decoder_input_ids=torch.full((input_ids.shape[0], 1), int(start), device=input_ids.device))
        self.cache = out.cache
        self.cache.batch_repeat_interleave(num_beams)
        self.first = _log_probs(out).repeat_interleave(num_beams, dim=0)
        self.encoded = (encoded.last_hidden_state.repeat_interleave(num_beams, dim=0),)
        self.mask = attention_mask.repeat_interleave(num_beams, dim=0)

    def next(self, beams: "_Beams", step: int) -> torch.Tensor:
        """As `_DecoderOnlySteps.next`; the decoder's positions come from its cache, the encoder's states stay."""
        self.cache.reorder_cache(beams.source)
        out = self.model(encoder_outputs=self.encoded, attention_mask=self.mask, cache=self.cache, use_cache=True,
                         decoder_input_ids=beams.tokens[:, None])
        self.cache = out.cache
        return _log_probs(out)


def _candidates(proc: FMIndexLogitsProcessor, logp, beams: _Beams, num_beams: int) -> torch.Tensor:
    """Score of every (row, token) continuation: beam score + the token's log-prob where the index allows it."""
    live = torch.isfinite(beams.scores).nonzero().flatten().tolist()
    mask = np.zeros(tuple(logp.shape), dtype=bool)
    if live:
        mask[live] = proc.allowed([beams.spans[r] for r in live], logp.shape[-1], [r // num_beams for r in live])
    allowed = torch.from_numpy(mask).to(logp.device)
    return torch.where(allowed, logp + beams.scores[:, None], torch.tensor(float("-inf"), device=logp.device))


def _select(cand: torch.Tensor, beams: _Beams, num_beams: int, eos: set, hyps: list[list]) -> _Beams:
    """Keep the best ``num_beams`` continuations per prompt; EOS among the best ``num_beams`` ends a hypothesis.

    hyps[b] collects ``(score with EOS, span, sum of the span's log-probs)`` of prompt b.
    """
    n_prompts, width = len(hyps), cand.shape[-1]
    per_prompt = cand.view(n_prompts, num_beams * width)
    top_s, top_i = per_prompt.topk(min(max(2, 1 + len(eos)) * num_beams, per_prompt.shape[-1]), dim=-1)
    spans, scores, source, tokens = [], [], [], []
    previous = beams.scores.tolist()
    for b, (row_s, row_i) in enumerate(zip(top_s.tolist(), top_i.tolist())):
        kept = 0
        for rank, (s, i) in enumerate(zip(row_s, row_i)):
            if s == float("-inf") or kept == num_beams:
                break
            row, tok = b * num_beams + i // width, i % width
            if tok in eos:
                if rank < num_beams:
                    hyps[b].append((s, beams.spans[row], previous[row]))
                continue
            spans.append(beams.spans[row] + (tok,)), scores.append(s), source.append(row), tokens.append(tok)
            kept += 1
        for _ in range(num_beams - kept):  # dead rows keep the shapes fixed; they are never extended
            spans.append(()), scores.append(float("-inf")), source.append(b * num_beams), tokens.append(min(eos))
    device = cand.device
    return _Beams(spans, torch.tensor(scores, device=device), torch.tensor(source, device=device),
                  torch.tensor(tokens, device=device))


def _all_done(beams: _Beams, hyps: list[list], num_beams: int, num_return: int) -> bool:
    """True when no prompt's running beams can still enter its best ``num_return`` hypotheses."""
    best_live = beams.scores.view(len(hyps), num_beams).max(dim=-1).values.tolist()
    for b, h in enumerate(hyps):
        if best_live[b] == float("-inf"):
            continue
        if len(h) < num_return or sorted((x[0] for x in h), reverse=True)[num_return - 1] < best_live[b]:
            return False
    return True


def _beam_search(model, proc: FMIndexLogitsProcessor, input_ids, attention_mask, *, num_beams: int,
                 num_return: int, max_new_tokens: int) -> list[list[tuple[tuple, float]]]:
    """Per prompt, the best ``num_return`` hypotheses as ``(span, sum of log-probs)``, best first."""
    n_prompts, eos = input_ids.shape[0], set(proc.eos.tolist())
    if attention_mask is None:
        attention_mask = torch.ones_like(input_ids)
    steps_of = _EncoderDecoderSteps if model.config.is_encoder_decoder else _DecoderOnlySteps
    steps = steps_of(model, input_ids, attention_mask, num_beams)
    logp = steps.first
    start = torch.full((n_prompts, num_beams), float("-inf"), device=logp.device)
    start[:, 0] = 0.0  # one beam per prompt to start from (the other rows are copies of it, dead until filled)
    beams = _Beams([()] * (n_prompts * num_beams), start.flatten(), None, None)
    hyps: list[list] = [[] for _ in range(n_prompts)]
    for step in range(max_new_tokens):
        beams = _select(_candidates(proc, logp, beams, num_beams), beams, num_beams, eos, hyps)
        if step == max_new_tokens - 1 or _all_done(beams, hyps, num_beams, num_return):
            break
        logp = steps.next(beams, step)
    for r, (span, score) in enumerate(zip(beams.spans, beams.scores.tolist())):
        if score > float("-inf"):  # still running at the end: a hypothesis as it stands
            hyps[r // num_beams].append((score, span, score))
    return [[(span, lp) for _, span, lp in sorted(h, key=lambda x: -x[0])[:num_return]] for h in hyps]


# -- model.generate with the processor (engine="hf") ------------------------------------------------------------

def _generate_hf(model, proc: FMIndexLogitsProcessor, input_ids, attention_mask, *, num_beams: int,
                 num_return: int, max_new_tokens: int, pad: int, **generate_kwargs) -> list[list[tuple]]:
    """Per input row, ``num_return`` hypotheses as ``(span, sum of log-probs)`` in ``generate``'s beam order."""
    eos_list = proc.eos.tolist()
    out = model.generate(input_ids=input_ids, attention_mask=attention_mask, num_beams=num_beams,
                         num_return_sequences=num_return, max_new_tokens=max_new_tokens,
                         do_sample=False, eos_token_id=eos_list, pad_token_id=pad,
                         logits_processor=LogitsProcessorList([proc]), output_scores=True,
                         return_dict_in_generate=True, **generate_kwargs)
    # Per-token scores of the chosen tokens, gathered along each hypothesis' beam path: with a mask that
    # never renormalises these are the model's own log-probabilities.
    step_scores = model.compute_transition_scores(out.sequences, out.scores, out.beam_indices,
                                                  normalize_logits=False).cpu().numpy()
    results = []
    for b in range(input_ids.shape[0]):
        row = []
        for r in range(b * num_return, (b + 1) * num_return):
            toks = []
            for t in out.sequences[r, proc.prompt_length:].tolist():
                if t in proc._eos_set:
                    break
                toks.append(t)
            row.append((tuple(toks), float(step_scores[r, :len(toks)].sum())))
        results.append(row)
    return results


def generate_spans(model, index: FMIndex, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                   *, num_beams: int = 10, num_return_sequences: int | None = None, max_new_tokens: int = 10,
                   min_span_length: int = 1, stop_count: int | None = None, first_token_allowed: FirstTokens = None,
                   first_token_banned: Iterable[int] | None = None, eos_token_id: int | Sequence[int] | None = None,
                   pad_token_id: int | None = None, tokenizer=None, engine: str = "auto",
                   **generate_kwargs) -> list[list[Span]]:
    """Constrained beam search; returns the generated spans per input row (see the module docstring).

    engine: "beam" (the hand-written search), "hf" (``model.generate``) or "auto" ("beam").
    """
    cfg = model.generation_config
    eos = eos_token_id if eos_token_id is not None else cfg.eos_token_id
    if eos is None:
        raise ValueError("no eos_token_id given and the model's generation_config has none")
    eos_list = [eos] if isinstance(eos, int) else list(eos)
    pad = pad_token_id if pad_token_id is not None else (cfg.pad_token_id if cfg.pad_token_id is not None
                                                          else eos_list[0])
    num_return = num_return_sequences or num_beams
    engine = _pick_engine(model, engine, generate_kwargs)
    if model.config.is_encoder_decoder:
        dec = generate_kwargs.get("decoder_input_ids")
        prompt_length = 1 if dec is None else dec.shape[1]  # the decoder start token (or a forced prefix)
    else:
        prompt_length = input_ids.shape[1]
    proc = FMIndexLogitsProcessor(index, prompt_length=prompt_length, eos_token_id=eos_list,
                                  min_span_length=min_span_length, stop_count=stop_count,
                                  first_token_allowed=first_token_allowed, first_token_banned=first_token_banned)
    if proc._first_rows is not None and len(proc._first_rows) != input_ids.shape[0]:
        raise ValueError(f"first_token_allowed has {len(proc._first_rows)} per-row sets for {input_ids.shape[0]} rows")
    with torch.no_grad():
        if engine == "beam":
            found = _beam_search(model, proc, input_ids, attention_mask, num_beams=num_beams,
                                 num_return=num_return, max_new_tokens=max_new_tokens)
        else:
            found = _generate_hf(model, proc, input_ids, attention_mask, num_beams=num_beams, num_return=num_return,
                                 max_new_tokens=max_new_tokens, pad=pad, **generate_kwargs)
    return [_to_spans(row, proc, min_span_length, tokenizer) for row in found]


def _pick_engine(model, engine: str, generate_kwargs: dict) -> str:
    engine = "beam" if engine == "auto" else engine
    if engine not in ("beam", "hf"):
        raise ValueError(f"engine must be 'auto', 'beam' or 'hf', not {engine!r}")
    if engine == "beam":
        extra = {k: v for k, v in generate_kwargs.items() if not (k == "length_penalty" and v == 0)}
        if extra:
            raise TypeError(f"engine='beam' ranks by plain sum of log-probs and takes no {sorted(extra)}; "
                            "use engine='hf' for generate options")
    return engine


def _to_spans(found: list[tuple], proc: FMIndexLogitsProcessor, min_span_length: int, tokenizer) -> list[Span]:
    """Distinct spans of at least ``min_span_length`` tokens, in the given order, with their index counts."""
    spans, seen = [], set()
    for toks, logprob in found:
        if len(toks) < min_span_length or toks in seen:
            continue
        count = proc.state(toks)[1]
        if count == 0:  # cannot happen under the mask; guard against a model that ignored it
            raise RuntimeError(f"generated span {toks} does not occur in the index")
        seen.add(toks)
        text = tokenizer.decode(list(toks)) if tokenizer is not None else None
        spans.append(Span(toks, logprob, int(count), text))
    return spans
