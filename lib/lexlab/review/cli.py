"""``lexlab review serve`` (the review app on 127.0.0.1) and ``lexlab review export`` (audit log + reviews)."""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path


def _db(args) -> Path:
    from lexlab.workbench import paths

    path = Path(args.db) if args.db else paths.WORK / "review" / args.name / "review.db"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no review database; run experiments/14_review.yaml (or review_demo.yaml) "
                                "first, or give --db")
    return path


def review_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="lexlab review", description="The human-in-the-loop review app.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("serve", "serve the review queue on 127.0.0.1"),
                            ("export", "write audit.jsonl, audit.csv and reviews.jsonl")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--name", default="review", help="the stage's name: work/review/<name>/review.db")
        p.add_argument("--db", default="", help="a review database path (overrides --name)")
        if name == "serve":
            p.add_argument("--port", type=int, default=8765)
            p.add_argument("--reviewer", default=getpass.getuser(), help="the reviewer name the page starts with")
        else:
            p.add_argument("--out", required=True, help="output folder")
    args = parser.parse_args(argv)
    try:
        db = _db(args)
    except FileNotFoundError as exc:
        print(f"lexlab review: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        from lexlab.review.app import HOST, serve

        print(f"review app on http://{HOST}:{args.port}/  (database {db})")
        serve(db, args.port, args.reviewer)
        return 0
    from lexlab.review.store import ReviewStore, export

    for path in export(ReviewStore(db), args.out).values():
        print(path)
    return 0
