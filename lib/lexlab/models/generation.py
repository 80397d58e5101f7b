"""Batched local inference for evaluation: greedy generation, continuation scoring and windowed NLL, behind one
interface whatever runs the model.

- ``HFGenerator``: Hugging Face ``generate``; prompts sorted by length so a batch holds similar lengths, padded on
  the *left* (a decoder-only model continues from the last position, which must be a real token).
- ``VLLMGenerator``: the same call through vLLM (paged attention, continuous batching) for users who have it; vLLM
  is imported only when this backend is asked for, and a missing package is a clear error.

``make_generator(backend, model, tokenizer)`` picks one. Scoring needs the model's logits, so it always runs
through ``transformers``: ``continuation_logprobs`` reads a question's prompt once and scores all its options from
the KV cache (the options of multiple choice share a long prompt); ``window_nll`` batches the windows of many
documents (right padding: every scored position has its real context to the left), up to ``max_batch_tokens``
tokens per forward pass, sorted by length so little of a batch is padding.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal, Sequence

import torch
from lexlab.workbench import progress
from lexlab.workbench.progress import item_bar as tqdm

Backend = Literal["hf", "vllm"]
BACKENDS = ("hf", "vllm")


@dataclass
class DecodeOptions:
    """What a generator needs to know about decoding (greedy unless ``num_beams`` > 1)."""

    max_new_tokens: int = 64
    min_new_tokens: int = 0
    num_beams: int = 1
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    batch_size: int = 8


def model_device(model) -> torch.device:
    try:
        return next(model.parameters()).device
    except StopIteration:  # pragma: no cover
        return torch.device("cpu")


def length_batches(lengths: Sequence[int], max_rows: int, max_tokens: int = 0) -> list[list[int]]:
    """Indices sorted by length, cut into batches of at most ``max_rows`` rows and (when > 0) ``max_tokens``
    padded tokens (rows × the batch's longest row)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches, current = [], []
    for i in order:
        rows, width = len(current) + 1, lengths[i]  # sorted ascending: this row is the widest so far
        if current and (rows > max_rows or (max_tokens and rows * width > max_tokens)):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class HFGenerator:
    """Greedy/beam continuations with ``model.generate``, batched by prompt length, left-padded."""

    def __init__(self, model, tokenizer, pad_id: int):
        self.model, self.tokenizer, self.pad = model, tokenizer, pad_id

    @torch.no_grad()
    def generate(self, prompt_ids: Sequence[list[int]], opts: DecodeOptions, desc: str = "generate") -> list[str]:
        outputs = [""] * len(prompt_ids)
        device, eos = model_device(self.model), self.tokenizer.eos_token_id
        kwargs = dict(max_new_tokens=opts.max_new_tokens, do_sample=False, num_beams=opts.num_beams,
                      repetition_penalty=opts.repetition_penalty, pad_token_id=self.pad, eos_token_id=eos)
        if opts.min_new_tokens:
            kwargs["min_new_tokens"] = opts.min_new_tokens
        if opts.no_repeat_ngram_size:
            kwargs["no_repeat_ngram_size"] = opts.no_repeat_ngram_size
        batches = length_batches([len(p) for p in prompt_ids], opts.batch_size)
        for batch in tqdm(batches, desc=desc, leave=False):
            rows = [prompt_ids[i] for i in batch]
            width = max(len(r) for r in rows)
            input_ids = torch.tensor([[self.pad] * (width - len(r)) + r for r in rows], device=device)
            mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=device)
            out = self.model.generate(input_ids=input_ids, attention_mask=mask, **kwargs)
            for j, i in enumerate(batch):
                outputs[i] = self.tokenizer.decode(out[j, width:], skip_special_tokens=True).strip()
        return outputs


class VLLMGenerator:
    """The same interface through vLLM. It loads the model itself from ``path`` (a merged checkpoint: vLLM serves
    a LoRA adapter only through its own LoRA requests, so merge an adapter first: ``hf.load_model(...,
    merge_adapter=True)`` then ``save_pretrained``)."""

    def __init__(self, path: str, **engine_kwargs):
        try:
            from vllm import LLM
        except ImportError as exc:
            raise ImportError("generation backend 'vllm' needs the vllm package (pip install vllm; it needs a "
                              "CUDA GPU); use backend 'hf' otherwise") from exc
        self.llm = LLM(model=str(path), **engine_kwargs)

    def generate(self, prompt_ids: Sequence[list[int]], opts: DecodeOptions, desc: str = "generate") -> list[str]:
        from vllm import SamplingParams

        if opts.num_beams > 1:
            raise ValueError("backend 'vllm': beam search is not offered here; use num_beams=1 or backend 'hf'")
        params = SamplingParams(temperature=0.0, max_tokens=opts.max_new_tokens, min_tokens=opts.min_new_tokens,
                                repetition_penalty=opts.repetition_penalty, skip_special_tokens=True)
        outs = self.llm.generate([{"prompt_token_ids": list(p)} for p in prompt_ids], params,
                                 use_tqdm=progress.mode() == "item")
        return [o.outputs[0].text.strip() for o in outs]


def make_generator(backend: str, model, tokenizer, pad_id: int, **engine_kwargs):
    """``"hf"`` → ``HFGenerator`` over the loaded model; ``"vllm"`` → ``VLLMGenerator`` over the model's path."""
    if backend == "hf":
        return HFGenerator(model, tokenizer, pad_id)
    if backend == "vllm":
        return VLLMGenerator(getattr(model, "name_or_path", "") or model.config._name_or_path, **engine_kwargs)
    raise ValueError(f"generation backend must be one of {BACKENDS}, got {backend!r}")


