"""Stage 15's parameters: the one place their defaults are written (notebook 15, its YAML and the runner read them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from lexlab.workbench.config import check_choices, check_fraction, check_non_negative, check_positive


@dataclass
class JudgeConfig:
    run_name: str = "judge"
    snapshot: str = "latest"            # snapshot name under work/snapshot/, or an absolute path
    split: Literal["dev", "test"] = "test"  # decisions the summaries and CaseHOLD questions come from
    seed: int = 0
    # -- candidates: case summaries (이유 → 판결요지) by these variants, all judged on the same decisions
    n_summaries: int = 60               # decisions summarised (0: every one of the split with 이유 and 판결요지)
    variants: list[str] = field(default_factory=lambda: ["lead", "cited"])  # no-model summarisers (candidates.py)
    models: list[str] = field(default_factory=lambda: ["auto"])  # model specs; "auto": every work/models/*/final
    max_models: int = 4                 # "auto" takes at most this many (newest first)
    api_models: list[str] = field(default_factory=list)  # summarisers behind the judge's endpoint (self-preference)
    max_source_chars: int = 1500        # 이유 shown to summarisers and the judge, cut at a sentence end
    max_new_tokens: int = 128           # local models' summary length
    # -- reference-based checks (no judge)
    coverage_threshold: float = 0.5     # share of a holding sentence's character 3-grams one summary sentence holds
    # -- LLM-as-judge
    judge: Literal["auto", "on", "off"] = "auto"  # auto: only when an endpoint and its key are configured
    rubric: str = "case_summary"        # experiments/rubrics/<rubric>.yaml, or a path
    judge_model: str = "gpt-4o-mini"
    judge_base_url: str = ""            # empty: OPENAI_BASE_URL (or no judge under "auto")
    judge_key_env: str = "OPENAI_API_KEY"  # the variable holding the key (the key itself is never a parameter)
    pairwise: bool = True               # also A/B every two variants, both orders
    price_in_per_mtok: float = 0.0      # USD per million prompt tokens, for the logged cost (0: not estimated)
    price_out_per_mtok: float = 0.0
    human_labels: str = ""              # JSONL of human labels (judging/agreement.py); empty: none
    # -- the Korean CaseHOLD
    casehold: bool = True
    casehold_max_items: int = 0         # 0: every question of the split
    casehold_options: int = 5
    casehold_leak_threshold: float = 0.2  # drop an item when this share of its holding's 8-grams is in the context
    casehold_context_chars: int = 600   # 이유 before the masked holding (half as much after its citation)
    max_context_tokens: int = 512       # model input for option scoring, cut from the left

    def __post_init__(self) -> None:
        check_choices(self)
        check_non_negative(self, "n_summaries", "max_models", "casehold_max_items", "price_in_per_mtok",
                           "price_out_per_mtok")
        check_positive(self, "max_source_chars", "max_new_tokens", "casehold_context_chars", "max_context_tokens")
        check_fraction(self, "coverage_threshold", "casehold_leak_threshold")
        if self.casehold_options < 2:
            raise ValueError(f"JudgeConfig.casehold_options must be at least 2, got {self.casehold_options}")
        from lexlab.judging.candidates import check_variants

        check_variants(self.variants)
