"""The six LegalMidm evaluation tasks, one module each, behind one registry.

A task turns a snapshot (``lexlab.data.snapshot.load_snapshot``; anything with the contract's DataFrames as attributes
works, which is how the tests feed small hand-written frames) into a list of ``Example``s. Three kinds exist:

- ``generate``: a prompt and a gold text, scored by ROUGE-L (summary, QA, MRC, drafting);
- ``choice``: a prompt and options, scored by length-normalised option log-likelihood (multiple choice);
- ``perplexity``: a text, scored by the model's perplexity (the general-text forgetting check).

Each task declares its headline metric (``Task.metric``, by default the one of its kind; ``Task.headline`` gives
the logged name): the evaluator reports it as the task's score and the comparison tabulates it.

Splits. Every example carries the split keys of the records it was built from (``Example.keys``), and builders
keep only records whose split (``lexlab.data.splits``) is the requested ``dev`` or ``test``. Training and QA generation
use only ``train``, so no evaluated record is ever a training record; ``check_disjoint`` is the guard.

Truncation rule (the same for every model, because it works on characters before any tokenizer sees the text):
each long *input field* (이유, 판시사항, an article, a reference, general text) is cut to ``max_input_chars``
characters, at the last sentence end inside the final fifth of that budget when there is one, and "…" marks the cut.
Questions, options and gold references are never cut. If a model's context is still too short, the evaluator
drops prompt tokens from the *left* (the instruction and question sit at the end) and counts how often it did so.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Mapping

import pandas as pd

from lexlab.data.text import clean_markup
from lexlab.legalmidm import metrics

Kind = Literal["generate", "choice", "perplexity"]
SPLITS = ("dev", "test")
DEFAULT_MAX_INPUT_CHARS = 1500
# The headline metric of each kind, unless a task declares its own. "rougeL" is ROUGE-L under the evaluation's
# tokenizer, logged as rougeL_char / rougeL_morph (``metrics.rouge_metric_name``).
KIND_METRIC: dict[str, str] = {"generate": "rougeL", "choice": "acc_norm", "perplexity": "perplexity"}
LOWER_IS_BETTER = ("perplexity",)         # headline metrics where lower is better (never averaged with the rest)


@dataclass
class Example:
    id: str
    task: str
    prompt: str = ""                      # the user turn (rendered through the model's chat template later)
    reference: str = ""                   # gold text (generate)
    options: list[str] | None = None      # candidate continuations (choice)
    label: int | None = None              # index of the right option (choice)
    text: str = ""                        # text to score (perplexity)
    source: str = ""                      # the main input document, for extractive baselines
    keys: list[str] = field(default_factory=list)  # split keys of every record the example was built from
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class BuildConfig:
    split: str = "dev"
    n: int = 50                           # cap per task; 0 = all
    seed: int = 0                         # which n examples are drawn (keep fixed across the models you compare)
    max_input_chars: int = DEFAULT_MAX_INPUT_CHARS
    n_options: int = 4
    data_paths: dict[str, str] = field(default_factory=dict)  # user JSONL for the drafting tasks

    def __post_init__(self) -> None:
        if self.split not in SPLITS:
            raise ValueError(f"evaluation split must be one of {SPLITS}, got {self.split!r} (train is for training)")


@dataclass
class Task:
    name: str
    kind: Kind
    group: str                            # the paper's task family: summary, qa, mrc, mc, drafting, general
    description: str
    build: Callable[[Any, BuildConfig], list[Example]]
    extractive: Callable[[Example], str] | None = None  # a no-model baseline, where the task allows one
    proxy: bool = False                   # True: a stand-in, never to be reported as the paper's task
    needs: tuple[str, ...] = ()           # snapshot tables (or "data_paths:<name>") the builder reads
    metric: str = ""                      # the headline metric; "" → KIND_METRIC[kind]

    def __post_init__(self) -> None:
        if self.kind not in KIND_METRIC:
            raise ValueError(f"task {self.name!r}: kind must be one of {sorted(KIND_METRIC)}, got {self.kind!r}")
        self.metric = self.metric or KIND_METRIC[self.kind]

    def headline(self, rouge_tokenizer: str = "char") -> str:
        """The name the headline score is logged under, e.g. ``summary.rougeL_char`` or ``mc_title.acc_norm``."""
        name = metrics.rouge_metric_name(rouge_tokenizer) if self.metric == "rougeL" else self.metric
        return f"{self.name}.{name}"

    @property
    def lower_is_better(self) -> bool:
        return self.metric in LOWER_IS_BETTER


TASKS: dict[str, Task] = {}


def register(task: Task) -> Task:
    if task.name in TASKS:
        raise ValueError(f"task {task.name!r} registered twice")
    TASKS[task.name] = task
    return task


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise KeyError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASKS))}")
    return TASKS[name]


def task_names(group: str | None = None, include_proxy: bool = True) -> list[str]:
    return [n for n, t in TASKS.items() if (group is None or t.group == group) and (include_proxy or not t.proxy)]


def resolve_tasks(spec: str | Iterable[str]) -> list[str]:
    """"all", a group name ("mc"), a task name, or a comma-separated / list mix of them → task names."""
    items = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else [str(s).strip() for s in spec]
    out: list[str] = []
    for item in filter(None, items):
        names = list(TASKS) if item == "all" else task_names(item) or [get_task(item).name]
        out += [n for n in names if n not in out]
    return out


def build_task(name: str, snapshot: Any, config: BuildConfig | None = None, **overrides) -> list[Example]:
    config = config or BuildConfig(**overrides)
    examples = get_task(name).build(snapshot, config)
    check_disjoint(examples)
    return examples


def build_tasks(names: Iterable[str], snapshot: Any, config: BuildConfig | None = None, **overrides
                ) -> dict[str, list[Example]]:
    config = config or BuildConfig(**overrides)
    return {name: build_task(name, snapshot, config) for name in names}


# ---------------------------------------------------------------- shared helpers for the task modules

def check_disjoint(examples: Iterable[Example], train_keys: Iterable[str] | None = None) -> None:
    """Raise if an example was built from a training record.

    Statute, interpretation and general-text keys are checked with ``splits.split_of``; decisions are checked
    by the builders through ``splits.case_split`` (which moves a whole appeal chain together), and a user's
    drafting rows are no training source of ours. ``train_keys`` adds an explicit set, e.g. the keys a
    QA-generation run actually used.
    """
    from lexlab.data import splits

    train = set(train_keys or ())
    for ex in examples:
        for key in ex.keys:
            hashed = key.split(":", 1)[0] in ("statute", "interp", "general")
            if key in train or (hashed and splits.split_of(key) == "train"):
                raise AssertionError(f"task {ex.task}: example {ex.id} uses training record {key}")


def table(snapshot: Any, name: str) -> pd.DataFrame:
    df = getattr(snapshot, name, None)
    if df is None and isinstance(snapshot, Mapping):
        df = snapshot.get(name)
    if df is None:
        raise ValueError(f"the snapshot has no '{name}' table, which this task needs")
    return df


def require_columns(df: pd.DataFrame, table_name: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"snapshot table '{table_name}' lacks column(s) {missing}")


def case_splits(decisions: pd.DataFrame) -> pd.Series:
    """Split of every decision (index aligned with ``decisions``), appeal chains kept together."""
    from lexlab.data import splits

    result = splits.case_split(decisions)
    if isinstance(result, pd.Series):
        if result.index.equals(decisions.index):
            return result.astype(str)
        return decisions["case_id"].map(result).astype(str).set_axis(decisions.index)
    if isinstance(result, Mapping):
        return decisions["case_id"].map(result).astype(str)
    return pd.Series(list(result), index=decisions.index, dtype=str)


def key_split(keys: pd.Series) -> pd.Series:
    from lexlab.data import splits

    return keys.map(splits.split_of)


def flat(text: Any) -> str:
    """``clean_markup`` with every line break made a space: the FSC interpretations arrive with a break after almost
    every phrase (an artefact of the HTML they were scraped from), which would otherwise reach the model."""
    return re.sub(r"\s*\n\s*", " ", clean_markup(text)).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?。])\s|(?<=다\.)|\n")


def clip(text: str, max_chars: int) -> str:
    """The documented truncation rule (see module docstring)."""
    text = text.strip()
    if not max_chars or len(text) <= max_chars:
        return text
    head = text[: max_chars - 1]
    cut = max((m.end() for m in _SENTENCE_END.finditer(head)), default=-1)
    if cut >= int(0.8 * (max_chars - 1)):
        head = head[:cut]
    return head.rstrip() + "…"


def sentences(text: str) -> list[str]:
    """Rough Korean sentence split (legal prose ends sentences with "다." or a bracketed item marker)."""
    parts = re.split(r"(?<=[.!?])\s+|\n+|(?=\[\d+\])", text)
    return [p.strip() for p in parts if p and p.strip()]


def lead(text: str, k: int = 3) -> str:
    """The lead-k sentences: the extractive baseline any summariser has to beat."""
    return " ".join(sentences(text)[:k])


def stable_order(keys: Iterable[str], seed: int) -> list[int]:
    """Positions sorted by a seeded hash: a deterministic sample that does not depend on table order."""
    keyed = [(hashlib.sha1(f"{seed}:{k}".encode("utf-8")).hexdigest(), i) for i, k in enumerate(keys)]
    return [i for _, i in sorted(keyed)]


def sample(df: pd.DataFrame, key_col: str, config: BuildConfig) -> pd.DataFrame:
    order = stable_order(df[key_col].astype(str), config.seed)
    df = df.iloc[order]
    return df.head(config.n) if config.n else df


# Importing the modules registers their tasks.
from lexlab.legalmidm.tasks import summary, qa, mrc, multiple_choice, drafting, general  # noqa: E402,F401
