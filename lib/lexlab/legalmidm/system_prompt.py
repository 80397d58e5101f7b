"""System prompts: candidates, selection on a dev split, and the inference-only vs also-in-training comparison.

LegalMidm found that a system prompt (a legal-advisor persona) changes scores, and that it matters whether the
model also saw the prompt during instruction tuning. Here the candidates are scored with the same evaluator as
everything else, on the *dev* split (the test split is for the final table, so choosing on it would overfit the
choice to the numbers we report), and the winner is written to ``work/eval/system_prompt.json`` where the
evaluation stage finds it (``system_prompt: best``).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from lexlab.workbench import paths
from lexlab.legalmidm.evaluate import EvalResult, GenerationSettings, evaluate_model

# The persona is the paper's idea; the wording is ours. "none" is always a candidate: a prompt must earn its place.
CANDIDATES: dict[str, str] = {
    "none": "",
    "legal_advisor": (
        "당신은 대한민국 법률에 정통한 법률 자문가입니다. 관련 법령과 판례에 근거하여 질문에 정확하고 "
        "간결하게 답변하십시오."
    ),
    "concise": "질문에 간결하고 정확하게 답하십시오.",
    "cite_statute": "답변할 때 근거가 되는 법령과 조문을 함께 밝히십시오.",
}
PERSONA = "legal_advisor"
CHOICE_FILE = "system_prompt.json"


def choice_path() -> Path:
    return paths.work_dir("eval") / CHOICE_FILE


def resolve(spec: str | None) -> tuple[str, str]:
    """(name, text) for "", "none", a candidate name, "best" (the saved choice) or literal prompt text."""
    if not spec or spec == "none":
        return "none", ""
    if spec in CANDIDATES:
        return spec, CANDIDATES[spec]
    if spec == "best":
        path = choice_path()
        if not path.exists():
            raise FileNotFoundError(f"system_prompt 'best': {path} is missing; run the system-prompt stage first "
                                    "(notebooks/05_system_prompt.ipynb) or name a candidate")
        saved = json.loads(path.read_text(encoding="utf-8"))
        return saved["name"], saved["text"]
    return "custom", spec


def select(spec: str) -> dict[str, str]:
    """name → text of the candidates ``spec`` names: "all", or comma-separated names / literal prompts."""
    names = list(CANDIDATES) if spec == "all" else [c.strip() for c in spec.split(",")]
    return {name: resolve(name)[1] for name in names}


def score_candidates(model, tokenizer, dev_examples, candidates: Mapping[str, str] | None = None,
                     settings: GenerationSettings | None = None, rouge_tokenizers=("char",), seed: int = 0
                     ) -> tuple[pd.DataFrame, dict[str, EvalResult]]:
    """candidate × task table of headline scores on the dev split, with the task average in column ``avg``."""
    candidates = dict(candidates or CANDIDATES)
    results = {name: evaluate_model(model, tokenizer, dev_examples, settings, text or None, rouge_tokenizers,
                                    seed=seed)
               for name, text in candidates.items()}
    rows = [{"candidate": n, **r.task_scores(), "avg": r.average()} for n, r in results.items()]
    return pd.DataFrame(rows).set_index("candidate"), results


def choose(scores: pd.DataFrame, min_gain: float = 0.0) -> str:
    """The candidate with the best average, provided it beats the first candidate ("none") by more than
    ``min_gain``; ties and smaller gains keep the first — a prompt that does not clearly help is not worth its
    tokens, and on a few dev examples a gain of a fraction of a point is noise."""
    avg = scores["avg"]
    first = scores.index[0]
    if avg.isna().all():
        return first
    best = avg.max()
    name = next(n for n, v in avg.items() if not math.isnan(v) and v >= best - 1e-12)
    base = avg.iloc[0]
    if name != first and not math.isnan(base) and best - base <= min_gain:
        return first
    return name


def save_choice(name: str, text: str, scores: pd.DataFrame | None = None, extra: Mapping[str, Any] | None = None
                ) -> Path:
    path = choice_path()
    payload = {"name": name, "text": text, **dict(extra or {})}
    if scores is not None:
        payload["dev_scores"] = json.loads(scores.reset_index().to_json(orient="records", force_ascii=False))
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def training_comparison(models: Mapping[str, tuple[Any, Any]], examples, prompt: str,
                        settings: GenerationSettings | None = None, rouge_tokenizers=("char",), seed: int = 0
                        ) -> tuple[pd.DataFrame, dict[str, EvalResult]]:
    """Score the same prompt on models trained without it (``inference_only``) and with it (``also_in_training``),
    and each without any prompt, so the table separates "the prompt helps" from "training with it helps"."""
    rows, results = [], {}
    for label, (model, tok) in models.items():
        for use in (False, True):
            key = f"{label}|{'prompt' if use else 'no prompt'}"
            res = evaluate_model(model, tok, examples, settings, prompt if use else None, rouge_tokenizers,
                                 seed=seed)
            results[key] = res
            rows.append({"model": label, "prompt_at_inference": use, **res.task_scores(),
                         "avg": res.average()})
    return pd.DataFrame(rows), results
