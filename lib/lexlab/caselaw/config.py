"""Stage 13's parameters: the one place their defaults are written (notebook 13, its YAML and the CLI read them)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lexlab.workbench.config import check_choices, check_non_negative, check_positive


@dataclass
class CaseOutcomeConfig:
    run_name: str = "case_outcomes"
    snapshot: str = "latest"            # snapshot name under work/snapshot/, or an absolute path
    split: Literal["test", "dev"] = "test"  # the held-out decisions asked about (lexlab.data.splits, appeal chains)
    max_questions: int = 0              # 0 asks about every held-out decision, N about a seeded random N
    retrievers: str = "bm25,lancedb"    # comma list of registry methods; each gets a vote row; the first one answers
    retriever_model: str = ""           # lancedb: a dense encoder path (empty: LSA embedding fit on the corpus)
    depth: int = 100                    # precedents retrieved per question (decided earlier, not its appeal chain)
    k: int = 10                         # of those, the best k (of the question's instance) vote; tuned on dev
    same_instance: bool = True          # vote only over precedents of the question's instance (상고심/항소심/제1심)
    citations: int = 3                  # citations per answer (the top-scored precedents that voted for the answer)
    min_score: float = 0.0              # no retrieved precedent above this score: "not found"
    llm_model: str = ""                 # an OpenAI-compatible model for the openai generator (empty: not run)
    llm_base_url: str = ""              # empty: OPENAI_BASE_URL or the client default; the key only from the env
    triplets: bool = True               # write (question, answer, citation) triplets of the training split
    max_triplets: int = 0               # 0: every training decision with a question
    seed: int = 0

    def __post_init__(self) -> None:
        check_choices(self)
        check_non_negative(self, "max_questions", "max_triplets", "min_score")
        check_positive(self, "depth", "k", "citations")
        if not self.retriever_names():
            raise ValueError("CaseOutcomeConfig.retrievers must name at least one retrieval method")

    def retriever_names(self) -> list[str]:
        return [r.strip() for r in self.retrievers.split(",") if r.strip()]

    def retriever_options(self, method: str) -> dict[str, str]:
        """Options of a registry method beyond its name (the dense encoder for lancedb, the model for searchlm)."""
        return {"model": self.retriever_model} if self.retriever_model and method != "bm25" else {}
