"""Run any causal LM — a trained lexlab run, a local directory, a hub id — on the legal tasks and log the numbers.

Three ways of asking a model, one per task kind (``lexlab.legalmidm.tasks``):

- generate: greedy decoding (settings in ``GenerationSettings``), scored by ROUGE-L with a Hangul-keeping tokenizer;
- choice: the log-likelihood of each option's tokens after the prompt; ``acc`` takes the largest sum,
  ``acc_norm`` the largest sum per character of the option (what evaluation harnesses report, since a longer
  option has a lower total log-probability whether or not it is right);
- perplexity: exp of the mean token NLL over held-out text, in non-overlapping windows of the model's context;
  bits per character beside it, because token perplexity depends on the tokenizer.

Every prompt goes through the model's chat template (the same template instruction tuning trained on) with an
optional system prompt; a tokenizer without a template gets a plain "질문/답변" frame. Inputs are cut by the
character rule in ``lexlab.legalmidm.tasks`` before tokenization, so every model sees the same text; if a model's context
is still too short, prompt tokens are dropped from the left and the number of such prompts is logged.

Baselines share the code path: ``extractive_predictions`` (lead sentences, where a task has a source text) and
``untrained_like`` (the evaluated architecture with fresh random weights: the "untrained base model" of a tiny
run; for a hub model pass its own path as the base instead).
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from lexlab.legalmidm import metrics
from lexlab.legalmidm.tasks import TASKS, Example, get_task
from lexlab.models.generation import model_device
from lexlab.workbench import stats
from lexlab.workbench.progress import item_bar as tqdm  # per-item bars: interactive use only

PLAIN_FRAME = "질문: {user}\n답변: "
REF_OUTPUT_HEADER = "근거 조문:"  # ref_in_output models append the reference after this; see strip_reference_tail


@dataclass
class GenerationSettings:
    max_new_tokens: int = 64
    min_new_tokens: int = 0         # >0 stops a weak model from ending at once (same for every model: documented)
    num_beams: int = 1
    repetition_penalty: float = 1.1
    no_repeat_ngram_size: int = 0
    batch_size: int = 8
    max_context: int | None = None  # default: the model's max_position_embeddings
    strip_reference_tail: bool = True
    backend: str = "hf"             # "hf" (transformers generate) or "vllm" (lexlab.models.generation)
    max_batch_tokens: int = 8192    # scoring (choice, perplexity): padded tokens per forward pass

    def __post_init__(self) -> None:
        from lexlab.models.generation import BACKENDS

        if self.backend not in BACKENDS:
            raise ValueError(f"GenerationSettings.backend must be one of {BACKENDS}, got {self.backend!r}")
        if self.batch_size < 1 or self.max_batch_tokens < 1:
            raise ValueError("GenerationSettings.batch_size and max_batch_tokens must be positive")


@dataclass
class EvalResult:
    """Per-task summary (``metrics``: name → value, CIs included) and per-example rows (``examples``)."""

    metrics: dict[str, float] = field(default_factory=dict)
    examples: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: dict[str, str] = field(default_factory=dict)
    primary: dict[str, str] = field(default_factory=dict)  # task → name of its headline metric
    kind: str = "model"           # "model" or "baseline" (averages are over the tasks every model has)
    run_id: str = ""              # its MLflow run, once logged

    def task_scores(self) -> dict[str, float]:
        return {t: self.metrics[m] for t, m in self.primary.items() if m in self.metrics}

    def average(self) -> float:
        """The mean over this result's own higher-is-better tasks: comparable only between results that ran the
        same tasks (system-prompt candidates); across variants use ``scores_frame``'s same-task ``avg``."""
        return metrics.task_average({t: v for t, v in self.task_scores().items() if not get_task(t).lower_is_better})


# ------------------------------------------------------------------------------------------------ model input

def render_prompt(tokenizer, user: str, system: str | None = None) -> str:
    if getattr(tokenizer, "chat_template", None):
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": user}]
        from lexlab.models.families import apply_chat_template  # folds the system turn where a template has none

        return apply_chat_template(tokenizer, messages, add_generation_prompt=True)
    head = f"{system}\n\n" if system else ""
    return head + PLAIN_FRAME.format(user=user)


