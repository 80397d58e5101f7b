"""Calibrate the "not found" threshold once per (statute index, retriever) and keep it next to the index.

The dev questions of ``lexlab.ask.questions`` are asked of the index *without* the held-out law families (their
questions are then unanswerable by construction); the threshold comes from ``not_found.calibrate``. The file is
``work/ask/<index source>/calibration-<retriever key>-<target>.json``; delete it to recalibrate.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from lexlab.ask.not_found import Calibration, calibrate
from lexlab.ask.questions import build_questions, family
from lexlab.ask.retrieve import RetrieverConfig, StatuteRetriever
from lexlab.ask.statute_index import StatuteIndex
from lexlab.workbench import paths


@dataclass
class EvalSetup:
    """The evaluation's index (held-out families removed), its retriever, the questions and the held-out families."""

    index: StatuteIndex
    retriever: StatuteRetriever
    questions: list[dict]
    heldout: dict[str, str]


def interpretations_for(index: StatuteIndex):
    """The FSC interpretations of the index's snapshot, else of the installed package (parsed once, kept next to
    the index), so that a fresh clone calibrates on the same kinds of questions as a snapshot does."""
    import pandas as pd

    if index.snapshot_path:
        from lexlab.data.snapshot import load_snapshot

        return load_snapshot(index.snapshot_path, tables=("interpretations",)).interpretations
    if not index.source.startswith("package-"):
        return None
    cached = paths.work_dir("ask", index.source) / "interpretations.parquet"
    if not cached.exists():
        from lexlab.data.sources import InterpretationsSource

        try:
            rows = [r.to_row() for r in InterpretationsSource().load(progress=False)]
        except FileNotFoundError:
            return None
        df = pd.DataFrame(rows)
        df.to_parquet(cached.with_suffix(".tmp.parquet"), index=False)
        cached.with_suffix(".tmp.parquet").replace(cached)
    df = pd.read_parquet(cached)
    df["related_laws"] = [list(v) if v is not None else [] for v in df["related_laws"]]
    return df


def eval_setup(index: StatuteIndex, retriever: RetrieverConfig, heldout_fraction: float = 0.1,
               max_per_kind: int = 300, seed: int = 0, progress: bool = True) -> EvalSetup:
    questions, held = build_questions(index, interpretations_for(index), heldout_fraction, max_per_kind, seed=seed)
    reduced = index.without_laws([law for law in index.laws if family(law) in held])
    return EvalSetup(reduced, StatuteRetriever(reduced, retriever, progress=progress), questions, held)


def signals(setup: EvalSetup, questions: list[dict], k: int, confidence: str = "normalized"
            ) -> tuple[list, list[float], list[bool]]:
    """(hits, confidence, names-only-unknown-laws) for each question, on the evaluation index."""
    texts = [q["question"] for q in questions]
    hits = setup.retriever.search(texts, k)
    conf = setup.retriever.confidence(texts, hits, confidence)
    unknown = []
    for t in texts:
        known, unk = setup.retriever.law_names.mentions(t)
        unknown.append(bool(unk) and not known)
    return hits, conf, unknown


def calibration_path(index: StatuteIndex, config) -> Path:
    name = f"calibration-{config.retriever.key()}-{config.confidence}-{config.max_false_not_found:g}.json"
    return paths.work_dir("ask", index.source) / name


def calibrate_on(setup: EvalSetup, config) -> Calibration:
    """The threshold for ``config`` (an ``AskConfig``) from the dev questions of ``setup``."""
    dev = [q for q in setup.questions if q["split"] == "dev"]
    _, conf, unknown = signals(setup, dev, config.k, config.confidence)
    return calibrate(conf, unknown, [q["answerable"] for q in dev], config.max_false_not_found,
                     config.retriever.key())


def ensure_calibration(index: StatuteIndex, config, progress: bool = True) -> Calibration:
    """The stored calibration for this index and ``config`` (an ``AskConfig``), computed on first use."""
    path = calibration_path(index, config)
    if path.exists():
        return Calibration.load(path)
    if progress:
        print(f"calibrating the 'not found' threshold on dev questions (once; saved to {path})", file=sys.stderr,
              flush=True)  # stderr: stdout is the answers (--json must parse)
    setup = eval_setup(index, config.retriever, progress=progress)
    try:
        cal = calibrate_on(setup, config)
    except ValueError as exc:  # a corpus too small for dev questions of both kinds
        print(f"warning: cannot calibrate 'not found' ({exc}); answering whatever is retrieved "
              "(set a threshold with --threshold)", file=sys.stderr, flush=True)
        return Calibration(0.0, config.max_false_not_found, float("nan"), float("nan"), 0, 0, config.retriever.key())
    cal.save(path)
    return cal
