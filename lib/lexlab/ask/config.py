"""Stage 11's parameters: the one place their defaults are written (notebook 11 and its YAML read them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from lexlab.ask.answer import AskConfig
from lexlab.ask.retrieve import Confidence, RetrieverConfig
from lexlab.workbench import stats
from lexlab.workbench.config import check_choices, check_fraction, check_non_negative, check_positive


@dataclass
class EvaluateAskConfig:
    run_name: str = "evaluate_ask"
    seed: int = 0
    snapshot: str = "latest"
    eval_split: Literal["test", "dev"] = "test"
    k: int = 5                            # articles retrieved and scored per question
    retriever: str = "bm25"               # any method of lexlab.legalsearchlm.retrieval's registry
    retriever_options: dict = field(default_factory=dict)  # that method's options, e.g. {"model": "work/retrieval/dense/final"}
    confidence: Confidence = "normalized"  # normalized | top: the retrieval score the "not found" threshold is set on
    max_false_not_found: float = 0.1      # calibration target on the dev questions
    generators: list[str] = field(default_factory=lambda: ["extractive"])  # extractive, a model path / name, run:ID
    openai_model: str = ""                # also evaluate openai:<this> (endpoint OPENAI_BASE_URL, key OPENAI_API_KEY)
    heldout_fraction: float = 0.1         # share of law families removed from the index (the unanswerable laws)
    max_per_kind: int = 150               # questions per kind and split (0: all)
    retrieval_ablation: bool = True       # where BM25 loses recall (tokenizer, title/law weights, law-first, filler)
    dense_model: str = ""                 # add a dense retriever (a trained encoder) to the ablation
    lay_weight: float = RetrieverConfig.lay_weight  # lay questions: RRF weight of the decisions' term map (0: off)
    lay_below: float = RetrieverConfig.lay_below    # … for questions naming no law with confidence below this
    lay_confidence: float = RetrieverConfig.lay_confidence  # a routed question's confidence: max(retriever, this × map)
    lay_questions: bool = True            # also score the everyday-language set (lexlab.ask.lay_questions)
    n_boot: int = stats.N_RESAMPLES       # bootstrap resamples of every interval

    def __post_init__(self) -> None:
        check_choices(self)
        check_positive(self, "k", "n_boot")
        check_non_negative(self, "max_per_kind")
        check_fraction(self, "max_false_not_found", "heldout_fraction")
        check_non_negative(self, "lay_weight", "lay_below", "lay_confidence")
        if not self.generators and not self.openai_model:
            raise ValueError("EvaluateAskConfig.generators is empty and no openai_model is given: nothing to evaluate")

    def ask_config(self) -> AskConfig:
        """What `lexlab ask` runs with under these parameters."""
        return AskConfig(k=self.k, confidence=self.confidence, max_false_not_found=self.max_false_not_found,
                         retriever=RetrieverConfig(self.retriever, dict(self.retriever_options),
                                                   lay_weight=self.lay_weight, lay_below=self.lay_below,
                                                   lay_confidence=self.lay_confidence))

    def generator_specs(self) -> list[str]:
        return list(self.generators) + ([f"openai:{self.openai_model}"] if self.openai_model else [])
