"""Evaluation throughput (examples/s) of the tiny CPU model, per task kind, under given generation settings.

    LEXLAB_WORK=... python benchmarks/eval_throughput.py --label after --batch-size 8 --out benchmarks/results/x.json

Uses only ``evaluate.evaluate_model`` and ``GenerationSettings(batch_size=...)``, which the code before and after
issue #14 share, so the same script measures both (point PYTHONPATH at the older ``lib/`` for "before"). The model
is the tiny Llama of ``lexlab.models.hf`` (hidden 128, 4 layers) with random weights from a fixed seed: it never
emits end-of-sequence, so every generation runs the full ``max_new_tokens`` — the same work for every setting.
Examples come from the snapshot under ``LEXLAB_WORK`` (stage 01); the tokenizer is trained on their prompts.
The headline scores are logged too, so "before" and "after" can be checked to score the same.
"""
from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch

from lexlab.legalmidm import evaluate
from lexlab.legalmidm.tasks import get_task
from lexlab.models import hf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", required=True)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--tasks", default="summary,qa_interp,qa_statute,mc_title,mc_article,general_ppl")
    ap.add_argument("--n-per-task", type=int, default=24)
    ap.add_argument("--max-new-tokens", type=int, default=32)
    ap.add_argument("--max-input-chars", type=int, default=500)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=2, help="best of N timed runs (the machine is shared)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda (benchmarks/gpu_check.sh)")
    ap.add_argument("--model", default="", help="a trained model to load instead of the random tiny one")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    examples = evaluate.build_examples(args.tasks, "test", args.n_per_task, 0, args.max_input_chars)
    texts = [ex.prompt or ex.text for exs in examples.values() for ex in exs]
    if args.model:
        model, tok, _ = hf.load_model(args.model)
    else:
        tok = hf.train_tokenizer(texts, vocab_size=4000)
        model = hf.build_model("tiny", tok, seed=0).eval()
    model.to(args.device)
    settings = evaluate.GenerationSettings(max_new_tokens=args.max_new_tokens, batch_size=args.batch_size,
                                           repetition_penalty=1.3)
    per_kind: dict[str, dict[str, float]] = {}
    scores: dict[str, float] = {}
    for task, exs in examples.items():
        if not exs:
            continue
        timed = [_time(model, tok, task, exs, settings) for _ in range(args.repeats)]
        best = min(t for t, _ in timed)
        scores.update(timed[0][1])
        kind = per_kind.setdefault(get_task(task).kind, {"examples": 0, "seconds": 0.0})
        kind["examples"] += len(exs)
        kind["seconds"] += best
    for v in per_kind.values():
        v["examples_per_s"] = round(v["examples"] / v["seconds"], 2)
        v["seconds"] = round(v["seconds"], 2)
    total_n = sum(v["examples"] for v in per_kind.values())
    total_s = sum(v["seconds"] for v in per_kind.values())
    report = {"label": args.label, "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens,
              "threads": args.threads, "n_params": hf.count_parameters(model), "per_kind": per_kind,
              "all": {"examples": total_n, "seconds": round(total_s, 2),
                      "examples_per_s": round(total_n / total_s, 2)},
              "headline_scores": scores, "model": args.model or "tiny (random weights, seed 0)",
              "device": args.device, "torch": torch.__version__, "machine": platform.machine(),
              "lib": evaluate.__file__}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


def _time(model, tok, task, exs, settings) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    result = evaluate.evaluate_model(model, tok, {task: exs}, settings, n_boot=10)
    return time.perf_counter() - started, result.task_scores()


if __name__ == "__main__":
    main()
