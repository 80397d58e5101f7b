"""``lexlab retrieve`` and ``lexlab evaluate-run``: any JSONL corpus and queries in, TREC run out, scored by ranx.

    lexlab retrieve --method bm25 --corpus corpus.jsonl --queries queries.jsonl --k 5 --out run.trec
    lexlab retrieve --method searchlm --model work/retrieval/searchlm/final --index work/retrieval/idx ...
    lexlab evaluate-run --qrels qrels.standard.trec --run run.trec --metrics P@5 nDCG@10 --by-category queries.jsonl

``--model``: for dense/searchlm/hybrid a model directory (trained by notebook 09, or any HF / sentence-transformers
path, or ``models:/lexlab-legalsearchlm@legal``); without it, one is trained self-supervised on the corpus first
(``--opt train_steps=N``; the time it will take is printed before it starts) and kept under
work/retrieval/auto/<method>-<key>, the key made of the corpus's fingerprint and the training settings: the next
run on the same corpus with the same settings (``--method hybrid`` after ``--method searchlm`` too) reuses it and
says so; ``--retrain`` trains it again. For bm25 it
may name a JSON file of options (e.g. the tuned ``{"tokenizer", "k1", "b"}``); the defaults are the options tuned
on the project's dev split (README). ``--tune QRELS`` re-tunes BM25 (tokenizer, k1, b) on your own queries: those
with ``"split": "dev"`` in the queries file (all of them when none has a split), scored against QRELS.
``--method hybrid`` (our addition, not the paper's) fuses BM25 and LegalSearchLM by reciprocal-rank fusion.
``--index DIR`` saves the index, or loads it when DIR already holds one, so a second run skips indexing.
``--opt key=value`` sets any retriever option (e.g. ``--opt num_beams=10``); ``--opt train_<arg>=V`` passes ``<arg>`` to the trainer used when no model is given.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from lexlab.legalsearchlm.retrieval import available_methods, build_index, get_class, inputs, read_records, saved_index
from lexlab.legalsearchlm.retrieval.base import NO_PROGRESS_ENV
from lexlab.legalsearchlm.retrieval.training import train_model
from lexlab.models.naming import resolve_model
from lexlab.workbench.io import ParseError, read_trec_qrels, read_trec_run, trec_id, write_trec_run


def _parse_opts(items: list[str] | None) -> dict:
    out = {}
    for item in items or []:
        if "=" not in item:
            raise SystemExit(f"--opt expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


MODEL_METHODS = ("dense", "searchlm", "hybrid")  # need a model: trained self-supervised when --model is not given


def build_retriever(method: str, corpus_path: str | None, model: str | None, index_dir: str | None,
                    opts: dict, on_error: str = "raise", progress: bool = True, tune: str | None = None,
                    queries_path: str | None = None, retrain: bool = False):
    """Load the index at ``index_dir`` if one is there (built from this corpus), else index the corpus (with the
    default model trained on it when no ``model`` is given: reused, or trained when none is or ``retrain``)."""
    inputs.check_options(get_class(method), opts)  # fail fast on an unknown method or option, before reading
    saved = bool(index_dir) and (Path(index_dir) / "retriever.json").exists()
    if saved:
        inputs.read_meta(index_dir)
        if retrain:
            raise SystemExit(f"--retrain: --index {index_dir} already holds an index, built with its model; give "
                             "another --index directory, or delete this one")
    if saved and not corpus_path:
        return saved_index(method, index_dir), 0.0
    if not corpus_path:
        raise SystemExit("--corpus is required unless --index names a saved index")
    corpus = read_records(corpus_path, on_error=on_error)
    if saved:
        inputs.check_index_corpus(index_dir, corpus, corpus_path)
        return saved_index(method, index_dir), 0.0
    t0 = time.time()
    train_steps = int(opts.pop("train_steps", 0)) or None
    # "train_<arg>=..." options go to the self-supervised trainer (e.g. train_batch_size=8), the rest to the retriever.
    train_kw = {k[len("train_"):]: opts.pop(k) for k in [k for k in opts if k.startswith("train_")]}
    if method == "bm25":
        if model:
            opts = {**json.loads(Path(model).read_text(encoding="utf-8")), **opts}
        if tune:
            opts = {**_tune_bm25(corpus, tune, queries_path, on_error, progress), **opts}
    elif method in MODEL_METHODS:
        if model and model.startswith(("models:/", "run:")):  # a registered model or a run's: its directory
            model = resolve_model(model)
        if not model:
            model = _train_default(method, corpus, corpus_path, train_steps, train_kw, progress, retrain)
        opts = {"model": model, **opts}
    r = build_index(method, index_dir, corpus, **opts)  # saved_index found nothing there
    return r, time.time() - t0


def _train_default(method: str, corpus: list, corpus_path: str, steps: int | None, train_kw: dict, progress: bool,
                   retrain: bool = False) -> str:
    """The documented default model for ``method`` (hybrid: its LegalSearchLM part), trained on this corpus with
    these settings: reused when one was trained before (`training.DefaultModel`), else trained; returns its path."""
    from lexlab.legalsearchlm.retrieval.training import default_model, default_steps, estimate_seconds

    trained = "searchlm" if method == "hybrid" else method
    kw = {**train_kw, "max_steps": steps or default_steps(trained)}
    fingerprint = inputs.corpus_fingerprint(corpus)
    entry = default_model(trained, fingerprint, kw)
    done = entry.trained()
    if done and not retrain:
        print(f"reusing the {trained} model trained on this corpus at {entry.final} (trained {done['trained_at']}, "
              f"{done['steps']} steps); --retrain to train again", file=sys.stderr)
        return entry.final
    if retrain:
        entry.clear()
        entry.dir.mkdir(parents=True, exist_ok=True)
    est = estimate_seconds(trained, kw["max_steps"], len(corpus), train_kw)
    resumed = " (resuming the interrupted run's checkpoints)" if (entry.dir / "checkpoints").is_dir() else ""
    print(f"no --model: training a {trained} model self-supervised on {corpus_path}: {kw['max_steps']} steps, about "
          f"{est / 60:.0f} min on 2 CPU cores{resumed}; kept at {entry.final} for the next run on this corpus",
          file=sys.stderr)
    t0 = time.time()
    model, _ = train_model(trained, corpus, entry.dir, progress=progress, **kw)
    entry.record(fingerprint, time.time() - t0)
    return model


def _tune_bm25(corpus: list, qrels_path: str, queries_path: str | None, on_error: str, progress: bool) -> dict:
    """BM25 options tuned on the dev queries of ``queries_path`` (all of them when none has a split)."""
    from lexlab.legalsearchlm.retrieval.bm25 import tune_bm25

    queries = read_records(queries_path, on_error=on_error)
    dev = [q for q in queries if q.get("split") == "dev"] or queries
    best, _ = tune_bm25(corpus, dev, read_trec_qrels(qrels_path), progress=progress)
    print(f"bm25 tuned on {len(dev)} queries of {queries_path} against {qrels_path}: {best}", file=sys.stderr)
    return best


def retrieve_main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="lexlab retrieve", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--method", required=True, choices=available_methods(),
                   help="hybrid: BM25 + LegalSearchLM fused (our addition, not the paper's method)")
    p.add_argument("--corpus", help="JSONL with id, text per document")
    p.add_argument("--queries", required=True, help="JSONL with id, text (optional: exclude, category)")
    p.add_argument("--k", type=inputs.positive_int, default=5)
    p.add_argument("--out", required=True, help="TREC run file to write")
    p.add_argument("--model", help="model dir/path (dense, searchlm) or options JSON (bm25)")
    p.add_argument("--index", help="directory to save the index to, or load it from")
    p.add_argument("--opt", action="append", metavar="KEY=VALUE", help="retriever option (repeatable)")
    p.add_argument("--on-error", choices=["raise", "skip"], default="raise",
                   help="a bad JSONL record: stop (default) or skip it and report")
    p.add_argument("--tune", metavar="QRELS", help="bm25: tune tokenizer/k1/b on the dev queries against QRELS")
    p.add_argument("--retrain", action="store_true",
                   help="no --model: train the default model again, even if one was trained on this corpus with "
                        "these settings")
    p.add_argument("--no-progress", action="store_true",
                   help="quiet: no progress bars nor training logs (indexing, training, search)")
    a = p.parse_args(argv)
    if a.tune and a.method != "bm25":
        p.error("--tune applies to --method bm25")
    if a.retrain and (a.model or a.method not in MODEL_METHODS):
        p.error("--retrain applies to the model trained when no --model is given (dense, searchlm, hybrid)")
    before = {k: os.environ.get(k) for k in _QUIET_ENV}
    hf_state = _hf_quiet(None)
    if a.no_progress:
        os.environ.update(_QUIET_ENV)
        _hf_quiet((False, _HF_QUIET_LEVEL))
    try:
        return _retrieve(a)
    finally:
        _hf_quiet(hf_state)
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# Ours (indexing, decoding) and Hugging Face's (progress bars; transformers' log level, read when it is imported:
# e.g. a dense model's "LOAD REPORT" of its unused pooler).
_QUIET_ENV = {NO_PROGRESS_ENV: "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error"}
_HF_QUIET_LEVEL = 40  # logging.ERROR


def _hf_quiet(state: tuple[bool, int] | None) -> tuple[bool, int] | None:
    """Set an already imported transformers' (progress bars on, log level) (None: leave them); returns the state
    before."""
    if "transformers" not in sys.modules:
        return None
    from transformers.utils import logging as hf_logging

    old = (hf_logging.is_progress_bar_enabled(), hf_logging.get_verbosity())
    if state is not None:
        (hf_logging.enable_progress_bar if state[0] else hf_logging.disable_progress_bar)()
        hf_logging.set_verbosity(state[1])
    return old


def _retrieve(a: argparse.Namespace) -> int:
    try:
        r, t_index = build_retriever(a.method, a.corpus, a.model, a.index, _parse_opts(a.opt), a.on_error,
                                     not a.no_progress, a.tune, a.queries, a.retrain)
        queries = read_records(a.queries, on_error=a.on_error, check=inputs.check_query)
        if Path(a.out).is_dir():
            raise ValueError(f"--out {a.out} is a directory; name the TREC run file to write")
    except (ParseError, FileNotFoundError, ValueError, KeyError) as e:
        print(f"lexlab retrieve: {e}", file=sys.stderr)
        return 2
    t0 = time.time()
    run = r.search(queries, k=a.k)
    t_search = time.time() - t0
    write_trec_run(run, a.out, tag=a.method)
    print(f"{a.method}: {len(queries)} queries, {len(r.doc_ids)} docs, index {t_index:.1f}s, "
          f"search {t_search:.1f}s -> {a.out}", file=sys.stderr)
    _say_spans(a.method, r)
    for note in exclusion_notes(queries, r.doc_ids):
        print(f"lexlab retrieve: note: {note}", file=sys.stderr)
    return 0


def _say_spans(method: str, retriever) -> None:
    """For LegalSearchLM (alone or in the hybrid): how varied its spans were, and a warning when the model looks
    collapsed (`lexlab.legalsearchlm.searchlm.diagnostics`)."""
    from lexlab.legalsearchlm.searchlm import diagnostics

    spans = diagnostics.spans_by_query(retriever)
    if not spans:
        return
    stats = diagnostics.collapse(spans)
    print(f"{method}: {diagnostics.summary(stats)}", file=sys.stderr)
    warning = diagnostics.warning("searchlm" if method == "searchlm" else f"searchlm (in {method})", stats)
    if warning:
        print(f"lexlab retrieve: warning: {warning}", file=sys.stderr)


def exclusion_notes(queries: list[dict], doc_ids: list[str]) -> list[str]:
    """What the exclusion rule (a query never retrieves itself nor its ``exclude`` ids) left out, in words: it used
    to drop a document whose id equals a query's, and a query whose ``exclude`` covers the corpus, silently."""
    from lexlab.legalsearchlm.retrieval.base import excluded_ids

    docs = set(map(str, doc_ids))
    own = [str(q["id"]) for q in queries if str(q["id"]) in docs]
    empty = [str(q["id"]) for q in queries if docs and docs <= excluded_ids(q)]
    notes = []
    if own:
        notes.append(f"{len(own)} queries share their id with a corpus document (e.g. {own[0]!r}); a query never "
                     "retrieves its own id, so that document is never ranked for it")
    if empty:
        notes.append(f"{len(empty)} queries exclude every document of the corpus (e.g. {empty[0]!r}); they have no "
                     "result in the run")
    return notes


