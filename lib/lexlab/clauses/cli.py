"""``lexlab extract-clauses MODEL IN.jsonl OUT.jsonl``: a fine-tuned clause model over a user's documents.

Input: JSONL ``{"id", "text"}``. Output, one object per document: ``{"id", "spans": [{"start", "end", "label",
"text"}]}`` for a span model, ``{"id", "label", "confidence"}`` for an article model. Bad input is one line naming
the file, line and field, exit 2.
"""
from __future__ import annotations

import argparse
import sys

from lexlab.clauses.data import Example
from lexlab.workbench.io import ParseError, read_jsonl, write_jsonl


def extract_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="lexlab extract-clauses", description=__doc__.split("\n")[0])
    parser.add_argument("model", help="a fine-tuned clause model: its final/ directory, run:<id>, models:/…")
    parser.add_argument("input", help='JSONL of {"id", "text"}')
    parser.add_argument("output", help="JSONL of spans (span model) or labels (article model)")
    parser.add_argument("--max-length", type=int, default=0,
                        help="tokens per document, longer ones are cut (default: what the model was trained with)")
    args = parser.parse_args(argv)
    try:
        docs = read_jsonl(args.input)
    except (ParseError, FileNotFoundError) as exc:
        print(f"lexlab extract-clauses: {exc}", file=sys.stderr)
        return 2
    from lexlab.clauses.models import finetune

    extractor = finetune.load(args.model, args.max_length)
    examples = [Example(d["id"], d["text"]) for d in docs]
    predictions = extractor.predict(examples)
    write_jsonl([_record(e, p, extractor.cfg.task) for e, p in zip(examples, predictions)], args.output)
    print(f"{len(examples)} documents → {args.output}")
    return 0


def _record(example: Example, prediction, task: str) -> dict:
    if task == "article":
        return {"id": example.id, "label": prediction.label, "confidence": round(prediction.confidence, 4)}
    return {"id": example.id, "spans": [{"start": s.start, "end": s.end, "label": s.label,
                                         "text": example.text[s.start:s.end]} for s in prediction.spans]}
