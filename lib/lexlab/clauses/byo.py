"""A team's own labelled documents: JSONL ``{"id", "text", "spans": [{"start", "end", "label"}]}``.

Offsets are character offsets into ``text`` (end exclusive). Every line is checked through
``lexlab.workbench.io``: a span outside the text, an empty span, an unknown label (when the labels are given)
and two overlapping spans are errors naming the file, the line and the field (``spans[2].label``). Documents are
split by ``lexlab.data.splits`` on their id unless a separate test file is given.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from lexlab.clauses.data import Example
from lexlab.clauses.spans import Span, span_problem
from lexlab.data import splits
from lexlab.workbench.io import ParseError, read_jsonl


def _spans(where: str, obj: dict) -> list[Span]:
    raw = obj.get("spans")
    if not isinstance(raw, list):
        raise ParseError(where, "spans", f"expected a list of {{start, end, label}}, got {type(raw).__name__}")
    out = []
    for i, s in enumerate(raw):
        if not isinstance(s, dict):
            raise ParseError(where, f"spans[{i}]", f"expected an object, got {type(s).__name__}")
        for key, kind in (("start", int), ("end", int), ("label", str)):
            if not isinstance(s.get(key), kind) or isinstance(s.get(key), bool) or s.get(key) == "":
                raise ParseError(where, f"spans[{i}].{key}", f"expected {kind.__name__}, got {s.get(key)!r}")
        out.append(Span(s["start"], s["end"], s["label"]))
    return out


def load_labelled(path: str | Path, labels: Iterable[str] | None = None, split: str | None = None,
                  dev: float = 0.1, test: float = 0.2) -> list[Example]:
    """The documents of one file as examples; ``split`` fixes their split, None hashes each id."""
    known = list(labels) if labels is not None else None

    def check(where: str, obj: dict) -> None:
        problem = span_problem(_spans(where, obj), len(obj["text"]), known)
        if problem:
            raise ParseError(where, *problem)

    rows = read_jsonl(path, required=("id", "text", "spans"), check=check)
    return [Example(id=r["id"], text=r["text"], spans=sorted(_spans("", r)), group=r["id"],
                    split=split or splits.split_of(f"clauses:{r['id']}", dev=dev, test=test)) for r in rows]


def labels_of(examples: Sequence[Example]) -> list[str]:
    """The span labels a set of documents uses, by frequency."""
    from collections import Counter

    return [label for label, _ in Counter(s.label for e in examples for s in e.spans).most_common()]
