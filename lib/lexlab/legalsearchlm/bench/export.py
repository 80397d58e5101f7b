"""The benchmark as IR-standard files, and back; its per-category table.

``corpus.jsonl`` and ``queries.jsonl`` (``{"id", "text", ...metadata}``), ``qrels.standard.trec`` /
``qrels.stricter.trec`` (``qid 0 docid rel``, through :mod:`lexlab.workbench.io`), ``categories.csv``,
``stats.json``. Because the query's own decision stays in the pool (it is a candidate for *other* queries),
each query row lists ``exclude`` — ids a run must drop for that query; `filter_run` does it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import pandas as pd

from lexlab.legalsearchlm.bench import crime_categories as cc
from lexlab.legalsearchlm.bench.legar import Benchmark
from lexlab.legalsearchlm.bench.relevance import Qrels
from lexlab.workbench.io import read_trec_qrels, trec_id, write_jsonl, write_trec_qrels


def category_table(bench: Benchmark) -> pd.DataFrame:
    """Queries, candidates (single-charge of that category) and relevant-per-query by category."""
    q = bench.queries
    rows = []
    for cat in [*cc.CATEGORY_NAMES, cc.OTHER]:
        qs = q[q["category"] == cat] if len(q) else q
        rel = [len(bench.qrels.get(i, {})) for i in qs["id"]] if len(qs) else []
        strict = [len(bench.qrels_stricter.get(i, {})) for i in qs["id"] if i in bench.qrels_stricter] if len(qs) else []
        cand = int((bench.corpus["category"] == cat).sum())
        if not len(qs) and not cand:
            continue
        rows.append({
            "category": cat, "queries": int(len(qs)), "candidates": cand,
            "dev": int((qs["split"] == "dev").sum()) if len(qs) else 0,
            "test": int((qs["split"] == "test").sum()) if len(qs) else 0,
            "mean_relevant": round(sum(rel) / len(rel), 2) if rel else 0.0,
            "stricter_queries": len(strict),
        })
    return pd.DataFrame(rows)


def export(bench: Benchmark, out_dir: str | Path) -> dict[str, Path]:
    """Write the benchmark in IR-standard files under ``out_dir``; returns name → path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "corpus": out / "corpus.jsonl", "queries": out / "queries.jsonl",
        "qrels": out / "qrels.standard.trec", "qrels_stricter": out / "qrels.stricter.trec",
        "categories": out / "categories.csv", "stats": out / "stats.json",
    }
    write_jsonl(bench.corpus.to_dict("records"), files["corpus"])
    write_jsonl(bench.queries.to_dict("records"), files["queries"])
    write_trec_qrels(bench.qrels, files["qrels"])
    write_trec_qrels(bench.qrels_stricter, files["qrels_stricter"])
    category_table(bench).to_csv(files["categories"], index=False)
    files["stats"].write_text(json.dumps(bench.stats, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return files


def load_benchmark(out_dir: str | Path) -> Benchmark:
    """Read an exported benchmark back (any retriever's evaluation can start from the directory alone)."""
    out = Path(out_dir)
    if not (out / "queries.jsonl").exists():
        raise FileNotFoundError(f"{out}/queries.jsonl missing: build the benchmark first (notebook 08)")
    corpus = pd.read_json(out / "corpus.jsonl", lines=True, dtype={"id": str})
    queries = pd.read_json(out / "queries.jsonl", lines=True, dtype={"id": str})
    strict_path = out / "qrels.stricter.trec"
    stats_path = out / "stats.json"
    original = {trec_id(i): i for i in [*corpus["id"], *queries["id"]]}

    def untrec(qrels: Qrels) -> Qrels:
        return {original.get(q, q): {original.get(d, d): r for d, r in docs.items()} for q, docs in qrels.items()}

    return Benchmark(
        corpus=corpus, queries=queries, qrels=untrec(read_trec_qrels(out / "qrels.standard.trec")),
        qrels_stricter=untrec(read_trec_qrels(strict_path)) if strict_path.exists() else {},
        stats=json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {},
    )


def filter_run(run: Mapping[str, Mapping[str, float]], queries: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Drop, per query, the documents it must not be credited or penalised for (itself, its appeal chain)."""
    exclude = {str(q): set(map(str, ex)) | {str(q)} for q, ex in zip(queries["id"], queries["exclude"])}
    return {q: {d: s for d, s in docs.items() if d not in exclude.get(q, {q})} for q, docs in run.items()}
