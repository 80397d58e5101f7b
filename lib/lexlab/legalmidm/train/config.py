"""The configs of continual pre-training (``CPTConfig``) and instruction tuning (``ITConfig``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

import mlflow
from transformers import TrainingArguments

from lexlab.data.general_text import TASKS as GENERAL_TASKS
from lexlab.data.legal_text import LEGAL_TABLES
from lexlab.legalmidm import mixing
from lexlab.legalmidm.formats import Format
from lexlab.legalmidm.mixing import StoppingStrategy
from lexlab.models.trainer import TrainConfig, config_params, training_arguments
from lexlab.workbench import paths, tracking
from lexlab.workbench.config import check_fraction, check_non_negative, check_positive

# What a stage trains on: legal data only, or legal data mixed with general data (``general_fraction``).
# The values are the ablation levels of ``cpt_mix`` / ``it_mix`` (YAML, notebooks, comparison factors).
Mix = Literal["legal", "legal+general"]
LEGAL_AND_GENERAL = "legal+general"


@dataclass
class StageConfig(TrainConfig):
    """What both stages share. Defaults are sized for one variant in ~1–2 minutes on 2 CPU cores."""

    run_name: str = "default"
    model_name: str = ""                  # directory under work/models/; "" → run_name
    max_steps: int = 150
    per_device_train_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    warmup_steps: int = 10
    logging_steps: int = 10
    # share of general data when the stage mixes (cpt_mix / it_mix = "legal+general"); a legal-only stage
    # keeps the number (it is what the mixing variant of an ablation uses) and trains on legal data alone:
    # what the data code reads is ``effective_general_fraction``
    general_fraction: float = mixing.DEFAULT_GENERAL_FRACTION
    stopping_strategy: StoppingStrategy = "first_exhausted"
    general_jsonl: str = ""               # a user's general data instead of the press releases
    snapshot: str = "latest"
    bf16: bool = False
    activation_checkpointing: bool = False  # trade compute for memory on big models
    log_model: bool = True                # log work/models/<name>/final to MLflow as an artifact
    # the tiny model's shape (ignored for a real checkpoint); names avoid the Llama config's own keys
    tokenizer_vocab_size: int = 8000
    tiny_hidden_size: int = 128
    tiny_layers: int = 4
    tiny_heads: int = 4
    tiny_intermediate_size: int = 384

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fraction(self, "general_fraction")
        check_positive(self, "per_device_train_batch_size", "gradient_accumulation_steps", "logging_steps",
                       "tokenizer_vocab_size", "tiny_hidden_size", "tiny_layers", "tiny_heads",
                       "tiny_intermediate_size")

    def name(self) -> str:
        return self.model_name or self.run_name

    @property
    def stage_mix(self) -> str:
        """The stage's mixing factor (``CPTConfig.cpt_mix`` / ``ITConfig.it_mix``)."""
        raise NotImplementedError

    @property
    def effective_general_fraction(self) -> float:
        """The general share actually trained on: ``general_fraction`` when the stage mixes, else 0."""
        return self.general_fraction if self.stage_mix == LEGAL_AND_GENERAL else 0.0

    def model_dir(self) -> Path:
        return paths.work_dir("models", self.name())

    def training_arguments(self, remove_unused_columns: bool) -> TrainingArguments:
        """The shared trainer's arguments plus what both stages set."""
        return training_arguments(
            self, per_device_train_batch_size=self.per_device_train_batch_size,
            gradient_accumulation_steps=self.gradient_accumulation_steps, logging_steps=self.logging_steps,
            bf16=self.bf16, activation_checkpointing=self.activation_checkpointing,
            remove_unused_columns=remove_unused_columns)

    def tiny_overrides(self, context_len: int) -> dict[str, int]:
        """``build_model("tiny", ...)`` keyword arguments for this config's shape."""
        return {
            "hidden_size": self.tiny_hidden_size,
            "num_hidden_layers": self.tiny_layers,
            "num_attention_heads": self.tiny_heads,
            "num_key_value_heads": self.tiny_heads,
            "intermediate_size": self.tiny_intermediate_size,
            "max_position_embeddings": max(1024, context_len),
        }


