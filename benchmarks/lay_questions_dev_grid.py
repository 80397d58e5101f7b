"""The lay routing's options of ``lexlab ask`` (``RetrieverConfig.lay_*``), chosen on the dev questions (issue #23;
measures, asserts nothing).

    LEXLAB_WORK=... nice -n 10 python benchmarks/lay_questions_dev_grid.py \
        [--out benchmarks/results/lay_questions_dev_grid.json]

Ranking (``lay_weight``, ``lay_below``, ``lay_rrf_k``): every dev question of today's set (``lexlab.ask.questions``)
and of the lay set (``lexlab.ask.lay_questions``: from dev decisions, and the hand-written ones) is searched on the
evaluation index; recall@5, hit@5 and P@1 per set. Rule: among the rows whose recall@5 on today's dev questions is
at least ``MARGIN`` above the row without the map, the highest pooled lay dev hit@5 + P@1 (P@1 is what the
extractive answer cites); ties to the higher recall on today's questions, then the smaller weight. (With no margin
the rule chose lay_below=4.5, whose dev gain of 0.001 on today's questions was a loss of 0.014 on test in notebook
11: the margin keeps the routing to questions the statute text clearly fails.)

Confidence (``lay_confidence``, which does not move the ranking): the whole pipeline on dev (threshold
calibrated on today's dev questions), "deciding article cited" on the lay dev questions and the "not found" rates
on today's; rule: the highest lay dev ``gold_cited`` whose not-found recall on today's dev questions is not below
the row with ``lay_confidence=0``. Test numbers are notebook 11's, never this file's.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
os.environ.setdefault("LEXLAB_NO_PROGRESS", "1")

from lexlab.ask.answer import AskConfig  # noqa: E402
from lexlab.ask.calibration import EvalSetup, eval_setup  # noqa: E402
from lexlab.ask.evaluation import evaluate, evaluate_lay, retrieval_rows  # noqa: E402
from lexlab.ask.generators import get_generator  # noqa: E402
from lexlab.ask.lay import load_term_map  # noqa: E402
from lexlab.ask.lay_questions import lay_questions  # noqa: E402
from lexlab.ask.retrieve import RetrieverConfig, StatuteRetriever  # noqa: E402
from lexlab.ask.statute_index import load_statute_index  # noqa: E402
from lexlab.data.snapshot import load_snapshot  # noqa: E402

WEIGHTS, BELOW, RRF_K = (1.5, 3.0, 6.0), (3.5, 4.0, 4.5, 5.0), (10.0, 60.0)
CONFIDENCE = (0.0, 0.5, 1.0, 1.5)
MARGIN = 0.01


def question_sets(setup: EvalSetup, lay: list[dict]) -> dict[str, list[dict]]:
    held = setup.index.articles.index
    lay = [dict(q, gold=[g for g in q["gold"] if g in held]) for q in lay if q["split"] == "dev"]
    lay = [q for q in lay if q["gold"]]
    return {"today": [q for q in setup.questions if q["split"] == "dev" and q["answerable"]],
            "lay": lay}


def ranking_row(setup: EvalSetup, sets: dict, rcfg: RetrieverConfig, lay_map) -> dict:
    s = EvalSetup(setup.index, StatuteRetriever(setup.index, rcfg, progress=False, lay_map=lay_map), setup.questions,
                  setup.heldout)
    row = {"lay_weight": rcfg.lay_weight, "lay_below": rcfg.lay_below, "lay_rrf_k": rcfg.lay_rrf_k}
    for name, qs in sets.items():
        rr = retrieval_rows(s, qs, 5)
        row.update({f"{name}.recall@5": rr["recall"].mean(), f"{name}.hit@5": rr["hit"].mean(),
                    f"{name}.P@1": rr["p_at_1"].mean(), f"{name}.n": len(rr)})
    return row


def confidence_row(setup: EvalSetup, lay: list[dict], rcfg: RetrieverConfig, lay_map) -> dict:
    s = EvalSetup(setup.index, StatuteRetriever(setup.index, rcfg, progress=False, lay_map=lay_map), setup.questions,
                  setup.heldout)
    config, gen = AskConfig(retriever=rcfg), get_generator("extractive")
    today, _ = evaluate(s, config, gen, "dev", n_boot=10)
    m, rows = evaluate_lay(s, config, gen, lay, "dev", n_boot=10)
    return {"lay_confidence": rcfg.lay_confidence, "today.false_not_found": today["false_not_found"],
            "today.not_found_recall": today["not_found_recall"], "today.gold_cited": today["gold_cited"],
            "lay.gold_cited": m["gold_cited"], "lay.false_not_found": m["false_not_found"], "lay.n": len(rows)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(REPO / "benchmarks/results/lay_questions_dev_grid.json"))
    args = ap.parse_args()
    index = load_statute_index(None, progress=False)
    setup = eval_setup(index, RetrieverConfig(lay_weight=0), progress=False)
    lay_map = load_term_map(index, progress=False)
    lay = lay_questions(load_snapshot(index.snapshot_path, tables=("decisions",)).decisions, index)
    sets = question_sets(setup, lay)
    base = ranking_row(setup, sets, RetrieverConfig(lay_weight=0), lay_map)
    grid = [ranking_row(setup, sets, RetrieverConfig(lay_weight=w, lay_below=b, lay_rrf_k=k), lay_map)
            for w, b, k in itertools.product(WEIGHTS, BELOW, RRF_K)]
    ok = [r for r in grid if r["today.recall@5"] >= base["today.recall@5"] + MARGIN]
    best = max(ok, key=lambda r: (round(r["lay.hit@5"] + r["lay.P@1"], 6), r["today.recall@5"], -r["lay_weight"]),
               default=base)
    chosen = RetrieverConfig(lay_weight=best["lay_weight"], lay_below=best["lay_below"], lay_rrf_k=best["lay_rrf_k"])
    conf = [confidence_row(setup, lay, replace(chosen, lay_confidence=c), lay_map) for c in CONFIDENCE]
    floor = conf[0]["today.not_found_recall"]
    best_conf = max((r for r in conf if r["today.not_found_recall"] >= floor), key=lambda r: r["lay.gold_cited"])
    out = {"no_lay_map": base, "ranking_grid": grid, "chosen_ranking": best, "confidence_grid": conf,
           "chosen_confidence": best_conf, "snapshot": index.snapshot_path, "lay_map_docs": lay_map.n_docs}
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1, default=float), encoding="utf-8")
    print(json.dumps({"chosen_ranking": best, "chosen_confidence": best_conf}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
