"""``lexlab`` command line: a thin shell over lexlab.workbench.runner and the retrieval tools."""
from __future__ import annotations

import argparse
import sys


def _run(argv: list[str]) -> int:
    from lexlab.workbench import config, preflight, runner, signals, store

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
    args = parser.parse_args(argv)
    try:
        result = runner.run_experiment(
            args.experiment, config.parse_overrides(args.param), progress=not args.no_progress,
            stop_on_failure=not args.keep_going, rerun=args.rerun,
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


COMMANDS = {
    "run": (_run, "execute a stage / pipeline / grid (papermill + MLflow)"),
    "retrieve": (_retrieve, "rank a JSONL corpus for JSONL queries with bm25, dense or searchlm; writes TREC run"),
    "evaluate-run": (_evaluate_run, "score a TREC run against TREC qrels (P@5 etc., per category)"),
    "ask": (_ask, "answer a legal question from the statutes with verified citations, or say 'not found'"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"} or argv[0] not in COMMANDS:
        print("usage: lexlab COMMAND [ARGS]\n\ncommands:")
        for name, (_, help_text) in COMMANDS.items():
            print(f"  {name:14s} {help_text}")
        return 0 if argv and argv[0] in {"-h", "--help"} else 2
    func, _ = COMMANDS[argv[0]]
    return func(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