def evaluate_run_main(argv: list[str] | None = None) -> int:
    from lexlab.legalsearchlm.retrieval.evaluation import evaluate_by_category, evaluate_run, ranx_metric

    p = argparse.ArgumentParser(prog="lexlab evaluate-run", description="Score TREC runs against TREC qrels (ranx).")
    p.add_argument("--qrels", required=True)
    p.add_argument("--run", required=True, nargs="+", help="one or more TREC run files")
    p.add_argument("--metrics", nargs="+", default=["P@5"], help="e.g. P@5 R@10 nDCG@10 MAP MRR")
    p.add_argument("--by-category", metavar="QUERIES_JSONL", help="queries.jsonl with a 'category' field")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--all-qrels", action="store_true",
                   help="score every query in the qrels, a query missing from the run as 0 (trec_eval -c); default: "
                        "the queries of --by-category's file if given, else the queries present in the run")
    a = p.parse_args(argv)
    try:
        for metric in a.metrics:
            ranx_metric(metric)
        if a.json and not Path(a.json).parent.is_dir():
            raise FileNotFoundError(f"--json {a.json}: folder {Path(a.json).parent} does not exist")
        qrels = read_trec_qrels(a.qrels)
        runs = {Path(x).name: read_trec_run(x) for x in a.run}
        for path, table in ((a.qrels, qrels), *zip(a.run, runs.values())):
            if not table:
                raise ParseError(path, "lines", "empty file: no TREC lines")
        cats = None
        if a.by_category:
            cats = {q["id"]: str(q.get("category", "(none)"))
                    for q in read_records(a.by_category)}
    except (ParseError, FileNotFoundError, ValueError) as e:
        print(f"lexlab evaluate-run: {e}", file=sys.stderr)
        return 2
    results = {}
    for name, run in runs.items():
        if a.all_qrels:
            used = qrels
        else:
            keep = {trec_id(q) for q in cats} if cats is not None else set(run)
            used = {q: r for q, r in qrels.items() if q in keep}
            if len(used) < len(qrels):
                print(f"lexlab evaluate-run: {name}: scoring {len(used)} of {len(qrels)} qrels queries (those "
                      f"{'in --by-category' if cats is not None else 'the run answers'}); --all-qrels scores all "
                      f"{len(qrels)}, a missing query as 0", file=sys.stderr)
        if cats is None:
            results[name] = [{"category": "ALL", "n": len(used), **evaluate_run(used, run, a.metrics)}]
        else:
            results[name] = evaluate_by_category(used, run, cats, a.metrics)
    for name, rows in results.items():
        print(f"== {name}")
        print(f"{'category':24s} {'n':>5s} " + " ".join(f"{m:>9s}" for m in a.metrics))
        for row in rows:
            print(f"{row['category'][:24]:24s} {row['n']:5d} " + " ".join(f"{row[m]:9.4f}" for m in a.metrics))
    if a.json:
        Path(a.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0
