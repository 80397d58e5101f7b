"""Stage 09's parameters: `SearchLMConfig`'s training fields (their tuned defaults are written there, once) plus
where the corpus comes from, where the model goes and which of the paper's ablations it trains."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lexlab.legalsearchlm.searchlm.registry import DEFAULT_NAME as REGISTERED_NAME
from lexlab.legalsearchlm.searchlm.train import SearchLMConfig, variant_recipe
from lexlab.workbench import paths


@dataclass
class TrainSearchLMConfig(SearchLMConfig):
    """Notebook 09. ``variant`` sets ``targets``, ``first_token_aware`` and ``train_category`` (what the run logs
    is what trained); only ``variant="custom"`` takes those three as given."""

    run_name: str = "train_searchlm"
    benchmark: str = "legar"          # reads work/legar/<benchmark>/corpus.jsonl ...
    corpus_path: str = ""             # ... unless a JSONL corpus path is given here
    model_name: str = "searchlm"      # output: work/retrieval/<model_name>/final (out_dir, when it is not set)
    # legal: legal elements, first-token-aware (the full method); legal_no_fta: span starts untrimmed; naive: random
    # spans of the case; ood: legal, trained on one crime category (train_category, default 지식재산)
    variant: Literal["legal", "legal_no_fta", "naive", "ood", "custom"] = "legal"
    train_category: str = ""          # train on this category's cases only (variant ood or custom)
    llm_model: str = "gpt-4o-mini"    # extractor=llm only (OpenAI-compatible endpoint; key from the environment)
    llm_base_url: str = ""            # empty: OPENAI_BASE_URL or the client default
    # MLflow Model Registry: the model is registered under this name ("": not registered) with this alias ("": the
    # variant's name), loadable as models:/lexlab-legalsearchlm@legal (lexlab.legalsearchlm.searchlm.registry)
    register_as: str = REGISTERED_NAME
    register_alias: str = ""

    def __post_init__(self) -> None:
        recipe = variant_recipe(self.variant, self.targets, self.first_token_aware, self.train_category)
        self.targets, self.first_token_aware = recipe["targets"], recipe["first_token_aware"]
        self.train_category = recipe["train_category"]
        if self.extractor == "llm":
            self.llm = {"model": self.llm_model, "base_url": self.llm_base_url or None}
        self.extra_meta = {**self.extra_meta, "variant": self.variant, "train_category": self.train_category}
        self.register_alias = self.register_alias or self.variant
        if not re.fullmatch(r"[\w-]+", self.register_alias) or re.fullmatch(r"(?i)latest|v\d+", self.register_alias):
            raise ValueError(f"register_alias {self.register_alias!r}: an MLflow alias is letters, digits, _ and -, "
                             "and neither 'latest' nor v<number>")
        super().__post_init__()

    def model_dir(self) -> Path:
        return Path(self.out_dir) if self.out_dir else paths.work_dir("retrieval", self.model_name)

    def corpus_file(self) -> Path:
        return Path(self.corpus_path) if self.corpus_path else paths.work_dir("legar", self.benchmark) / "corpus.jsonl"
