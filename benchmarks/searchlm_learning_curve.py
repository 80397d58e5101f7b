"""LegalSearchLM learning curve and search latency on a LEGAR-style benchmark (issue #10; measures, asserts nothing).

    nice -n 10 python benchmarks/searchlm_learning_curve.py --steps 300 --checkpoints 3 --dev-queries 40 \
        [--out benchmarks/results/searchlm_learning_curve.json]

Trains the default tiny model (`SearchLMConfig` defaults: discriminative targets on) for ``--steps`` steps,
keeping ``--checkpoints`` evenly spaced checkpoints; for each, dev P@5 on a seeded sample of ``--dev-queries``
dev queries (standard qrels), the span diversity of its generations and the search time per query, at the
retriever's default decoding options. Training loss comes from the trainer's log history.

``--evaluate-only --tokenizer DIR`` skips training and evaluates the checkpoints already under the model
directory (an interrupted run: the checkpoints hold no tokenizer, so its directory is given; losses are read from
the last checkpoint's ``trainer_state.json``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
os.environ.setdefault("LEXLAB_NO_PROGRESS", "1")

from lexlab.legalsearchlm.retrieval import load_or_index, read_records  # noqa: E402
from lexlab.legalsearchlm.retrieval.benchmark import split_queries  # noqa: E402
from lexlab.legalsearchlm.retrieval.evaluation import evaluate_run  # noqa: E402
from lexlab.legalsearchlm.searchlm.oracle import span_diversity  # noqa: E402
from lexlab.legalsearchlm.searchlm.train import SearchLMConfig, train_searchlm  # noqa: E402
from lexlab.models.checkpoints import step_of  # noqa: E402
from lexlab.workbench import paths  # noqa: E402
from lexlab.workbench.io import read_trec_qrels, trec_id  # noqa: E402


def checkpoint_dirs(model_dir: Path) -> list[tuple[int, Path]]:
    found = [(step_of(p), p) for p in (model_dir / "checkpoints").glob("checkpoint-*")]
    return sorted(found)


def with_tokenizer(ckpt: Path, tokenizer_dir: Path | None) -> Path:
    """A checkpoint directory that loads as a model + tokenizer (copies the tokenizer files in when missing)."""
    import shutil

    if tokenizer_dir is not None and not (ckpt / "tokenizer.json").exists():
        for f in Path(tokenizer_dir).iterdir():
            if f.is_file():
                shutil.copy(f, ckpt / f.name)
    return ckpt


def interrupted_losses(model_dir: Path) -> list[dict]:
    ckpts = checkpoint_dirs(model_dir)
    state = json.loads((ckpts[-1][1] / "trainer_state.json").read_text(encoding="utf-8")) if ckpts else {}
    return [{"step": h["step"], "loss": h["loss"]} for h in state.get("log_history", []) if "loss" in h]


def evaluate_checkpoint(slm, ckpt: Path, queries, qrels) -> dict:
    from lexlab.models.hf import auto_model_class

    slm._load_model()  # the tokenizer too (a loaded index has neither yet)
    slm._lm = auto_model_class(ckpt).from_pretrained(str(ckpt)).eval()  # a causal LM or a seq2seq one (tiny-t5)
    t0 = time.time()
    run = slm.search(queries, k=5)
    secs = time.time() - t0
    spans = {q: [s.text.strip() for s in ss] for q, ss in slm.last_spans.items()}
    div = span_diversity(spans)
    ids = {trec_id(q["id"]) for q in queries}
    scored = {q: r for q, r in qrels.items() if q in ids}  # the sample only: others would count as zeros
    return {"dev_P@5": round(evaluate_run(scored, run, ["P@5"])["P@5"], 4),
            "search_s_per_query": round(secs / len(queries), 3),
            "distinct_spans": div["distinct_spans"], "top_span_is_global_top": round(div["top_span_is_global_top"], 3),
            "general_provision_share": round(div["general_provision_share"], 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--benchmark", default="legar")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--checkpoints", type=int, default=3)
    ap.add_argument("--dev-queries", type=int, default=40)
    ap.add_argument("--name", default="searchlm_curve")
    ap.add_argument("--evaluate-only", action="store_true", help="evaluate existing checkpoints, no training")
    ap.add_argument("--tokenizer", default="", help="tokenizer dir for --evaluate-only checkpoints")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="SearchLMConfig overrides")
    ap.add_argument("--out", default=str(REPO / "benchmarks/results/searchlm_learning_curve.json"))
    a = ap.parse_args()
    from lexlab.workbench.config import config_from_dict, parse_overrides

    bdir = paths.work_dir("legar", a.benchmark)
    corpus = read_records(bdir / "corpus.jsonl")
    queries = read_records(bdir / "queries.jsonl")
    qrels = read_trec_qrels(bdir / "qrels.standard.trec")
    dev = split_queries(queries, "dev", a.dev_queries, seed=0)[1]
    model_dir = paths.work_dir("retrieval", a.name)
    values = {"out_dir": str(model_dir), "max_steps": a.steps, "save_steps": max(1, a.steps // a.checkpoints),
              "save_total_limit": a.checkpoints + 1, "max_input_tokens": 160, "batch_size": 16,
              "learning_rate": 0.002, "report_to": "none", "progress": False, **parse_overrides(a.set)}
    cfg = config_from_dict(SearchLMConfig, values, source="--set")
    t0 = time.time()
    if a.evaluate_only:
        losses, final, extra, secs_step = interrupted_losses(model_dir), None, {}, None
    else:
        res = train_searchlm(corpus, cfg)
        losses = [{"step": h["step"], "loss": h["loss"]} for h in res.log_history if "loss" in h]
        final, extra = res.final_dir, res.extra
        secs_step = round(res.train_seconds / max(1, res.global_step), 3)
    train_s = time.time() - t0
    print(f"trained in {train_s:.0f}s; losses {losses}", flush=True)
    ckpts = [(step, with_tokenizer(c, Path(a.tokenizer) if a.tokenizer else None))
             for step, c in checkpoint_dirs(model_dir)]
    t0 = time.time()
    slm = load_or_index("searchlm", model_dir / f"index_{a.benchmark}", corpus, model=str(final or ckpts[-1][1]))
    index_s = time.time() - t0
    curve = []
    for step, ckpt in ckpts:
        row = {"step": step, **evaluate_checkpoint(slm, ckpt, dev, qrels)}
        curve.append(row)
        print(row, flush=True)
    out = {"config": {k: v for k, v in values.items() if k != "out_dir"}, "train_seconds": round(train_s, 1),
           "seconds_per_step": secs_step, "index_seconds": round(index_s, 1), "train_loss": losses,
           "dev_queries": len(dev), "curve": curve, "load_avg_1m": os.getloadavg()[0],
           "targets": {k: extra.get(k) for k in ("targets", "targets_not_in_corpus", "pairs",
                                                 "cases_without_targets", "windows_holding_target",
                                                 "seconds_prepare")}}
    Path(a.out).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False)[:2000])


if __name__ == "__main__":
    main()
