"""The parameters of the LegalMidm evaluation stages, each the one place its defaults are written: stage 05
(``SystemPromptConfig``), stage 06 (``EvaluateConfig``) and stage 07 (``CompareConfig``). Stages 05 and 06 share
``EvalSampleConfig`` (which examples, how they are cut and decoded), so a prompt is chosen under the decoding its
scores are reported with."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from lexlab.legalmidm.registry import DEFAULT_NAME as REGISTERED_NAME
from lexlab.workbench import stats
from lexlab.workbench.config import check_choices, check_non_negative, check_positive

Split = Literal["train", "dev", "test"]


@dataclass
class EvalSampleConfig:
    """Which examples an evaluation scores and how models decode them (the same for every model compared)."""

    seed: int = 0
    tasks: str = "all"            # "all", groups (summary, qa, mrc, mc, drafting, general) or task names, comma-separated
    split: Split = "test"
    n_per_task: int = 20          # cap per task (CPU time); 0: every example of the split
    sample_seed: int = 0          # which examples; keep it fixed across everything you compare
    max_input_chars: int = 600    # the truncation rule's budget per input field (characters, same for every model)
    max_new_tokens: int = 48
    min_new_tokens: int = 0       # force at least this many tokens (same for every model), for models that stop at once
    repetition_penalty: float = 1.1
    batch_size: int = 8
    backend: Literal["hf", "vllm"] = "hf"  # generation: transformers, or vLLM (if installed; a merged checkpoint)
    snapshot: str = "latest"
    torch_threads: int = 0        # CPU threads (0: torch default); 1 is faster on a CPU shared with other jobs

    def __post_init__(self) -> None:
        check_choices(self)
        check_positive(self, "max_input_chars", "max_new_tokens", "batch_size", "repetition_penalty")
        check_non_negative(self, "n_per_task", "min_new_tokens", "torch_threads")

    def settings(self):
        """The decoding every model of the stage gets."""
        from lexlab.legalmidm.evaluate import GenerationSettings

        return GenerationSettings(max_new_tokens=self.max_new_tokens, min_new_tokens=self.min_new_tokens,
                                  batch_size=self.batch_size, backend=self.backend,
                                  repetition_penalty=self.repetition_penalty)

    def examples(self, split: str | None = None, **user_files: str) -> dict[str, list]:
        """The examples every model sees: same tasks, split (``split`` overrides), sample and truncation."""
        from lexlab.legalmidm.evaluate import build_examples

        return build_examples(self.tasks, split or self.split, self.n_per_task, self.sample_seed,
                              self.max_input_chars, self.snapshot, **user_files)

    def setup_torch(self) -> None:
        """Seed torch and set its CPU threads (before any model is built)."""
        import torch

        if self.torch_threads:
            torch.set_num_threads(self.torch_threads)
        torch.manual_seed(self.seed)


@dataclass
class SystemPromptConfig(EvalSampleConfig):
    """Stage 05: candidate system prompts scored on the dev split; the winner is saved for ``system_prompt: best``."""

    run_name: str = "system_prompt"
    model: str = ""                       # the model prompts are chosen with (trained without a system prompt)
    candidates: str = "all"               # "all" or comma-separated names from system_prompt.CANDIDATES
    tasks: str = "summary,qa,mrc,mc"      # generation + choice tasks (perplexity does not use a prompt)
    split: Split = "dev"                  # choose on dev; the test split is for the final tables
    n_per_task: int = 10
    min_gain: float = 0.01                # a prompt must beat "none" by more than this (dev average, 0..1 scale)
    trained_with_prompt_model: str = ""   # optional: the same recipe tuned with `trained_prompt` as system prompt
    trained_prompt: str = "legal_advisor"
    comparison_split: Split = "test"      # where the inference-only vs also-in-training comparison is scored

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.model:
            raise ValueError("SystemPromptConfig.model is empty: name the instruction-tuned model to choose with")


@dataclass
class EvaluateConfig(EvalSampleConfig):
    """Stage 06: every task of one split for the listed models, with the baselines beside them."""

    run_name: str = "evaluate"
    # [{"name": "it_no_ref", "path": "work/models/it_no_ref/final", "format": "no_ref", ...}]: every key beside
    # name, path and base_url is an ablation factor
    models: list[dict] = field(default_factory=list)
    # or one model: a path, a run name (work/models/<name>/final), run:<mlflow id>, or openai:<model-name> for a
    # model behind an OpenAI-compatible endpoint (base_url)
    model: str = ""
    variant: str = ""                     # that model's variant name ("" → the model directory's name)
    factors: dict = field(default_factory=dict)  # its ablation factors, e.g. {"format": "no_ref"} (grid tags added)
    base_url: str = ""                    # the endpoint of openai: models ("" → OPENAI_BASE_URL or OpenAI's)
    api_key_env: str = "OPENAI_API_KEY"   # the environment variable holding its key (never the key itself)
    api_concurrency: int = 4              # requests in flight at once
    api_price_per_mtok: list[float] = field(default_factory=lambda: [0.0, 0.0])  # [input, output] USD per 1M tokens
    system_prompt: str = ""               # "", a candidate name, "best" (stage 05's choice) or literal text
    rouge_tokenizers: list[str] = field(default_factory=lambda: ["char"])  # char and/or morph; the first is the headline
    baselines: list[str] = field(default_factory=lambda: ["untrained", "extractive"])
    base_model: str = ""                  # "" → an untrained copy of the first model's architecture; or a model path
    complaint_jsonl: str = ""             # your curated complaints (schema: lexlab/legalmidm/tasks/drafting.py)
    petition_jsonl: str = ""
    n_boot: int = stats.N_RESAMPLES       # bootstrap resamples of every interval

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "api_concurrency", "n_boot")
        bad = sorted(set(self.rouge_tokenizers) - {"char", "morph"})
        if bad or not self.rouge_tokenizers:
            raise ValueError(f"EvaluateConfig.rouge_tokenizers: {self.rouge_tokenizers!r}; choose from char, morph")
        bad = sorted(set(self.baselines) - {"untrained", "extractive"})
        if bad:
            raise ValueError(f"EvaluateConfig.baselines: unknown {bad}; choose from untrained, extractive")

    def user_files(self) -> dict[str, str]:
        return {"complaint_jsonl": self.complaint_jsonl, "petition_jsonl": self.petition_jsonl}

    def api_options(self) -> dict[str, Any]:
        """``api_eval.api_model`` arguments for ``openai:<name>`` models."""
        return {"base_url": self.base_url, "api_key_env": self.api_key_env, "max_concurrency": self.api_concurrency,
                "price_per_mtok": self.api_price_per_mtok}

    def specs(self) -> list[dict[str, Any]]:
        from lexlab.legalmidm.variants import model_specs

        return model_specs(self.models, self.model, self.variant, self.factors, self.seed)

    def prompt(self) -> tuple[str, str]:
        """(name, text) of the system prompt every model is asked with."""
        from lexlab.legalmidm.system_prompt import resolve

        return resolve(self.system_prompt)


@dataclass
class CompareConfig:
    """Stage 07: the evaluation runs read back from MLflow into the paper-style tables."""

    run_name: str = "compare"
    seed: int = 0
    scope: str = "pipeline"               # "pipeline": runs under this stage's parent; "experiment": all; or a run id
    experiment: str = ""                  # the MLflow experiment the evaluation runs are in; "" → this run's own
    rouge_tokenizer: str = "char"         # which ROUGE-L is the headline (never mixed)
    # factor:reference level of each ablation table
    ablations: list[str] = field(default_factory=lambda: ["format:no_ref", "cpt_mix:legal", "it_mix:legal",
                                                         "sysprompt_train:no"])
    register_as: str = REGISTERED_NAME    # registered model name for the best variant by avg ("" → do not register)

    def __post_init__(self) -> None:
        bad = [a for a in self.ablations if ":" not in a]
        if bad:
            raise ValueError(f"CompareConfig.ablations: {bad} is not factor:reference_level")

    def experiment_name(self, run) -> str:
        """``experiment``, or the experiment of ``run`` (this stage's run) when empty."""
        import mlflow

        return self.experiment or mlflow.get_experiment(run.info.experiment_id).name

    def ablation_pairs(self) -> list[tuple[str, str]]:
        return [tuple(a.split(":", 1)) for a in self.ablations]  # type: ignore[misc]
