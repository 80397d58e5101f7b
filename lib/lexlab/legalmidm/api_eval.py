"""Evaluate a model behind an OpenAI-compatible endpoint (vLLM, TGI, ollama, llama.cpp server, a hosted API) on
the same tasks, prompts, system prompt and metrics as a local model.

A model spec ``openai:<model-name>`` (with ``base_url``) names it; every request goes through the project's one
client, ``lexlab.models.llm_client.LLMClient`` (key from the environment, cache, retries, concurrency limit,
tokens/latency/cost counted), so a second run of the same evaluation is answered from the cache.

What changes by task kind, and why:

- ``generate``: unchanged — the same user turn (and system prompt) as a local model's chat template gets, greedy
  (temperature 0), ``max_new_tokens`` as ``max_tokens``, scored by the same ROUGE-L.
- ``choice``: chat APIs give no option log-likelihoods, so the options are listed with numbers and the model is
  asked for the number. The answer is parsed strictly (``parse_label``); an unparseable answer counts as wrong
  and is counted (``<task>.unparsed``). The score is ``<task>.acc_gen``, a separate metric from the local
  models' ``acc``/``acc_norm``, because answering by generation is a different (and usually easier) test.
- ``perplexity``: skipped (no token log-probabilities), reported in ``skipped``.

A request that fails after all retries leaves an empty prediction (scored, so wrong) and is counted
(``<task>.failed_requests``); a missing API key stops the evaluation with the variable's name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from lexlab.legalmidm.evaluate import (EvalResult, GenerationSettings, _ci_metrics, _short, evaluate_generation,
                                       finish, strip_reference_tail)
from lexlab.legalmidm.tasks import Example, get_task
from lexlab.models.llm_client import LLMClient

API_PREFIX = "openai:"
MC_SUFFIX = "\n\n선택지:\n{options}\n\n정답의 번호만 답하시오."
_LABEL = re.compile(r"^(?:정답|답)?\s*[:：]?\s*[(\[]?(?P<n>[1-9])[)\]]?\s*번?\s*(?:[.．:)]\s*(?P<rest>.*))?$", re.S)


def is_api_spec(path: str) -> bool:
    return str(path).startswith(API_PREFIX)


@dataclass
class APIModel:
    """A model served behind an OpenAI-compatible endpoint (the client holds endpoint, model and limits)."""

    client: LLMClient

    @property
    def name(self) -> str:
        return self.client.model


def api_model(spec: str, base_url: str = "", api_key_env: str = "OPENAI_API_KEY", max_concurrency: int = 4,
              max_new_tokens: int = 64, price_per_mtok: Sequence[float] = (0.0, 0.0)) -> APIModel:
    """``openai:<model-name>`` → an ``APIModel`` (greedy, ``max_new_tokens`` as ``max_tokens``)."""
    if not is_api_spec(spec) or not spec[len(API_PREFIX):].strip():
        raise ValueError(f"model {spec!r}: an API model is written '{API_PREFIX}<model-name>'")
    if price_per_mtok is None or len(price_per_mtok) != 2:
        raise ValueError(f"price_per_mtok must be [input, output] USD per million tokens, got {price_per_mtok!r}")
    client = LLMClient(base_url=base_url or None, model=spec[len(API_PREFIX):].strip(), api_key_env=api_key_env,
                       temperature=0.0, json_mode=False, max_concurrency=max_concurrency,
                       params={"max_tokens": int(max_new_tokens)}, price_per_mtok=tuple(price_per_mtok))
    return APIModel(client)


def messages(user: str, system_prompt: str | None) -> list[dict[str, str]]:
    """The conversation a local model's chat template renders, as Chat Completions messages."""
    return ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
        {"role": "user", "content": user}]


def mc_prompt(ex: Example) -> str:
    options = "\n".join(f"{i}. {o}" for i, o in enumerate(ex.options or [], start=1))
    return ex.prompt + MC_SUFFIX.format(options=options)