def encode_prompt(tokenizer, text: str) -> list[int]:
    """Chat-rendered text already holds its special tokens; a plain frame gets the tokenizer's BOS."""
    add_special = not getattr(tokenizer, "chat_template", None)
    return tokenizer(text, add_special_tokens=add_special)["input_ids"]


def context_size(model, settings: GenerationSettings) -> int:
    if settings.max_context:
        return settings.max_context
    config = getattr(model, "config", None)
    return int(getattr(config, "max_position_embeddings", 0) or 2048)


def keep_tail(ids: list[int], budget: int) -> tuple[list[int], bool]:
    """Left truncation: the instruction, question and generation prompt are at the end and must survive."""
    if len(ids) <= budget:
        return ids, False
    return ids[len(ids) - budget:], True


def pad_id(tokenizer) -> int:
    for candidate in (tokenizer.pad_token_id, tokenizer.eos_token_id, 0):
        if candidate is not None:
            return int(candidate)
    return 0


def strip_reference_tail(text: str) -> str:
    return text.split(REF_OUTPUT_HEADER, 1)[0].strip()


# ------------------------------------------------------------------------------------------------ the three kinds

def generate(model, tokenizer, prompts: Sequence[str], settings: GenerationSettings, desc: str = "generate"
             ) -> tuple[list[str], int]:
    """Greedy (or beam) continuations of already-rendered prompts; returns (texts, number truncated).
    Batching (by length, left padding) and the backend are ``lexlab.models.generation``'s."""
    from lexlab.models.generation import DecodeOptions

    budget = max(context_size(model, settings) - settings.max_new_tokens, 8)
    encoded, truncated = [], 0
    for p in prompts:
        ids, cut = keep_tail(encode_prompt(tokenizer, p), budget)
        encoded.append(ids)
        truncated += cut
    generator = _generator(model, tokenizer, settings.backend)
    opts = DecodeOptions(**{f.name: getattr(settings, f.name) for f in dataclasses.fields(DecodeOptions)})
    texts = generator.generate(encoded, opts, desc=desc)
    return [strip_reference_tail(t) if settings.strip_reference_tail else t for t in texts], truncated


_GENERATORS: dict[tuple[int, str], Any] = {}


def _generator(model, tokenizer, backend: str):
    """One generator per (model, backend): a vLLM engine is loaded once, not per task."""
    from lexlab.models.generation import make_generator

    key = (id(model), backend)
    if key not in _GENERATORS:
        _GENERATORS.clear()  # one model at a time: a new model releases the previous engine
        _GENERATORS[key] = make_generator(backend, model, tokenizer, pad_id(tokenizer))
    return _GENERATORS[key]


