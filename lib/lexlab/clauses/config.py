"""Stage 12's parameters: the one place their defaults are written (notebook 12, its YAML and the CLI read them).

The defaults are the setting measured in the README ("Clause extraction") (one setting, not a search): the fine-tuned model is
the tiny Llama built from a config with a classification head, fully trained; LoRA on that randomly initialised
base fitted worse at the demo's size, so LoRA is the route for a pretrained checkpoint (``model=<hub id or dir>
lora=true``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from transformers import TrainingArguments

from lexlab.models.trainer import TrainConfig, training_arguments
from lexlab.workbench import paths
from lexlab.workbench.config import check_choices, check_fraction, check_non_negative, check_positive

# fields that change what is evaluated or reported, not the trained model (left out of the model's directory key)
_NOT_THE_MODEL = {"run_name", "models", "min_test_examples", "progress", "report_to", "torch_threads", "log_model",
                  "jsonl_test", "max_test", "save_steps", "save_total_limit", "resume"}


@dataclass
class ClauseConfig(TrainConfig):
    run_name: str = "extract_clauses"
    task: Literal["article", "span"] = "article"  # article: one clause type per article; span: BIO spans in text
    data: Literal["statutes", "jsonl"] = "statutes"  # statutes: the installed statutes; jsonl: your labelled file(s)
    statutes: str = "package"          # "package": parse the installed data package; else a stage-01 snapshot name
    jsonl_train: str = ""              # data=jsonl: {"id","text","spans":[{"start","end","label"}]} per line
    jsonl_test: str = ""               # data=jsonl: a separate test file; "" splits jsonl_train by id
    labels: str = ""                   # data=jsonl: the allowed span labels, comma-separated; "" = what the file uses
    dev_fraction: float = 0.1          # share of law families (documents for jsonl) in dev, via lexlab.data.splits
    test_fraction: float = 0.2         # ... and in test
    min_type_articles: int = 20        # a clause type with fewer articles in the whole corpus joins "other"
    min_test_examples: int = 10        # a type (span label) with fewer test examples is left out of the headline
    other_per_typed: float = 2.0       # training sets keep at most this many "other" articles per typed one; 0: all
    max_train: int = 0                 # 0: every training example; N: a seeded subset of N (quick runs)
    max_test: int = 0                  # 0: the whole test split; N: a seeded subset of N
    models: str = "majority,rules,tfidf,finetune"  # comma-separated names from lexlab.clauses.models
    # ---- the fine-tuned model (lexlab.models.trainer)
    model: str = "tiny"                # "tiny" (built from a config), any Hugging Face path/id, run:<id>, models:/…
    lora: bool = False                 # LoRA adapters (peft) + a trained head instead of full fine-tuning
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_target_modules: str = "all-linear"
    max_length: int = 256              # tokens per input (longer articles are cut)
    max_steps: int = 400
    learning_rate: float = 1e-3
    warmup_steps: int = 20
    per_device_train_batch_size: int = 16
    logging_steps: int = 20
    save_steps: int = 200
    torch_threads: int = 1
    log_model: bool = True             # log the fine-tuned model to MLflow (models.mlflow_model)
    tokenizer_vocab_size: int = 8000   # the tiny model's tokenizer, trained on the training texts
    tiny_hidden_size: int = 128
    tiny_layers: int = 4
    tiny_heads: int = 4

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choices(self)
        check_fraction(self, "dev_fraction", "test_fraction", "lora_dropout")
        check_non_negative(self, "min_type_articles", "min_test_examples", "other_per_typed", "max_train", "max_test")
        check_positive(self, "max_length", "per_device_train_batch_size", "logging_steps", "lora_r", "lora_alpha",
                       "tokenizer_vocab_size", "tiny_hidden_size", "tiny_layers", "tiny_heads")
        if self.dev_fraction + self.test_fraction > 1:
            raise ValueError("ClauseConfig: dev_fraction + test_fraction must be at most 1")
        if self.data == "jsonl" and not self.jsonl_train:
            raise ValueError("ClauseConfig.jsonl_train: data=jsonl needs a labelled JSONL file")
        if self.data == "jsonl" and self.task != "span":
            raise ValueError("ClauseConfig.task: labelled JSONL holds spans; set task=span")
        if not self.model_names():
            raise ValueError("ClauseConfig.models: name at least one model")

    def model_names(self) -> list[str]:
        return [m.strip() for m in self.models.split(",") if m.strip()]

    def label_names(self) -> list[str] | None:
        return [x.strip() for x in self.labels.split(",") if x.strip()] or None

    def model_dir(self) -> Path:
        """work/models/clauses-<task>-<digest of the settings that shape the model>: a changed setting never
        resumes another setting's checkpoint."""
        key = {k: v for k, v in asdict(self).items() if k not in _NOT_THE_MODEL}
        digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:10]
        return paths.work_dir("models", f"clauses-{self.task}-{digest}")

    def training_arguments(self) -> TrainingArguments:
        return training_arguments(self, per_device_train_batch_size=self.per_device_train_batch_size,
                                  logging_steps=self.logging_steps, remove_unused_columns=False)

    def tiny_overrides(self) -> dict[str, int]:
        """``hf.tiny_llama_config`` keyword arguments for this config's shape."""
        return {"hidden_size": self.tiny_hidden_size, "num_hidden_layers": self.tiny_layers,
                "num_attention_heads": self.tiny_heads, "num_key_value_heads": self.tiny_heads,
                "intermediate_size": 3 * self.tiny_hidden_size, "max_position_embeddings": max(1024, self.max_length)}
