"""``lexlab`` command line: a thin shell over lexlab.workbench.runner and the retrieval tools.

Each command is one function taking its own arguments (``argv`` after the command's name) and returning the exit
status, registered by one `COMMANDS` entry; ``lexlab`` is an argparse parser with one subcommand per entry, and
each command parses its own flags (``lexlab COMMAND --help``).
"""
from __future__ import annotations

import argparse
import sys


def _run(argv: list[str]) -> int:
    from lexlab.workbench import config, executors, preflight, runner, signals, store

    parser = argparse.ArgumentParser(
        prog="lexlab run",
        description="Execute a stage notebook, a pipeline or an ablation grid (experiments/*.yaml) with papermill, "
        "tracked in MLflow.",
    )
    parser.add_argument("experiment", help="experiments/<name>.yaml, or a notebook path for a one-off stage")
    parser.add_argument("-p", "--param", action="append", metavar="KEY=VALUE",
                        help="override a parameter; 'stage.key=value' targets one stage (repeatable)")
    parser.add_argument("--keep-going", action="store_true", help="run later stages of a variant after a failure")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--rerun", action="store_true",
                        help="run every stage, even one whose notebook, parameters and inputs match a finished run")
    parser.add_argument("--executor", choices=executors.NAMES, default="sequential",
                        help="sequential: one grid cell after another here; ray: each cell as a Ray task")
    parser.add_argument("--address", help="Ray cluster: auto, ray://host:10001 (default: a local Ray on this machine)")
    parser.add_argument("--max-parallel", type=int, help="with --executor ray: at most this many cells at once")
    parser.add_argument("--retries", type=int, default=0, help="with --executor ray: retry a cell whose worker died")
    args = parser.parse_args(argv)
    options = {"address": args.address, "max_parallel": args.max_parallel, "retries": args.retries}
    if args.executor == "sequential" and (args.address or args.max_parallel or args.retries):
        parser.error("--address, --max-parallel and --retries need --executor ray")
    try:
        result = runner.run_experiment(
            args.experiment, config.parse_overrides(args.param), progress=not args.no_progress,
            stop_on_failure=not args.keep_going, rerun=args.rerun,
            executor=executors.make(args.executor, **options) if args.executor != "sequential" else None,
        )
    except (runner.ExperimentError, config.OverrideError, preflight.ParameterError, store.StoreError,
            TimeoutError) as exc:
        print(f"lexlab run: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the runs are closed as KILLED, notebooks kept
        print(f"lexlab run: {signals.describe(exc)}; open runs closed as KILLED", file=sys.stderr)
        return 143 if isinstance(exc, signals.Terminated) else 130
    for stage in result.stages:
        where = f"reused {stage.reused_from}" if stage.reused_from else stage.notebook
        line = f"{stage.status:9s} {stage.stage:28s} run {stage.run_id}  {stage.seconds:7.1f}s  {where}"
        print(line)
        if stage.error:  # the notebook's exception (type: message), then where the executed notebook is
            print(f"          {stage.error.splitlines()[0][:500]}\n          notebook: {stage.notebook}",
                  file=sys.stderr)
    if result.parent_run_id:
        print(f"parent run {result.parent_run_id}")
    return 0 if result.ok else 1


def _retrieve(argv: list[str]) -> int:
    from lexlab.legalsearchlm.retrieval.cli import retrieve_main

    return retrieve_main(argv) or 0


def _evaluate_run(argv: list[str]) -> int:
    from lexlab.legalsearchlm.retrieval.cli import evaluate_run_main

    return evaluate_run_main(argv) or 0


def _ask(argv: list[str]) -> int:
    from lexlab.ask.cli import ask_main

    return ask_main(argv)


def _extract_clauses(argv: list[str]) -> int:
    from lexlab.clauses.cli import extract_main

    return extract_main(argv)


def _review(argv: list[str]) -> int:
    from lexlab.review.cli import review_main

    return review_main(argv)


def _server(argv: list[str]) -> int:
    from lexlab.workbench.server import serve_main

    return serve_main(argv)


COMMANDS = {
    "run": (_run, "execute a stage / pipeline / grid (papermill + MLflow)"),
    "retrieve": (_retrieve, "rank a JSONL corpus for JSONL queries with bm25, dense or searchlm; writes TREC run"),
    "evaluate-run": (_evaluate_run, "score a TREC run against TREC qrels (P@5 etc., per category)"),
    "ask": (_ask, "answer a legal question from the statutes with verified citations, or say 'not found'"),
    "extract-clauses": (_extract_clauses, "a fine-tuned clause model over a JSONL of documents: spans or types out"),
    "review": (_review, "serve the human review queue of stage 14 on 127.0.0.1 (accept/reject/edit, audit log)"),
    "server": (_server, "start a shared MLflow tracking server (database store, served artifacts) for Ray workers"),
}


def parser() -> argparse.ArgumentParser:
    """``lexlab COMMAND ...``: one subcommand per `COMMANDS` entry; its arguments go to the command unread."""
    top = argparse.ArgumentParser(prog="lexlab", description="lexlab: the Korean legal-AI workbench")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, (func, help_text) in COMMANDS.items():
        # no option of its own (prefix "\0"): every argument, "-h" included, is the command's to read
        cmd = sub.add_parser(name, help=help_text, description=help_text, add_help=False, prefix_chars="\0")
        cmd.add_argument("args", nargs=argparse.REMAINDER)
        cmd.set_defaults(func=func)
    return top


def main(argv: list[str] | None = None) -> int:
    top = parser()
    try:
        args = top.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # -h (0) or an unknown command (2, after argparse's usage line)
        return int(exc.code or 0)
    if args.command is None:
        top.print_help()
        return 2
    return args.func(args.args)


if __name__ == "__main__":
    sys.exit(main())