@torch.no_grad()
def option_logprobs(model, tokenizer, prompt: str, options: Sequence[str], max_context: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Sum of log-probabilities of each option's tokens given the prompt, and each option's token count.

    Prompt and option are tokenized separately (as instruction tuning tokenizes prompt and completion), so the
    option's tokens are exactly the ones scored. One forward pass scores all options of a question.
    """
    p_ids = encode_prompt(tokenizer, prompt)
    o_ids = [tokenizer(o, add_special_tokens=False)["input_ids"] for o in options]
    longest = max(len(o) for o in o_ids)
    p_ids, _ = keep_tail(p_ids, max(max_context - longest, 1))
    rows = [p_ids + o for o in o_ids]
    width = max(len(r) for r in rows)
    pad = pad_id(tokenizer)
    device = model_device(model)
    input_ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows], device=device)
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], device=device)
    logits = model(input_ids=input_ids, attention_mask=mask).logits.float()
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    target = input_ids[:, 1:]
    token_lp = logp.gather(-1, target.unsqueeze(-1)).squeeze(-1)
    sums = []
    for k, o in enumerate(o_ids):
        start = len(p_ids) - 1  # logits at position t predict token t+1
        sums.append(float(token_lp[k, start:start + len(o)].sum()))
    return np.array(sums), np.array([len(o) for o in o_ids])


def choose(sums: np.ndarray, options: Sequence[str]) -> tuple[int, int]:
    """(acc choice, acc_norm choice): argmax of the raw sum and of the sum per character of the option."""
    chars = np.array([max(len(o), 1) for o in options], dtype=float)
    return int(np.argmax(sums)), int(np.argmax(sums / chars))


@torch.no_grad()
def text_nll(model, tokenizer, text: str, window: int) -> tuple[float, int]:
    """Total NLL (nats) and number of predicted tokens, in non-overlapping windows of ``window`` tokens."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if tokenizer.bos_token_id is not None:
        ids = [tokenizer.bos_token_id] + ids
    device = model_device(model)
    total, count = 0.0, 0
    for start in range(0, max(len(ids) - 1, 0), window):
        chunk = ids[start:start + window + 1]
        if len(chunk) < 2:
            break
        x = torch.tensor([chunk], device=device)
        logits = model(input_ids=x[:, :-1]).logits.float()
        loss = torch.nn.functional.cross_entropy(logits[0], x[0, 1:], reduction="sum")
        total += float(loss)
        count += len(chunk) - 1
    return total, count


# ------------------------------------------------------------------------------------------------ per task

def _ci_metrics(prefix: str, values: np.ndarray, n_boot: int, seed: int) -> dict[str, float]:
    point, low, high = stats.bootstrap_ci(values, n_boot=n_boot, seed=seed)
    return {prefix: point, f"{prefix}.ci_low": low, f"{prefix}.ci_high": high}


def _short(text: str, n: int = 300) -> str:
    text = text or ""
    return text if len(text) <= n else text[: n - 1] + "…"


def evaluate_generation(task: str, examples: list[Example], predictions: list[str], rouge_tokenizers: Sequence[str],
                        n_boot: int, seed: int) -> tuple[dict[str, float], pd.DataFrame]:
    refs = [ex.reference for ex in examples]
    out: dict[str, float] = {}
    rows = pd.DataFrame({"task": task, "id": [ex.id for ex in examples],
                         "prompt": [_short(ex.prompt) for ex in examples],
                         "reference": [_short(r) for r in refs], "prediction": [_short(p) for p in predictions]})
    for tok in rouge_tokenizers:
        scores = metrics.rouge_l(predictions, refs, tokenizer=tok)
        name = metrics.rouge_metric_name(tok)
        out.update(_ci_metrics(f"{task}.{name}", scores, n_boot, seed))
        rows[name] = scores
    return out, rows


@dataclass(frozen=True)
class TaskRun:
    """One task to score with one model: what the runner of its kind (``_KIND_RUNNERS``) reads from."""

    model: Any
    tokenizer: Any
    task: str
    examples: list[Example]
    settings: GenerationSettings
    system_prompt: str | None = None
    rouge_tokenizers: Sequence[str] = ("char",)
    n_boot: int = stats.N_RESAMPLES
    seed: int = 0

    def prompt(self, ex: Example) -> str:
        return render_prompt(self.tokenizer, ex.prompt, self.system_prompt)


def evaluate_task(model, tokenizer, task: str, examples: list[Example], settings: GenerationSettings,
                  system_prompt: str | None = None, rouge_tokenizers: Sequence[str] = ("char",),
                  n_boot: int = stats.N_RESAMPLES, seed: int = 0) -> tuple[dict[str, float], pd.DataFrame]:
    """One task's metrics (``<task>.<metric>`` with CIs, ``<task>.n``) and per-example rows, by the task's kind."""
    run = TaskRun(model, tokenizer, task, examples, settings, system_prompt, rouge_tokenizers, n_boot, seed)
    out, rows = _KIND_RUNNERS[get_task(task).kind](run)
    out[f"{task}.n"] = float(len(examples))
    return out, rows


def _run_generate(r: TaskRun) -> tuple[dict[str, float], pd.DataFrame]:
    preds, truncated = generate(r.model, r.tokenizer, [r.prompt(ex) for ex in r.examples], r.settings, desc=r.task)
    out, rows = evaluate_generation(r.task, r.examples, preds, r.rouge_tokenizers, r.n_boot, r.seed)
    out[f"{r.task}.truncated_prompts"] = float(truncated)
    return out, rows


def choice_rows(tokenizer, prompt: str, options: Sequence[str], max_context: int) -> list[tuple[list[int], list[int]]]:
    """(prompt ids, option ids) per option, tokenized apart and the prompt cut on the left as ``option_logprobs``."""
    o_ids = [tokenizer(o, add_special_tokens=False)["input_ids"] for o in options]
    p_ids, _ = keep_tail(encode_prompt(tokenizer, prompt), max(max_context - max(len(o) for o in o_ids), 1))
    return [(p_ids, o) for o in o_ids]


def _run_choice(r: TaskRun) -> tuple[dict[str, float], pd.DataFrame]:
    """Every option's log-likelihood, a question's prompt read once (``generation.continuation_logprobs``)."""
    from lexlab.models.generation import continuation_logprobs

    ctx = context_size(r.model, r.settings)
    rows, spans = [], []
    for ex in r.examples:
        spans.append((len(rows), len(ex.options)))
        rows += choice_rows(r.tokenizer, r.prompt(ex), ex.options, ctx)
    sums = np.array(continuation_logprobs(r.model, rows, pad_id(r.tokenizer), r.settings.max_batch_tokens,
                                          desc=r.task))
    picks, picks_norm = [], []
    for ex, (start, n) in zip(r.examples, spans):
        a, b = choose(sums[start:start + n], ex.options)
        picks.append(a)
        picks_norm.append(b)
    task, examples = r.task, r.examples
    labels = [ex.label for ex in examples]
    acc, acc_norm = metrics.accuracy(picks, labels), metrics.accuracy(picks_norm, labels)
    out = {**_ci_metrics(f"{task}.acc", acc, r.n_boot, r.seed),
           **_ci_metrics(f"{task}.acc_norm", acc_norm, r.n_boot, r.seed)}
    rows = pd.DataFrame({"task": task, "id": [ex.id for ex in examples],
                         "prompt": [_short(ex.prompt) for ex in examples],
                         "reference": [ex.options[ex.label] for ex in examples],
                         "prediction": [e.options[i] for e, i in zip(examples, picks_norm)], "acc_norm": acc_norm})
    return out, rows


def _run_perplexity(r: TaskRun) -> tuple[dict[str, float], pd.DataFrame]:
    """``text_nll`` of every document, the windows of all documents batched (``generation.window_nll``)."""
    from lexlab.models.generation import window_nll

    ctx = context_size(r.model, r.settings)
    bos = r.tokenizer.bos_token_id
    docs = [([bos] if bos is not None else []) + r.tokenizer(ex.text, add_special_tokens=False)["input_ids"]
            for ex in r.examples]
    scored = window_nll(r.model, docs, ctx, pad_id(r.tokenizer), r.settings.max_batch_tokens, desc=r.task)
    nll, ntok = [t for t, _ in scored], [n for _, n in scored]
    nchar = [len(ex.text) for ex in r.examples]
    out = perplexity_metrics(r.task, np.array(nll), np.array(ntok), np.array(nchar), r.n_boot, r.seed)
    rows = pd.DataFrame({"task": r.task, "id": [ex.id for ex in r.examples], "prompt": "",
                         "reference": [_short(ex.text) for ex in r.examples], "prediction": "",
                         "nll_per_token": np.array(nll) / np.maximum(np.array(ntok), 1)})
    return out, rows


# How each kind of task asks the model: TaskRun -> (metrics, per-example rows).
_KIND_RUNNERS: dict[str, Callable[[TaskRun], tuple[dict[str, float], pd.DataFrame]]] = {
    "generate": _run_generate, "choice": _run_choice, "perplexity": _run_perplexity}


def perplexity_metrics(task: str, nll: np.ndarray, ntok: np.ndarray, nchar: np.ndarray, n_boot: int, seed: int
                       ) -> dict[str, float]:
    """Corpus-level perplexity (total NLL / total tokens) with a bootstrap over documents."""
    def ppl(idx):
        return math.exp(nll[idx].sum() / max(ntok[idx].sum(), 1))

    all_idx = np.arange(len(nll))
    point = ppl(all_idx) if len(nll) else math.nan
    rng = np.random.default_rng(seed)
    boots = [ppl(rng.integers(0, len(nll), len(nll))) for _ in range(n_boot)] if len(nll) > 1 else [point]
    low, high = np.quantile(boots, [0.025, 0.975]) if len(nll) else (math.nan, math.nan)
    bpc = nll.sum() / math.log(2) / max(nchar.sum(), 1) if len(nll) else math.nan
    return {f"{task}.perplexity": point, f"{task}.perplexity.ci_low": float(low),
            f"{task}.perplexity.ci_high": float(high), f"{task}.bits_per_char": float(bpc)}


def evaluate_model(model, tokenizer, task_examples: Mapping[str, list[Example]],
                   settings: GenerationSettings | None = None, system_prompt: str | None = None,
                   rouge_tokenizers: Sequence[str] = ("char",), n_boot: int = stats.N_RESAMPLES, seed: int = 0) -> EvalResult:
    """All tasks for one model. Tasks without examples are reported in ``skipped``, never scored as 0."""
    settings = settings or GenerationSettings()
    result = EvalResult()
    frames = []
    for task, examples in task_examples.items():
        if not examples:
            result.skipped[task] = "no examples (no data for this split, or a user file not given)"
            continue
        m, rows = evaluate_task(model, tokenizer, task, examples, settings, system_prompt, rouge_tokenizers,
                                n_boot, seed)
        result.metrics.update(m)
        result.primary[task] = get_task(task).headline(rouge_tokenizers[0])
        frames.append(rows)
    finish(result, frames)
    return result


def finish(result: EvalResult, frames: list[pd.DataFrame]) -> None:
    result.examples = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def extractive_predictions(task_examples: Mapping[str, list[Example]], rouge_tokenizers: Sequence[str] = ("char",),
                           n_boot: int = stats.N_RESAMPLES, seed: int = 0) -> EvalResult:
    """The no-model baseline on every task that has one (lead sentences of the input)."""
    result = EvalResult()
    frames = []
    for task, examples in task_examples.items():
        spec = get_task(task)
        if spec.extractive is None or not examples:
            result.skipped[task] = "no extractive baseline for this task" if examples else "no examples"
            continue
        preds = [spec.extractive(ex) for ex in examples]
        m, rows = evaluate_generation(task, examples, preds, rouge_tokenizers, n_boot, seed)
        m[f"{task}.n"] = float(len(examples))
        result.metrics.update(m)
        result.primary[task] = get_task(task).headline(rouge_tokenizers[0])
        frames.append(rows)
    finish(result, frames)
    return result


def untrained_like(model, seed: int = 0):
    """The evaluated architecture with fresh random weights: the untrained starting point of a from-scratch run."""
    from transformers import AutoModelForCausalLM

    base = getattr(model, "get_base_model", lambda: model)()
    torch.manual_seed(seed)
    fresh = AutoModelForCausalLM.from_config(base.config)
    fresh.eval()
    return fresh


# ------------------------------------------------------------------------------------------------ models & logging

def log_result(result: EvalResult, name: str, max_rows_per_task: int = 20) -> None:
    """Metrics, skipped tasks and a sample-of-predictions table into the active MLflow run."""
    import mlflow

    from lexlab.workbench import tracking

    finite = {k: float(v) for k, v in result.metrics.items() if v is not None and not math.isnan(float(v))}
    mlflow.log_metrics({k: v for k, v in finite.items() if not metrics.is_detail(k)})
    tracking.log_params({k: f"{v:.6g}" for k, v in finite.items() if metrics.is_detail(k)})
    tracking.log_params({"n_tasks_scored": len(result.primary), "n_tasks_skipped": len(result.skipped)})
    if result.skipped:
        mlflow.set_tag("lexlab.skipped_tasks", "; ".join(f"{t}: {why}" for t, why in result.skipped.items())[:4000])
    if not result.examples.empty:
        sample = result.examples.groupby("task", group_keys=False).head(max_rows_per_task)
        mlflow.log_table(data=sample.reset_index(drop=True), artifact_file=f"predictions/{name}.json")


def settings_params(settings: GenerationSettings) -> dict[str, Any]:
    return {f"gen.{k}": v for k, v in asdict(settings).items()}


def scores_frame(results: Mapping[str, EvalResult]) -> pd.DataFrame:
    """variant × task table of headline scores (tasks as columns) and ``avg``: the mean over the same tasks for
    every variant (those every model has, ``metrics.same_task_average``; NaN for a baseline missing one). The
    tasks averaged over are in ``table.attrs["avg_over"]``."""
    table = pd.DataFrame([{"variant": name, **res.task_scores()} for name, res in results.items()]).set_index("variant")
    higher = [c for c in table.columns if not get_task(c).lower_is_better]
    is_model = pd.Series([res.kind == "model" for res in results.values()], index=table.index)
    table["avg"], table.attrs["avg_over"] = metrics.same_task_average(table[higher], is_model)
    return table


def log_averages(results: Mapping[str, EvalResult], table: pd.DataFrame) -> None:
    """Each variant's same-task average onto its own run (``avg.score``, ``avg.n_tasks``, the task list as the tag
    ``lexlab.avg_tasks``); a variant without one (a baseline missing a task) gets the tag only."""
    import mlflow

    client = mlflow.MlflowClient()
    over = table.attrs.get("avg_over", [])
    for name, res in results.items():
        if not res.run_id:
            continue
        client.set_tag(res.run_id, "lexlab.avg_tasks", ",".join(over) or "none")
        value = table.loc[name, "avg"]
        if pd.notna(value):
            mlflow.log_metrics({"avg.score": float(value), "avg.n_tasks": float(len(over))}, run_id=res.run_id)


def readable_scores(table: pd.DataFrame) -> pd.DataFrame:
    """``scores_frame`` for reading: ROUGE-L and accuracy × 100, lower-is-better scores (perplexity) as they are,
    "–" where there is no score (a task a variant did not run, a baseline's missing average), never NaN."""
    scale = [1 if c in TASKS and TASKS[c].lower_is_better else 100 for c in table.columns]
    out = (table * scale).round(1)
    return out.astype(object).where(out.notna(), "–")


def eval_run_name(variant: str) -> str:
    """A variant's evaluation run name: never the name of the stage that trained it (an IT stage called
    ``it_ref_out`` and its evaluation would otherwise both be "it_ref_out" in the runs table)."""
    return f"eval {variant}"


def evaluate_and_log(variant: str, model, tokenizer, task_examples, settings, system_prompt, factors: Mapping[str, Any],
                     rouge_tokenizers: Sequence[str] = ("char",), n_boot: int = stats.N_RESAMPLES, seed: int = 0,
                     nested: bool = True, model_path: str = "", kind: str = "model") -> EvalResult:
    """One variant in its own (nested) MLflow run, tagged so ``lexlab.legalmidm.compare`` finds it.

    ``kind="baseline"`` marks the untrained model and the extractive baseline, which the comparison puts on
    every table. ``model=None`` scores the extractive baseline; an ``api_eval.APIModel`` (``tokenizer=None``) is
    asked through its endpoint."""
    import mlflow

    from lexlab.workbench import tracking

    description = f"{kind} `{variant}` scored on the legal tasks"
    ctx = tracking.child_run(eval_run_name(variant), description) if nested else contextlib.nullcontext()
    with ctx:
        mlflow.set_tags({"lexlab.eval_variant": variant, "lexlab.eval_kind": kind, "lexlab.stage": "evaluate"})
        tracking.log_params({"variant": variant, "model_path": model_path, "system_prompt": system_prompt or "",
                             **{f"factor.{k}": v for k, v in factors.items()}, **settings_params(settings)})
        if model is None:
            result = extractive_predictions(task_examples, rouge_tokenizers, n_boot, seed)
        elif tokenizer is None:  # an API-served model (lexlab.legalmidm.api_eval.APIModel)
            from lexlab.legalmidm.api_eval import evaluate_api_model

            result = evaluate_api_model(model, task_examples, settings, system_prompt, rouge_tokenizers, n_boot, seed)
        else:
            result = evaluate_model(model, tokenizer, task_examples, settings, system_prompt, rouge_tokenizers,
                                    n_boot, seed)
        log_result(result, variant)
        result.kind = kind
        result.run_id = mlflow.active_run().info.run_id if nested else ""
    return result


# ------------------------------------------------------------------------------------------------ notebook glue

def build_examples(task_spec: str | Sequence[str], split: str = "test", n_per_task: int = 20, sample_seed: int = 0,
                   max_input_chars: int = 1500, snapshot: str = "latest", complaint_jsonl: str = "",
                   petition_jsonl: str = "") -> dict[str, list[Example]]:
    """The examples every model of one evaluation sees: same tasks, split, sample and truncation."""
    from lexlab.data import snapshot as snapshot_mod
    from lexlab.legalmidm import tasks

    snap = snapshot_mod.load_snapshot(snapshot or None)
    config = tasks.BuildConfig(split=split, n=n_per_task, seed=sample_seed, max_input_chars=max_input_chars,
                               data_paths={k: v for k, v in (("complaint", complaint_jsonl),
                                                             ("petition", petition_jsonl)) if v})
    return tasks.build_tasks(tasks.resolve_tasks(task_spec), snap, config)