def parse_label(answer: str, options: Sequence[str]) -> int | None:
    """The chosen option's index, or None. Accepted: "2", "2번", "(2)", "정답: 2", and "2. <that option's exact
    text>"; anything else (an option's text alone, two numbers, a number out of range, prose) is unparseable."""
    m = _LABEL.match((answer or "").strip())
    if not m:
        return None
    idx = int(m.group("n")) - 1
    if idx >= len(options):
        return None
    rest = (m.group("rest") or "").strip().rstrip(".").strip()
    if rest and rest != str(options[idx]).strip():
        return None
    return idx


def _ask(model: APIModel, prompts: Sequence[str], system_prompt: str | None, desc: str) -> tuple[list[str], int]:
    answers = model.client.map_text([messages(p, system_prompt) for p in prompts], desc=desc)
    failed = sum(isinstance(a, Exception) for a in answers)
    return [a if isinstance(a, str) else "" for a in answers], failed


def run_generate(model: APIModel, task: str, examples: list[Example], settings: GenerationSettings,
                 system_prompt: str | None, rouge_tokenizers: Sequence[str], n_boot: int, seed: int
                 ) -> tuple[dict[str, float], pd.DataFrame]:
    answers, failed = _ask(model, [ex.prompt for ex in examples], system_prompt, task)
    preds = [strip_reference_tail(a) if settings.strip_reference_tail else a.strip() for a in answers]
    out, rows = evaluate_generation(task, examples, preds, rouge_tokenizers, n_boot, seed)
    out[f"{task}.failed_requests"] = float(failed)
    return out, rows


def run_choice(model: APIModel, task: str, examples: list[Example], system_prompt: str | None, n_boot: int,
               seed: int) -> tuple[dict[str, float], pd.DataFrame]:
    answers, failed = _ask(model, [mc_prompt(ex) for ex in examples], system_prompt, task)
    picks = [parse_label(a, ex.options or []) for a, ex in zip(answers, examples)]
    correct = np.array([float(p is not None and p == ex.label) for p, ex in zip(picks, examples)])
    out = {**_ci_metrics(f"{task}.acc_gen", correct, n_boot, seed),
           f"{task}.unparsed": float(sum(p is None for p in picks)), f"{task}.failed_requests": float(failed)}
    rows = pd.DataFrame({"task": task, "id": [ex.id for ex in examples],
                         "prompt": [_short(mc_prompt(ex)) for ex in examples],
                         "reference": [f"{ex.label + 1}. {ex.options[ex.label]}" for ex in examples],
                         "prediction": [_short(a) for a in answers],
                         "parsed": [-1 if p is None else p + 1 for p in picks], "acc_gen": correct})
    return out, rows


def usage_metrics(client: LLMClient) -> dict[str, float]:
    """The client's request counts, tokens, latency and cost as ``llm.*`` metrics."""
    stats, usage = client.stats, client.usage
    return {f"llm.{k}": float(v) for k, v in {**stats, **usage}.items()}


def evaluate_api_model(model: APIModel, task_examples: Mapping[str, list[Example]],
                       settings: GenerationSettings | None = None, system_prompt: str | None = None,
                       rouge_tokenizers: Sequence[str] = ("char",), n_boot: int = 1000, seed: int = 0) -> EvalResult:
    """All tasks for one API model (the API counterpart of ``evaluate.evaluate_model``), its client's params
    logged into the active MLflow run when there is one."""
    settings = settings or GenerationSettings()
    result, frames = EvalResult(), []
    for task, examples in task_examples.items():
        kind = get_task(task).kind
        if not examples or kind == "perplexity":
            result.skipped[task] = ("no examples" if not examples else
                                    "perplexity needs token log-probabilities, which a chat API does not give")
            continue
        if kind == "choice":
            m, rows = run_choice(model, task, examples, system_prompt, n_boot, seed)
            result.primary[task] = f"{task}.acc_gen"
        else:
            m, rows = run_generate(model, task, examples, settings, system_prompt, rouge_tokenizers, n_boot, seed)
            result.primary[task] = get_task(task).headline(rouge_tokenizers[0])
        m[f"{task}.n"] = float(len(examples))
        result.metrics.update(m)
        frames.append(rows)
    finish(result, frames)
    result.metrics.update(usage_metrics(model.client))
    _log_client_params(model.client)
    return result


def _log_client_params(client: LLMClient) -> None:
    import mlflow

    from lexlab.workbench import tracking

    if mlflow.active_run() is not None:
        tracking.log_params(client.params())

