"""Stage 02's parameters: the one place their defaults are written (notebook 02 and its YAML read them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from lexlab.legalmidm.qa.generate import TEMPLATE_KINDS
from lexlab.legalmidm.qa.verify import VerifyConfig
from lexlab.workbench.config import check_choices, check_fraction, check_non_negative, check_positive


@dataclass
class LawQAConfig:
    run_name: str = "law_qa"              # output directory under work/qa/
    seed: int = 0
    backend: Literal["template", "openai"] = "template"
    base_url: str = ""                    # openai: "" → OPENAI_BASE_URL or api.openai.com
    model: str = "gpt-4o-mini"            # openai: the served model name
    api_key_env: str = "OPENAI_API_KEY"   # name of the environment variable holding the key (never the key)
    workers: int = 4                      # openai: parallel requests
    max_articles: int = 0                 # 0: every train-split article; N: a seeded sample of N articles
    laws: str = ""                        # comma-separated law names (형법,도로교통법); empty: all laws
    kinds: list[str] = field(default_factory=lambda: list(TEMPLATE_KINDS))  # template kinds
    per_kind: int = 2                     # at most this many items of each kind per article
    include_interpretations: bool = True  # FSC law interpretations join as human-written items
    ngram: int = 3                        # verifier: character n-gram size
    min_containment: float = 0.6          # verifier: share of the answer's n-grams that must be in the article
    neighbours: int = 2                   # verifier: compare with ±k articles of the same law
    min_margin: float = 0.0               # verifier: own support must beat the best neighbour's by more than this
    snapshot: str = "latest"

    def __post_init__(self) -> None:
        check_choices(self)
        check_positive(self, "workers", "per_kind", "ngram")
        check_non_negative(self, "max_articles", "neighbours")
        check_fraction(self, "min_containment")
        unknown = sorted(set(self.kinds) - set(TEMPLATE_KINDS))
        if unknown:
            raise ValueError(f"LawQAConfig.kinds: unknown kind(s) {unknown}; choose from {TEMPLATE_KINDS}")

    def verify_config(self) -> VerifyConfig:
        return VerifyConfig(ngram=self.ngram, min_containment=self.min_containment, neighbours=self.neighbours,
                            min_margin=self.min_margin)

    def client(self) -> Any:
        """The LLM client of the openai backend (None for templates); its key is read from ``api_key_env``."""
        if self.backend != "openai":
            return None
        from lexlab.models.llm_client import LLMClient

        return LLMClient(base_url=self.base_url or None, model=self.model, api_key_env=self.api_key_env)

    def generation_options(self) -> dict[str, Any]:
        """``generate.run_stage`` keyword arguments that choose articles and items."""
        return {"laws": self.laws or None, "max_articles": self.max_articles, "seed": self.seed,
                "kinds": self.kinds, "per_kind": self.per_kind, "workers": self.workers}
