"""Stage 14's parameters (sensitive-document review): the one place their defaults are written."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from lexlab.workbench.config import check_choices, check_fraction, check_non_negative, check_positive


@dataclass
class ReviewConfig:
    run_name: str = "review"
    name: str = "review"               # output: work/review/<name>/ (documents, models, queue, review.db)
    snapshot: str = "latest"           # snapshot name under work/snapshot/, or an absolute path
    input_path: str = ""               # a team's own JSONL {"id","text","label","spans"}; empty: build from decisions
    # the built review set
    positive_fraction: float = 0.4     # share of passages that get personal data inserted
    doc_chars: int = 400               # passage length (characters) cut from a decision's 이유
    passages_per_decision: int = 2
    max_decisions: int = 0             # 0: every decision; N: a seeded sample of N
    dev_fraction: float = 0.15         # split by appeal chain (lexlab.data.splits.case_split)
    test_fraction: float = 0.15
    # stage 1: triage
    stage1_recall: float = 0.99        # the threshold is the highest whose dev recall reaches this
    # stage 2: span model ensemble
    model: str = "tiny"                # "tiny" (small BERT from a config) or a Hugging Face path
    lora: Literal["auto", "on", "off"] = "auto"  # auto: LoRA for a pretrained model, full fine-tuning for tiny
    seeds: list[str] = field(default_factory=lambda: ["0", "1", "2"])  # one ensemble member per seed
    max_steps: int = 300
    batch_size: int = 16
    max_tokens: int = 160
    learning_rate: float = 1e-3
    vocab_size: int = 4000
    hidden_size: int = 128
    num_layers: int = 2
    torch_threads: int = 1
    span_threshold: float = 0.9        # token probability a span needs (best span F1 on dev: 0.75; 0.5 gives 0.45)
    queue_span_threshold: float = 0.5  # highlights in the human queue: the unsure documents, where 0.9 marks nothing
    # routing
    withhold_threshold: float = 0.9    # p - k·u at or above: withheld without a human
    uncertainty_k: float = 1.0         # k: how much the members' spread widens the human band
    workload_recalls: list[str] = field(default_factory=lambda: ["0.99", "0.999"])
    queue_split: Literal["dev", "test"] = "test"  # whose routed documents the review app queues
    seed: int = 0

    def __post_init__(self) -> None:
        check_choices(self)
        check_fraction(self, "positive_fraction", "dev_fraction", "test_fraction", "stage1_recall",
                       "span_threshold", "queue_span_threshold", "withhold_threshold")
        check_positive(self, "doc_chars", "passages_per_decision", "max_steps", "batch_size", "max_tokens",
                       "learning_rate", "vocab_size", "hidden_size", "num_layers")
        check_non_negative(self, "max_decisions", "uncertainty_k", "torch_threads")
        if not self.seeds:
            raise ValueError("ReviewConfig.seeds needs at least one seed")
        for name in ("seeds", "workload_recalls"):
            try:
                [float(v) for v in getattr(self, name)]
            except ValueError as exc:
                raise ValueError(f"ReviewConfig.{name} must be numbers, got {getattr(self, name)!r}") from exc
        if not all(0 < float(r) <= 1 for r in self.workload_recalls):
            raise ValueError(f"ReviewConfig.workload_recalls must be in (0, 1], got {self.workload_recalls}")

    def seed_list(self) -> list[int]:
        return [int(s) for s in self.seeds]

    def recall_targets(self) -> list[float]:
        return [float(r) for r in self.workload_recalls]
