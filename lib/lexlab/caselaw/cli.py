"""``lexlab ask --over cases``: how would a case come out, with precedents cited (JSON like ``lexlab ask``'s).

    lexlab ask --over cases "상고심 형사 사건(사기). 쟁점: 차용금 사기에서 편취의 범의를 판단하는 기준"
    lexlab ask --over cases --case 2019도1234 "…"   # about a decision in the corpus: only earlier, non-chain cites
    lexlab ask --over cases --questions qs.jsonl --out answers.jsonl   # {"id", "question"[, "case_id", "before"]}

The index over the snapshot's decisions is built on first use and kept under work/caselaw/index/.
"""
from __future__ import annotations

import argparse
import json
import sys

from lexlab.caselaw.outcomes import INSTANCES
from lexlab.workbench.config import parse_overrides


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lexlab ask --over cases",
                                description="Predict a case's outcome (상고기각 / 파기 / other / not found) from "
                                "earlier decisions, citing passages checked verbatim.")
    p.add_argument("question", nargs="?")
    p.add_argument("--over", choices=("statutes", "cases"), default="cases")
    p.add_argument("--questions", help="JSONL of {\"id\", \"question\"} (optional case_id, before, instance)")
    p.add_argument("--out", help="JSONL output (default: stdout)")
    p.add_argument("--case", help="the decision asked about (its appeal chain and later decisions are not cited)")
    p.add_argument("--before", help="cite only decisions decided before this date (YYYY-MM-DD)")
    p.add_argument("--instance", choices=INSTANCES, help="the instance asked about (default: read from the question)")
    p.add_argument("--retriever", default="bm25", help="a retrieval method of the registry (bm25, lancedb, …)")
    p.add_argument("--retriever-opt", action="append", metavar="KEY=VALUE", default=[])
    p.add_argument("--k", type=int, default=10, help="precedents that vote")
    p.add_argument("--generator", default="vote", help="vote | majority | instance_majority | openai:NAME "
                   "(lexlab ask's default 'extractive' means vote here)")
    p.add_argument("--snapshot", default="latest")
    p.add_argument("--json", action="store_true", help="(answers are always JSON)")
    p.add_argument("--no-progress", action="store_true")
    return p


def _items(args) -> list[dict]:
    from lexlab.workbench.io import read_jsonl

    if args.questions:
        return read_jsonl(args.questions, required=("id", "question"))
    instance = args.instance or next((i for i in INSTANCES if i in args.question), None)
    return [{"id": "1", "question": args.question, "case_id": args.case, "before": args.before,
             "instance": instance}]


def _answerer(args):
    from lexlab.caselaw.answer import AnswerConfig, CaseAnswerer
    from lexlab.caselaw.config import CaseOutcomeConfig
    from lexlab.caselaw.retrieve import case_retriever
    from lexlab.caselaw.stage import prepare
    from lexlab.data.snapshot import load_snapshot
    from lexlab.workbench import paths

    snap = load_snapshot(paths.snapshot_dir(args.snapshot), tables=("decisions",))
    setup = prepare(snap.decisions, CaseOutcomeConfig(max_questions=1))
    generator = "vote" if args.generator == "extractive" else args.generator
    retriever = case_retriever(args.retriever, setup.caselaw, snap.manifest.get("version"),
                               **parse_overrides(args.retriever_opt))
    config = AnswerConfig(generator=generator, k=args.k, majority=setup.majority, by_instance=setup.by_instance)
    return CaseAnswerer(setup.caselaw, retriever, config)


def ask_cases_main(argv: list[str]) -> int:
    from lexlab.models.llm_client import LLMError

    args = _parser().parse_args(argv)
    if bool(args.question) == bool(args.questions):
        print("lexlab ask --over cases: give one question or --questions FILE", file=sys.stderr)
        return 2
    try:
        records = _answerer(args).answer(_items(args))
    except (ValueError, KeyError, FileNotFoundError, LLMError) as exc:
        print(f"lexlab ask --over cases: {exc}", file=sys.stderr)
        return 2
    if args.out:
        from lexlab.workbench.io import write_answers

        write_answers(records, args.out)
    else:
        for r in records:
            print(json.dumps(r, ensure_ascii=False))
    return 0
