"""``lexlab ask``: one question, or a JSONL batch of ``{"id", "question"}`` → JSONL answers (see ``lexlab.ask.answer``)."""
from __future__ import annotations

import argparse
import json
import sys

from lexlab.workbench.config import parse_overrides


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="lexlab ask",
        description="Answer a legal question from the statutes with verified citations, or say 'not found'. "
        "The statute index is built on first use (from the latest snapshot, else the installed statute package).")
    p.add_argument("question", nargs="?", help="the question (or use --questions)")
    p.add_argument("--over", choices=("statutes", "cases"), default="statutes",
                   help="statutes (default) | cases: predict a case's outcome from earlier decisions "
                   "(lexlab.caselaw.cli; `lexlab ask --over cases --help`)")
    p.add_argument("--questions", help="JSONL file of {\"id\", \"question\"}")
    p.add_argument("--out", help="JSONL output for --questions (default: stdout)")
    p.add_argument("--retriever", default="bm25", help="a retrieval method of the registry (bm25, dense, searchlm, …)")
    p.add_argument("--retriever-opt", action="append", metavar="KEY=VALUE", default=[],
                   help="an option of the retriever, e.g. model=work/retrieval/dense/final (repeatable)")
    p.add_argument("--lay-weight", type=float,
                   help="weight of the lay term map (everyday words → articles, mined from the snapshot's criminal "
                   "decisions) fused into the ranking of questions that name no law; 0 turns it off "
                   "(default: lexlab.ask.retrieve.RetrieverConfig.lay_weight)")
    p.add_argument("--lay-below", type=float,
                   help="use the lay term map only for questions whose retrieval confidence is below this "
                   "(default: RetrieverConfig.lay_below)")
    p.add_argument("--k", type=int, default=5, help="articles retrieved per question")
    p.add_argument("--generator", default="extractive",
                   help="extractive | a model path or name | run:RUN_ID | openai:NAME (key from OPENAI_API_KEY, "
                   "endpoint from OPENAI_BASE_URL)")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="openai:NAME: seconds per request to the endpoint (one retry); a failure is an error")
    p.add_argument("--threshold", type=float, help="retrieval score below which the answer is 'not found' "
                   "(default: calibrated on dev questions on first use)")
    p.add_argument("--no-withhold", action="store_true",
                   help="show an answer that fails the number check (flagged) instead of the cited text")
    p.add_argument("--snapshot", help="snapshot name or path (default: latest, else the statute package)")
    p.add_argument("--json", action="store_true", help="print the JSON object(s)")
    p.add_argument("--no-progress", action="store_true")
    return p


def _over(argv: list[str]) -> str:
    """The ``--over`` value alone (so ``--over cases --help`` shows the case-law options)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--over", choices=("statutes", "cases"), default="statutes")
    return pre.parse_known_args(argv)[0].over


def _items(args) -> list[dict]:
    from lexlab.workbench.io import ParseError, read_jsonl

    if not args.questions:
        return [{"id": "1", "question": args.question}]
    rows = read_jsonl(args.questions, required=("id", "question"), check=_check_question)
    if not rows:
        raise ParseError(args.questions, "question", "the file holds no question")
    return rows


def _check_question(where: str, obj: dict) -> None:
    from lexlab.workbench.io import ParseError

    if "question" in obj and not isinstance(obj["question"], str):
        raise ParseError(where, "question", f"must be text, got a {type(obj['question']).__name__}")


def _report_errors(records: list[dict]) -> int:
    """A generator failure is an error: said on stderr (a summary in batch mode); exit 1 when any."""
    failed = [r for r in records if r.get("error")]
    if failed:
        what = f"{len(failed)} of {len(records)} answers failed" if len(records) > 1 else "the answer failed"
        print(f"lexlab ask: {what} (generator error, not 'not found'): {failed[0]['error']}", file=sys.stderr)
    return 1 if failed else 0


def _print(record: dict) -> None:
    print(record["answer"])
    if record["citations"]:
        print("근거: " + "; ".join(f"{c['law']} {c['article']}({c['title']})" for c in record["citations"]))
    if record["flags"]:
        print("flags: " + ", ".join(record["flags"]))


def ask_main(argv: list[str]) -> int:
    from lexlab.ask.answer import AskConfig, Asker
    from lexlab.ask.retrieve import RetrieverConfig
    from lexlab.ask.statute_index import load_statute_index
    from lexlab.models.llm_client import LLMError

    if _over(argv) == "cases":
        from lexlab.caselaw.cli import ask_cases_main

        return ask_cases_main(argv)
    args = _parser().parse_args(argv)
    if bool(args.question) == bool(args.questions):
        print("lexlab ask: give one question or --questions FILE", file=sys.stderr)
        return 2
    try:
        items = _items(args)
        lay = {k: v for k, v in (("lay_weight", args.lay_weight), ("lay_below", args.lay_below)) if v is not None}
        config = AskConfig(k=args.k, generator=args.generator, threshold=args.threshold, withhold=not args.no_withhold,
                           retriever=RetrieverConfig(args.retriever, parse_overrides(args.retriever_opt), **lay),
                           timeout_s=args.timeout)
        asker = Asker(load_statute_index(args.snapshot, progress=not args.no_progress), config,
                      progress=not args.no_progress)
        records = [r.record() for r in asker.ask(items)]
    except (ValueError, KeyError, FileNotFoundError, LLMError) as exc:
        print(f"lexlab ask: {exc}", file=sys.stderr)
        return 2
    if args.out:
        from lexlab.workbench.io import write_answers

        write_answers(records, args.out)
    elif args.json or args.questions:
        for r in records:
            print(json.dumps(r, ensure_ascii=False))
    elif not records[0].get("error"):
        _print(records[0])
    return _report_errors(records)