@dataclass
class CPTConfig(StageConfig):
    """Continual pre-training on legal raw text, mixed with general text by ``general_fraction``."""

    run_name: str = "cpt"
    model: str = "tiny"                   # "tiny", a local model dir, a models/<name>, or a hub id
    # "legal": legal text only (general_fraction is not used); "legal+general": general text mixed in at
    # general_fraction. The factor of the CPT-data ablation.
    cpt_mix: Mix = LEGAL_AND_GENERAL
    block_size: int = 128
    legal_tables: list[str] = field(default_factory=lambda: list(LEGAL_TABLES))
    max_legal_docs: int = 300             # per legal table; 0 → all of the train split
    max_general_docs: int = 300           # 0 → all
    legal_jsonl: str = ""                 # a user's legal corpus ({"id","text"}) instead of the snapshot

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "block_size")
        check_non_negative(self, "max_legal_docs", "max_general_docs")
        unknown = sorted(set(self.legal_tables) - set(LEGAL_TABLES))
        if unknown:
            raise ValueError(f"CPTConfig.legal_tables: unknown table(s) {unknown}; choose from {LEGAL_TABLES}")

    @property
    def stage_mix(self) -> str:
        return self.cpt_mix


@dataclass
class ITConfig(StageConfig):
    """Instruction tuning on law QA (stage 02 output) mixed with general instructions, LoRA by default."""

    run_name: str = "it"
    model: str = "tiny"                   # usually a CPT output: a run name under work/models/, its final dir, a hub id
    # "legal": law QA only (general_fraction is not used); "legal+general": general instructions mixed in at
    # general_fraction. The factor of the IT-data ablation.
    it_mix: Mix = LEGAL_AND_GENERAL
    qa_dir: str = "law_qa"                # accepted.jsonl, its dir, or a run name under work/qa/
    format: Format = "ref_in_output"
    # trained with when set: a candidate name (legal_advisor, ...), "best" (stage 05's choice) or literal text
    system_prompt: str = ""
    max_length: int = 512
    max_ref_chars: int = 400              # statute text in ref_in_* formats is clipped to fit max_length
    max_qa_items: int = 0                 # 0 → all
    max_general_items: int = 0            # 0 → all that the general docs yield
    max_general_docs: int = 600
    general_tasks: list[str] = field(default_factory=lambda: ["title", "continue"])
    lora: bool = True                     # False → full fine-tuning
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_target_modules: str = "all-linear"  # or comma-separated module names
    qlora: bool = False                   # base model in 4 bits (bitsandbytes NF4) under LoRA; needs a CUDA GPU
    learning_rate: float = 2e-3

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "max_length", "lora_r", "lora_alpha")
        check_non_negative(self, "max_ref_chars", "max_qa_items", "max_general_items", "max_general_docs")
        check_fraction(self, "lora_dropout")
        if self.qlora and not self.lora:
            raise ValueError("ITConfig.qlora: QLoRA trains a LoRA adapter on a 4-bit base; set lora: true")
        unknown = sorted(set(self.general_tasks) - set(GENERAL_TASKS))
        if unknown:
            raise ValueError(f"ITConfig.general_tasks: unknown task(s) {unknown}; choose from {GENERAL_TASKS}")

    @property
    def stage_mix(self) -> str:
        return self.it_mix

    @property
    def system_prompt_text(self) -> str:
        """The text trained with: ``system_prompt`` resolved (a candidate name or "best" → its text)."""
        from lexlab.legalmidm.system_prompt import resolve

        return resolve(self.system_prompt)[1]


def log_stage_inputs(cfg: StageConfig, ratio: Mapping[str, Any], counts: Mapping[str, Any]) -> None:
    """Into the active MLflow run: the config's own params (``cpt_mix``/``it_mix`` and ``general_fraction``
    included), the stage's data counts, and the general share actually trained on (``realised_general_fraction``,
    from ``mixing.realised_ratio``)."""
    tracking.log_params({**config_params(cfg), **counts})
    mlflow.log_metrics({"realised_general_fraction": float(ratio["general_fraction"])})
