"""Oracle bound of LegalSearchLM's element design on a LEGAR-style benchmark (issue #10; measures, asserts nothing).

    nice -n 10 python benchmarks/searchlm_oracle.py [--benchmark legar] [--out benchmarks/results/searchlm_oracle.json]

For every dev and test query, the offline extractor is applied to the query case's full decision (snapshot
row: 판시사항 + 판결요지 + 이유) and the corpus is ranked with those *own* spans (perfect generation) through a
character-level FM-index (`lexlab.legalsearchlm.searchlm.oracle`). Target designs compared:

* ``base8``      — today's targets: `build_targets` (holdings/summary/facts, 8 per case), no filter;
* ``statute8``   — its statute spans only;
* ``full32`` / ``full64`` — 32 / 64 candidates from the whole decision, no filter ("more spans per query");
* ``filt<max_df>_<n>`` — 64 candidates, `targets.filter_elements` (no general provisions, 2 <= df <= max_df)
  keeping n (8–64), the filter's parameters chosen on dev.

Each with span scoring count / idf / seal (summed over the spans a case contains), and for three designs the
saturated, length-normalised scoring the retriever uses over a k1 x b grid (``saturation``; k1, b chosen on dev);
P@5 on test (standard and stricter qrels) and dev, per category
for the chosen design, plus the diversity and mean idf of each design's spans.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))

from lexlab.legalsearchlm.retrieval import read_records  # noqa: E402
from lexlab.legalsearchlm.retrieval.benchmark import split_queries  # noqa: E402
from lexlab.legalsearchlm.searchlm import oracle  # noqa: E402
from lexlab.legalsearchlm.searchlm.elements import build_targets, extract_elements  # noqa: E402
from lexlab.legalsearchlm.searchlm.targets import SpanCounter, TargetFilter, filter_elements  # noqa: E402
from lexlab.workbench import paths  # noqa: E402
from lexlab.workbench.io import read_trec_qrels, trec_id  # noqa: E402


def p_at_5(qrels, run, queries, cats) -> dict[str, float]:
    """P@5 per category and ALL: ranx's precision@5 with missing queries as 0, in plain Python (one ranx call per
    category made this script spend minutes converting dictionaries)."""
    from collections import defaultdict

    by = defaultdict(list)
    for q in queries:
        rel = {d for d, v in qrels.get(trec_id(q["id"]), {}).items() if v > 0}
        if rel:
            hits = [trec_id(d) for d, _ in run.get(q["id"], [])[:5]]
            by[cats.get(q["id"], "(none)")].append(sum(h in rel for h in hits) / 5)
    out = {c: sum(v) / len(v) for c, v in by.items()}
    out["ALL"] = sum(sum(v) for v in by.values()) / max(1, sum(len(v) for v in by.values()))
    return out


def designs(recs: dict[str, dict], counter: SpanCounter, filters: list[tuple[float, int]]) -> dict[str, dict]:
    ids = list(recs)
    base = dict(zip(ids, build_targets([recs[i] for i in ids], max_elements=8, progress=False)))
    cand = {i: extract_elements(recs[i]["text"], max_elements=64) for i in ids}
    out = {"base8": {i: [e.text for e in base[i]] for i in ids},
           "statute8": {i: [e.text for e in base[i] if e.kind == "statute"] for i in ids},
           "full32": {i: [e.text for e in cand[i][:32]] for i in ids},
           "full64": {i: [e.text for e in cand[i]] for i in ids}}
    for max_df, n in filters:
        rule = TargetFilter(max_df=max_df, max_elements=n)
        out[f"filt{max_df:g}_{n}"] = {i: [e.text for e in filter_elements(cand[i], counter, rule)] for i in ids}
    return out


def saturation_grid(spans: dict[str, dict], counter: SpanCounter, doc_ids: list[str], dev: list, test: list,
                    qrels: dict, cats: dict) -> dict:
    """Span scoring saturated per case and normalised by its length (`scoring.saturate`; k1 = 0 is the plain
    sum): P@5 of each design on dev and test over a k1 x b grid, idf weights; k1, b chosen on dev."""
    rows = []
    for name, by_q in spans.items():
        for k1 in (0.0, 1.2, 2.0, 5.0, 20.0, 100.0):
            for b in ((0.0,) if k1 == 0 else (0.5, 0.75, 1.0)):
                row = {"design": name, "k1": k1, "b": b}
                for split, qs in (("dev", dev), ("test", test)):
                    run = oracle.oracle_run(by_q, counter, doc_ids, qs, 5, "idf", k1, b)
                    for kind in ("standard", "stricter") if split == "test" else ("standard",):
                        row[f"{split}.{kind}.P@5"] = round(p_at_5(qrels[kind], run, qs, cats)["ALL"], 4)
                rows.append(row)
                print(row, flush=True)
    dev_mean = {}
    for r in rows:
        dev_mean.setdefault((r["k1"], r["b"]), []).append(r["dev.standard.P@5"])
    k1, b = max(dev_mean, key=lambda kb: sum(dev_mean[kb]) / len(dev_mean[kb]))
    return {"rows": rows, "chosen_on_dev": {"k1": k1, "b": b, "rule": "best mean dev P@5 over the designs"}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--benchmark", default="legar")
    ap.add_argument("--out", default=str(REPO / "benchmarks/results/searchlm_oracle.json"))
    a = ap.parse_args()
    t0 = time.time()
    bdir = paths.work_dir("legar", a.benchmark)
    corpus = read_records(bdir / "corpus.jsonl")
    queries = read_records(bdir / "queries.jsonl")
    qrels = {k: read_trec_qrels(bdir / f"qrels.{k}.trec") for k in ("standard", "stricter")}
    dev, test = split_queries(queries, "test")
    cats = {q["id"]: q.get("category", "(none)") for q in queries}
    counter = SpanCounter([d["text"] for d in corpus])
    doc_ids = [str(d["id"]) for d in corpus]
    print(f"index {time.time() - t0:.0f}s", flush=True)
    recs = oracle.full_decisions({q["id"] for q in dev + test})
    filters = [(m, n) for m in (0.01, 0.02, 0.05, 0.1) for n in (8, 16, 32, 64)]
    spans = designs(recs, counter, filters)
    print(f"elements {time.time() - t0:.0f}s", flush=True)
    rows, per_cat = [], {}
    for name, by_q in spans.items():
        for scoring in oracle.SCORINGS:
            row = {"design": name, "scoring": scoring}
            for split, qs in (("dev", dev), ("test", test)):
                run = oracle.oracle_run(by_q, counter, doc_ids, qs, 5, scoring)
                for kind in ("standard", "stricter") if split == "test" else ("standard",):
                    t = p_at_5(qrels[kind], run, qs, cats)
                    row[f"{split}.{kind}.P@5"] = round(t["ALL"], 4)
                    if split == "test" and kind == "standard":
                        per_cat[f"{name}/{scoring}"] = {c: round(v, 4) for c, v in t.items()}
            rows.append(row)
            print(row, flush=True)
        test_spans = {q["id"]: by_q.get(q["id"], []) for q in test}
        div = oracle.span_diversity(test_spans)
        div["mean_idf"] = oracle.mean_idf([s for v in test_spans.values() for s in v], counter)
        div["spans_per_query"] = div["spans"] / max(1, len(test_spans))
        rows[-1]["diversity"] = {k: round(v, 4) for k, v in div.items()}
    best = max((r for r in rows if r["design"].startswith("filt")), key=lambda r: r["dev.standard.P@5"])
    saturation = saturation_grid({n: spans[n] for n in ("base8", "full32", best["design"])}, counter, doc_ids,
                                 dev, test, qrels, cats)
    result = {"benchmark": a.benchmark, "n_dev": len(dev), "n_test": len(test), "rows": rows,
              "chosen_on_dev": {"design": best["design"], "scoring": best["scoring"]}, "saturation": saturation,
              "per_category_test_standard": per_cat, "seconds": round(time.time() - t0, 1)}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print("chosen on dev:", result["chosen_on_dev"], f"{result['seconds']}s")


if __name__ == "__main__":
    main()
