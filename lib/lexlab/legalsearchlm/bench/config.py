"""Stage 08's parameters: the one place their defaults are written (notebook 08, its YAML and the CLI read them)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lexlab.workbench.config import check_choices, check_fraction, check_non_negative


@dataclass
class BenchmarkConfig:
    run_name: str = "build_benchmark"
    snapshot: str = "latest"           # snapshot name under work/snapshot/, or an absolute path
    name: str = "legar"                # output: work/legar/<name>/
    annotator: Literal["none", "rules", "llm"] = "rules"  # stricter relevance's legal-factor annotator
    title_match: Literal["exact", "contains"] = "exact"   # exact: the candidate's one charge; contains: among them
    max_queries: int = 0               # 0 keeps all queries, N keeps a seeded random subset of N
    test_fraction: float = 0.5         # share of queries (by appeal chain, via lexlab.data.splits) in test; rest dev
    seed: int = 0
    llm_model: str = "gpt-4o-mini"     # annotator=llm only
    llm_base_url: str = ""             # empty: OPENAI_BASE_URL or the client default

    def __post_init__(self) -> None:
        check_choices(self)
        check_non_negative(self, "max_queries")
        check_fraction(self, "test_fraction")

    def annotator_options(self) -> dict[str, str | None]:
        """Keyword arguments of ``legal_factors.make_annotator`` beyond the annotator's name."""
        return {"model": self.llm_model, "base_url": self.llm_base_url or None} if self.annotator == "llm" else {}