@torch.no_grad()
def continuation_logprobs(model, rows: Sequence[tuple[list[int], list[int]]], pad_id: int,
                          max_batch_tokens: int = 8192, max_rows: int = 64, desc: str = "score") -> list[float]:
    """Sum of log-probabilities of each row's continuation given its context: ``rows`` of (context ids,
    continuation ids). Rows sharing a context (the options of one question) read it once: one forward pass over
    the context fills the KV cache, and one more scores all its continuations from there (right padding)."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, (ctx, _) in enumerate(rows):
        groups.setdefault(tuple(ctx), []).append(i)
    sums = [0.0] * len(rows)
    # a Hugging Face model (anything with ``generate``) has a KV cache; a plain module is scored row by row
    scorer = _shared_prefix_scores if hasattr(model, "generate") else _full_scores
    for ctx, members in tqdm(groups.items(), desc=desc, leave=False):
        for start in range(0, len(members), max_rows):
            part = members[start:start + max_rows]
            scores = scorer(model, list(ctx), [rows[i][1] for i in part], pad_id)
            for i, score in zip(part, scores):
                sums[i] = score
    return sums


def _full_scores(model, ctx: list[int], conts: list[list[int]], pad_id: int) -> list[float]:
    """Context + continuation as whole rows in one forward pass (for models without a KV cache)."""
    device = model_device(model)
    seqs = [ctx + c for c in conts]
    width = max(len(x) for x in seqs)
    input_ids = torch.tensor([x + [pad_id] * (width - len(x)) for x in seqs], device=device)
    mask = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in seqs], device=device)
    logits = model(input_ids=input_ids, attention_mask=mask).logits
    scores = []
    for k, c in enumerate(conts):
        lp = torch.log_softmax(logits[k, len(ctx) - 1:len(ctx) - 1 + len(c)].float(), dim=-1)
        scores.append(float(lp.gather(-1, input_ids[k, len(ctx):len(ctx) + len(c), None]).sum()))
    return scores


def _shared_prefix_scores(model, ctx: list[int], conts: list[list[int]], pad_id: int) -> list[float]:
    device = model_device(model)
    out = model(input_ids=torch.tensor([ctx], device=device), use_cache=True)
    first = torch.log_softmax(out.logits[0, -1].float(), dim=-1)  # predicts each continuation's first token
    scores = [float(first[c[0]]) if c else 0.0 for c in conts]
    width = max(len(c) for c in conts) - 1
    if width <= 0:
        return scores
    past = out.cache  # transformers 5: the KV cache (``past_key_values`` before)
    past.batch_repeat_interleave(len(conts))
    inputs = torch.tensor([c[:-1] + [pad_id] * (width - len(c) + 1) for c in conts], device=device)
    mask = torch.tensor([[1] * len(ctx) + [1] * (len(c) - 1) + [0] * (width - len(c) + 1) for c in conts],
                        device=device)
    logits = model(input_ids=inputs, attention_mask=mask, cache=past).logits
    for k, c in enumerate(conts):
        if len(c) > 1:
            lp = torch.log_softmax(logits[k, :len(c) - 1].float(), dim=-1)
            scores[k] += float(lp.gather(-1, torch.tensor(c[1:], device=device)[:, None]).sum())
    return scores


@torch.no_grad()
def window_nll(model, docs: Sequence[list[int]], window: int, pad_id: int, max_batch_tokens: int = 8192,
               desc: str = "nll", max_rows: int = 0) -> list[tuple[float, int]]:
    """Per document: total NLL (nats) and predicted tokens, in non-overlapping windows of ``window`` tokens
    (each window predicts its tokens 2.. from the ones before it), windows of all documents batched together."""
    pieces = []  # (doc index, chunk of window + 1 ids)
    for d, ids in enumerate(docs):
        for start in range(0, max(len(ids) - 1, 0), window):
            chunk = ids[start:start + window + 1]
            if len(chunk) >= 2:
                pieces.append((d, chunk))
    totals = [[0.0, 0] for _ in docs]
    device = model_device(model)
    # Measured on this project's CPU (benchmarks/results/eval_throughput.md): batching windows of different
    # lengths was no faster there (the padding mask takes attention off its causal fast path), so the CPU reads
    # one window per pass; on a GPU windows are batched (not measured here).
    max_rows = max_rows or (64 if device.type == "cuda" else 1)
    batches = length_batches([len(c) - 1 for _, c in pieces], max_rows, max_batch_tokens)
    for batch in tqdm(batches, desc=desc, leave=False):
        xs = [pieces[i][1][:-1] for i in batch]
        width = max(len(x) for x in xs)
        x = torch.tensor([s + [pad_id] * (width - len(s)) for s in xs], device=device)
        mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in xs], device=device)
        logits = model(input_ids=x, attention_mask=mask).logits
        for j, i in enumerate(batch):
            d, chunk = pieces[i]
            target = torch.tensor(chunk[1:], device=device)
            totals[d][0] += float(torch.nn.functional.cross_entropy(
                logits[j, :len(chunk) - 1].float(), target, reduction="sum"))
            totals[d][1] += len(chunk) - 1
    return [(t, n) for t, n in totals]
