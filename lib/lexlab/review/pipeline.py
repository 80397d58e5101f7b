"""The stage's steps, each one call from notebook 14: documents → triage → span ensemble → routing → queue."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from lexlab.review import dataset, ensemble, routing, spans, triage
from lexlab.review.config import ReviewConfig
from lexlab.review.store import ReviewStore
from lexlab.workbench import paths


def out_dir(cfg: ReviewConfig) -> Path:
    return paths.work_dir("review", cfg.name)


def load_documents(cfg: ReviewConfig) -> list[dict]:
    """The team's JSONL (``input_path``), or the review set built from the snapshot's decisions."""
    if cfg.input_path:
        return dataset.read_documents(cfg.input_path, cfg.dev_fraction, cfg.test_fraction)
    from lexlab.data import snapshot

    snap = snapshot.load_snapshot(paths.snapshot_dir(cfg.snapshot), tables=("decisions",))
    return dataset.build_review_set(
        snap.decisions, positive_fraction=cfg.positive_fraction, doc_chars=cfg.doc_chars,
        passages_per_decision=cfg.passages_per_decision, max_decisions=cfg.max_decisions,
        dev=cfg.dev_fraction, test=cfg.test_fraction, seed=cfg.seed)


def split_docs(docs: list[dict]) -> dict[str, list[dict]]:
    parts = {s: dataset.by_split(docs, s) for s in ("train", "dev", "test")}
    for s, part in parts.items():
        if s != "train" and not any(dataset.labels(part)):
            raise ValueError(f"the {s} split has no positive document: more documents or a larger {s} fraction")
    return parts


def fit_triage(parts: dict[str, list[dict]], cfg: ReviewConfig) -> tuple[triage.Triage, dict[str, np.ndarray]]:
    """Stage 1 fitted on train, thresholded on dev for ``stage1_recall``; scores of dev and test."""
    model = triage.Triage().fit([d["text"] for d in parts["train"]], dataset.labels(parts["train"]), cfg.seed)
    scores = {s: model.scores([d["text"] for d in parts[s]]) for s in ("dev", "test")}
    model.set_threshold(scores["dev"], dataset.labels(parts["dev"]), cfg.stage1_recall)
    return model, scores


def span_config(cfg: ReviewConfig) -> spans.SpanConfig:
    return spans.SpanConfig(
        out_dir=str(out_dir(cfg) / "spans"), model=cfg.model, lora=cfg.lora, max_steps=cfg.max_steps,
        batch_size=cfg.batch_size, max_tokens=cfg.max_tokens, learning_rate=cfg.learning_rate,
        vocab_size=cfg.vocab_size, hidden_size=cfg.hidden_size, num_layers=cfg.num_layers,
        torch_threads=cfg.torch_threads, run_name=cfg.run_name, progress=False, seed=cfg.seed)


def tokenizer_for(parts: dict[str, list[dict]], cfg: ReviewConfig):
    from lexlab.models import hf

    if cfg.model == "tiny":
        return hf.cached_tokenizer([d["text"] for d in parts["train"]], cfg.vocab_size)
    return hf.load_tokenizer(cfg.model)


def fit_ensemble(parts, cfg: ReviewConfig):
    """(tokenizer, one TrainResult per seed)."""
    tokenizer = tokenizer_for(parts, cfg)
    return tokenizer, ensemble.train(parts["train"], span_config(cfg), cfg.seed_list(), tokenizer)


def predict(parts, results, tokenizer, cfg: ReviewConfig) -> dict[str, ensemble.Prediction]:
    dirs = [r.final_dir for r in results]
    return {s: ensemble.predict(dirs, tokenizer, [d["text"] for d in parts[s]], cfg.max_tokens, cfg.span_threshold)
            for s in ("dev", "test")}


def routing_inputs(parts, stage1: triage.Triage, scores, preds, threshold: float | None = None) -> dict[str, dict]:
    """Per split the arrays routing needs: passed (stage 1 at ``threshold``, default its own), p, u, y."""
    t = stage1.threshold if threshold is None else threshold
    return {s: {"passed": scores[s] >= t, "p": preds[s].p, "u": preds[s].uncertainty,
                "y": np.asarray(dataset.labels(parts[s]))} for s in ("dev", "test")}


def workloads(parts, stage1, scores, preds, cfg: ReviewConfig) -> list[dict[str, Any]]:
    """Per target recall: stage 1 re-thresholded on dev for that recall (it caps the system's), then the release
    threshold picked on dev; the test outcome."""
    rows = []
    for target in cfg.recall_targets():
        t1 = triage.threshold_for_recall(scores["dev"], dataset.labels(parts["dev"]), max(target, cfg.stage1_recall))
        inputs = routing_inputs(parts, stage1, scores, preds, t1)
        row = routing.workload_at(target, inputs["dev"], inputs["test"], cfg.withhold_threshold, cfg.uncertainty_k)
        rows.append({**row, "stage1_threshold": t1, "test_positives": int(inputs["test"]["y"].sum())})
    return rows


def queue_documents(store: ReviewStore, docs: list[dict], pred: ensemble.Prediction, routes, model_version: str,
                    span_threshold: float) -> int:
    """The documents routed to a human into the app's queue, with the model's spans (at ``span_threshold``), p and
    uncertainty."""
    highlights = pred.spans_at(span_threshold)
    queued = [{"id": d["id"], "text": d["text"], "spans": highlights[i], "p": float(pred.p[i]),
               "uncertainty": float(pred.uncertainty[i]), "route": r}
              for i, (d, r) in enumerate(zip(docs, routes)) if r == routing.HUMAN]
    return store.queue_documents(queued, model_version)

