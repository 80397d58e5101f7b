"""Self-supervised LegalSearchLM training: every corpus case, masked like a query, → its own legal elements
(and, with ``element_pairs``, some of its elements → its other elements: the paper's Appendix C)."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence

from transformers import Trainer

from lexlab.legalsearchlm.bench.masking import mask_like_query
from lexlab.legalsearchlm.searchlm.elements import (
    Element,
    build_targets,
    normalize_text,
)
from lexlab.legalsearchlm.searchlm.prompt import find_tokens, prompt_ids, span_token_ids
from lexlab.models import trainer as shared
from lexlab.models.naming import resolve_model
from lexlab.models.trainer import TrainConfig, TrainResult
from lexlab.workbench.config import check_non_negative, check_positive
from lexlab.workbench.io import write_jsonl

STAGE = "train_searchlm"

# The paper's ablations as named variants (notebook 09's ``variant``; "custom" takes the three values as given).
VARIANTS = {
    "legal": {"targets": "legal", "first_token_aware": True, "train_category": ""},
    "legal_no_fta": {"targets": "legal", "first_token_aware": False, "train_category": ""},
    "naive": {"targets": "naive", "first_token_aware": True, "train_category": ""},
    "ood": {"targets": "legal", "first_token_aware": True, "train_category": "지식재산"},
}


def variant_recipe(variant: str, targets: str = "legal", first_token_aware: bool = True,
                   train_category: str = "") -> dict[str, Any]:
    """``targets``, ``first_token_aware`` and ``train_category`` of a variant: a named one's from `VARIANTS`
    ("ood" trains on ``train_category`` instead of its default when one is given), "custom" the values given."""
    if variant == "custom":
        return {"targets": targets, "first_token_aware": first_token_aware, "train_category": train_category}
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {[*VARIANTS, 'custom']}")
    recipe = dict(VARIANTS[variant])
    if variant == "ood" and train_category:
        recipe["train_category"] = train_category
    return recipe


def category_train_ids(corpus: Sequence[Mapping], category: str) -> list[str] | None:
    """The ids of the corpus cases of ``category`` (``SearchLMConfig.train_ids``); None (every case) without one."""
    if not category:
        return None
    ids = [d["id"] for d in corpus if d.get("category") == category]
    if not ids:
        raise ValueError(f"no corpus case has category {category!r}")
    return ids


@dataclass
class SearchLMConfig(TrainConfig):
    """How ``train_searchlm`` trains; the model lands in ``out_dir/final`` and checkpoints in ``out_dir/checkpoints``.

    ``train_ids`` restricts training to those cases (the OOD ablation: train on one category); the tokenizer is
    still trained on the whole corpus, which is unlabelled text the deployed system indexes anyway.
    ``extra_meta`` is copied into ``searchlm.json`` (e.g. the variant's name).
    """

    out_dir: str = ""
    model: str = "tiny"                   # "tiny" (Llama), "tiny-t5" (encoder-decoder) or any model path/id
    targets: Literal["legal", "naive"] = "legal"
    first_token_aware: bool = True
    extractor: Literal["offline", "llm"] = "offline"
    llm: dict[str, Any] = field(default_factory=dict)   # LLMElementExtractor options when extractor == "llm"
    max_elements: int = 32
    # Discriminative targets (searchlm/targets.py): extract ``target_candidates`` elements per case, drop general
    # provisions and spans in fewer than ``target_min_df`` or more than ``target_max_df`` cases, keep
    # ``max_elements`` rarest. ``target_filter=False`` trains on the extractor's first ``max_elements`` as before.
    target_filter: bool = True
    target_candidates: int = 64
    target_min_df: int = 2
    target_max_df: float = 0.02    # with max_elements=32: the oracle's best design on dev (benchmarks/searchlm_oracle.py)
    # The case's applied articles as written in it (searchlm/articles.py), head statements first: first-class
    # targets, each leading its own example (0: none, the targets before issue #23).
    article_targets: int = 4
    max_input_tokens: int = 160
    targets_per_example: int = 4          # targets sharing one prompt window (``prompt t1 EOS t2 EOS ...``)
    element_pairs: float = 0.0            # extra element→element examples per query→element one (Appendix C)
    in_window: bool = True                # the window holds the first target where the case text shows it
    vocab_size: int = 8000                # the tiny model's tokenizer
    model_config: dict[str, Any] = field(default_factory=dict)  # tiny Llama (or T5) config overrides
    max_steps: int = 2000                 # where dev P@5 levels off (benchmarks/results/searchlm_learning_curve.json)
    batch_size: int = 16
    learning_rate: float = 2e-3
    warmup_steps: int = 30
    weight_decay: float = 0.01
    save_steps: int = 200
    save_total_limit: int = 1
    report_to: shared.ReportTo = "auto"
    train_ids: list[str] | None = None
    extra_meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "max_elements", "max_input_tokens", "targets_per_example", "vocab_size", "batch_size",
                       "target_candidates", "target_min_df", "target_max_df")
        check_non_negative(self, "element_pairs")

    def target_rule(self):
        from lexlab.legalsearchlm.searchlm.targets import TargetFilter

        return TargetFilter(min_df=self.target_min_df, max_df=self.target_max_df, max_elements=self.max_elements)

    def model_dir(self) -> Path:
        if not self.out_dir:
            raise ValueError("SearchLMConfig.out_dir is required")
        return Path(self.out_dir)


class _PairDataset:
    """(prompt, targets) examples as token ids. A decoder-only model reads ``prompt t1 EOS t2 EOS ...``, loss only
    on the targets and EOSs; an encoder-decoder one (``seq2seq``) encodes the prompt and decodes ``t1 EOS t2 EOS ...``
    from its start token.

    Several targets share one prompt (``targets_per_example``): the prompt is most of the compute, and a span
    ends at its EOS at search time, so what follows an EOS is never generated; after it the model learns to
    start another element of the same case.
    """

    def __init__(self, examples: list[tuple[list[int], list[list[int]]]], eos: int, seq2seq: bool = False):
        self.examples = examples
        self.eos = eos
        self.seq2seq = seq2seq

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i: int) -> dict:
        p, targets = self.examples[i]
        out = [t for target in targets for t in (*target, self.eos)]
        if self.seq2seq:
            return {"input_ids": p, "labels": out}
        return {"input_ids": p + out, "labels": [-100] * len(p) + out, "n_target": len(out)}


def _collate(pad_id: int):
    """Left-padded batches that keep logits only where there are labels (``logits_to_keep``): the vocabulary
    projection of the prompt positions is most of a small model's compute and never enters the loss."""
    import torch

    def fn(batch: list[dict]) -> dict:
        n = max(len(b["input_ids"]) for b in batch)
        keep = max(b["n_target"] for b in batch) + 1  # + the last prompt position, which predicts the first token
        ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
        labels = torch.full((len(batch), n), -100, dtype=torch.long)
        att = torch.zeros((len(batch), n), dtype=torch.long)
        for i, b in enumerate(batch):
            L = len(b["input_ids"])
            ids[i, n - L:] = torch.tensor(b["input_ids"])
            labels[i, n - L:] = torch.tensor(b["labels"])
            att[i, n - L:] = 1
        pos = (att.cumsum(1) - 1).clamp(min=0)
        return {"input_ids": ids, "attention_mask": att, "position_ids": pos, "labels": labels[:, -keep:],
                "logits_to_keep": keep}

    return fn


def _collate_seq2seq(pad_id: int):
    """Encoder-decoder batches: right-padded encoder inputs, labels padded with -100 (the model shifts them right
    behind its decoder start token)."""
    import torch

    def fn(batch: list[dict]) -> dict:
        n, m = max(len(b["input_ids"]) for b in batch), max(len(b["labels"]) for b in batch)
        ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
        att = torch.zeros((len(batch), n), dtype=torch.long)
        labels = torch.full((len(batch), m), -100, dtype=torch.long)
        for i, b in enumerate(batch):
            ids[i, :len(b["input_ids"])] = torch.tensor(b["input_ids"])
            att[i, :len(b["input_ids"])] = 1
            labels[i, :len(b["labels"])] = torch.tensor(b["labels"])
        return {"input_ids": ids, "attention_mask": att, "labels": labels}

    return fn


def build_training_pairs(
    records: Sequence[Mapping],
    tokenizer,
    elements: Sequence[Sequence[Element]],
    max_input_tokens: int = 160,
    targets_per_example: int = 4,
    in_window: bool = True,
    mask_input: bool = True,
    seed: int = 0,
    fm=None,
    element_pairs: float = 0.0,
) -> tuple[list[tuple[list[int], list[list[int]]]], dict]:
    """(prompt, targets) examples: each case's targets in a random order, ``targets_per_example`` at a time, each
    group after its own random window of the case — with ``in_window``, one that holds the group's first target
    where the (masked) case text contains it, so the model learns to pick the legal elements its input shows
    (a masked statute or charge it must infer instead). A target that does not occur in the FM-index (if given) is
    dropped and counted. ``element_pairs`` > 0 adds about that many element→element examples of the same case
    per window example (`element_examples`); 0 leaves the examples exactly as without it."""
    rng = random.Random(seed)
    pairs, stats = [], {"targets": 0, "targets_not_in_corpus": 0, "cases_without_targets": 0,
                        "windows_holding_target": 0, "element_pairs": 0}
    for rec, els in zip(records, elements):
        text = mask_like_query(rec["text"]) if mask_input else rec["text"]
        # Windows never need more than the first few thousand tokens; tokenizing once per case keeps this linear.
        doc_ids = tokenizer(normalize_text(text)[: 40 * max_input_tokens], add_special_tokens=False)["input_ids"]
        leads, kept = _kept_targets(tokenizer, els, fm, stats)
        n_windows = 0
        for group in _groups(leads, kept, targets_per_example, rng):
            at = find_tokens(doc_ids, group[0]) if in_window else None
            stats["windows_holding_target"] += at is not None
            around = None if at is None else (at, at + len(group[0]))
            pairs.append((prompt_ids(tokenizer, doc_ids, max_input_tokens, rng, around=around), group))
            n_windows += 1
        if element_pairs:
            extra = element_examples(tokenizer, leads + kept, element_pairs * n_windows, rng, max_input_tokens,
                                     targets_per_example)
            stats["element_pairs"] += len(extra)
            pairs.extend(extra)
    rng.shuffle(pairs)
    stats["pairs"] = len(pairs)
    return pairs, stats


def _groups(leads: list[list[int]], rest: list[list[int]], size: int, rng: random.Random) -> list[list[list[int]]]:
    """The case's targets ``size`` at a time in a random order, every ``leads`` target (an applied article)
    first in a group of its own: the first target after the prompt is what search generates."""
    rng.shuffle(leads)
    rng.shuffle(rest)
    groups = [[lead, *rest[i * (size - 1):(i + 1) * (size - 1)]] for i, lead in enumerate(leads)]
    left = rest[len(leads) * (size - 1):]
    return groups + [left[g:g + size] for g in range(0, len(left), size)]


def _kept_targets(tokenizer, els: Sequence[Element], fm, stats: dict) -> tuple[list[list[int]], list[list[int]]]:
    """A case's targets as token ids — (applied articles, the others) — without those the FM-index (when given)
    does not hold; counted in ``stats``."""
    leads, kept = [], []
    for e in els:
        t = span_token_ids(tokenizer, e.text)
        stats["targets"] += 1
        if not t or (fm is not None and fm.count(t) == 0):
            stats["targets_not_in_corpus"] += 1
            continue
        (leads if e.kind == "article" else kept).append(t)
    if not leads and not kept:
        stats["cases_without_targets"] += 1
    return leads, kept


def element_examples(tokenizer, targets: Sequence[list[int]], n: float, rng: random.Random,
                     max_input_tokens: int = 160, targets_per_example: int = 4) -> list[tuple[list[int], list]]:
    """About ``n`` element→element examples of one case (the paper's Appendix C): one or two of its targets as the
    input, through the same prompt builder as a case window, → up to ``targets_per_example`` of its other targets,
    so the model learns which legal elements occur together. A case with fewer than two targets gives none; a
    fractional ``n`` is rounded up or down at random, so ``n`` is the expected count."""
    if len(targets) < 2:
        return []
    out = []
    for _ in range(int(n + rng.random())):
        order = rng.sample(list(targets), len(targets))
        k = rng.randint(1, min(2, len(targets) - 1))
        given = [t for target in order[:k] for t in target]
        out.append((prompt_ids(tokenizer, given, max_input_tokens), order[k:k + targets_per_example]))
    return out


def train_searchlm(corpus: Sequence[Mapping], cfg: SearchLMConfig) -> TrainResult:
    """Fine-tune (or train from a config) the span generator; resumes from ``out_dir/checkpoints``.

    The final model + tokenizer land in ``out_dir/final`` with ``searchlm.json`` describing how it was trained
    (also the result's ``extra``); the training targets in ``out_dir/targets.jsonl``.
    """
    t0 = time.time()
    cfg.model_dir().mkdir(parents=True, exist_ok=True)
    lm, tokenizer = _model(cfg, [normalize_text(r["text"]) for r in corpus])
    train_recs = _training_cases(corpus, cfg.train_ids)
    pairs, stats = _targets_and_pairs(cfg, train_recs, tokenizer, corpus)
    stats["seconds_prepare"] = round(time.time() - t0, 1)
    seq2seq = bool(lm.config.is_encoder_decoder)
    trainer = Trainer(model=lm, args=_training_arguments(cfg),
                      train_dataset=_PairDataset(pairs, tokenizer.eos_token_id, seq2seq=seq2seq),
                      data_collator=(_collate_seq2seq if seq2seq else _collate)(tokenizer.pad_token_id))
    with shared.mlflow_run(cfg, STAGE):
        result = shared.fit(trainer, cfg, tokenizer)
    stats["seconds_train"] = round(result.train_seconds, 1)
    stats["train_loss"] = float(result.train_loss)
    result.extra = {"model": cfg.model, "targets": cfg.targets, "first_token_aware": cfg.first_token_aware,
                    "extractor": cfg.extractor, "max_input_tokens": cfg.max_input_tokens,
                    "max_elements": cfg.max_elements, "target_filter": cfg.target_filter,
                    "target_max_df": cfg.target_max_df, "max_steps": cfg.max_steps, "batch_size": cfg.batch_size,
                    "learning_rate": cfg.learning_rate, "seed": cfg.seed, "train_cases": len(train_recs),
                    "targets_per_example": cfg.targets_per_example, "in_window": cfg.in_window,
                    "article_targets": cfg.article_targets,
                    "element_pairs_share": cfg.element_pairs, "encoder_decoder": seq2seq,
                    **cfg.extra_meta, **stats}
    shared.save_run_json(trainer, result, "searchlm.json", result.extra)
    return result


def _model(cfg: SearchLMConfig, texts: Sequence[str]):
    """(model in training mode, tokenizer): "tiny" and "tiny-t5" are built with a tokenizer trained on the
    corpus; anything else is loaded (a causal or a seq2seq LM, as its config says)."""
    from lexlab.models import hf

    path = cfg.model if cfg.model in hf.TINY_MODELS else resolve_model(cfg.model)
    if path in hf.TINY_MODELS:
        tokenizer = hf.cached_tokenizer(list(texts), cfg.vocab_size)
        return hf.build_model(path, tokenizer, seed=cfg.seed, **cfg.model_config), tokenizer
    lm, tokenizer = hf.load_model_and_tokenizer(path)
    lm.train()
    return lm, tokenizer


def _training_cases(corpus: Sequence[Mapping], train_ids: Sequence[str] | None) -> list[Mapping]:
    if train_ids is None:
        return list(corpus)
    keep = set(map(str, train_ids))
    recs = [r for r in corpus if str(r["id"]) in keep]
    if not recs:
        raise ValueError("train_ids selects no corpus record")
    return recs


def _targets_and_pairs(cfg: SearchLMConfig, recs: Sequence[Mapping], tokenizer,
                       corpus: Sequence[Mapping] | None = None) -> tuple[list, dict]:
    """Each case's targets (written to ``out_dir/targets.jsonl``) and the (prompt, targets) examples with their stats;
    legal targets are filtered against ``corpus`` (default ``recs``) when ``cfg.target_filter``."""
    use_filter = cfg.target_filter and cfg.targets == "legal"
    els = build_targets(recs, targets=cfg.targets, first_token_aware=cfg.first_token_aware,
                        max_elements=cfg.target_candidates if use_filter else cfg.max_elements, seed=cfg.seed,
                        extractor=cfg.extractor, llm=cfg.llm, progress=cfg.progress)
    if cfg.article_targets and cfg.targets == "legal":
        from lexlab.legalsearchlm.searchlm.articles import corpus_article_elements

        arts = corpus_article_elements([r["text"] for r in recs], cfg.article_targets)
        els = [a + list(es) for a, es in zip(arts, els)]
    if use_filter:
        from lexlab.legalsearchlm.searchlm.targets import filter_targets

        els = filter_targets(els, [r["text"] for r in (corpus or recs)], cfg.target_rule())
    pairs, stats = build_training_pairs(recs, tokenizer, els, max_input_tokens=cfg.max_input_tokens,
                                        targets_per_example=cfg.targets_per_example, in_window=cfg.in_window,
                                        seed=cfg.seed, element_pairs=cfg.element_pairs)
    if not pairs:
        hint = (f" (the target filter kept none: raise target_max_df={cfg.target_max_df} or set target_filter=False)"
                if use_filter else "")
        raise ValueError("no training pairs: no case yielded a target" + hint)
    write_jsonl(({"id": r["id"], "targets": [e.text for e in es]} for r, es in zip(recs, els)),
                cfg.model_dir() / "targets.jsonl")
    return pairs, stats


def _training_arguments(cfg: SearchLMConfig):
    import torch

    return shared.training_arguments(
        cfg, per_device_train_batch_size=cfg.batch_size, logging_steps=max(1, min(50, cfg.max_steps // 10)),
        use_cpu=cfg.use_cpu or not torch.cuda.is_available(), remove_unused_columns=False)
