"""Spans inside a text: the ``Span`` record, the checks every span set passes, sentence boundaries, the spans
statutes mark themselves (다만 provisos, 준용 sentences) and BIO tags for token classification.

Statute sentences end in "다." (or at a line end). A proviso (단서) runs from "다만" to the end of its sentence;
a 준용 sentence is a whole sentence that says "준용한다" and is not a proviso. Those two markers are the labels of
the statutes' span task, so on statutes the keyword rules that find them score 1 by construction: the task
checks whether a model learns span boundaries from tokens, and it is a real test only on a team's own labels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

OUTSIDE = "O"
PROVISO, APPLY = "단서", "준용"
STATUTE_SPAN_LABELS = (PROVISO, APPLY)
_SENTENCE_END = re.compile(r"다\.(?=\s|$)|\n")


@dataclass(frozen=True, order=True)
class Span:
    start: int  # character offset, inclusive
    end: int    # character offset, exclusive
    label: str


def span_problem(spans: Sequence[Span], text_length: int,
                 labels: Iterable[str] | None = None) -> tuple[str, str] | None:
    """(field, message) of the first problem of a span set, None when it is sound: offsets inside the text and
    start < end, a known label, no two spans overlapping."""
    known = set(labels) if labels is not None else None
    for i, s in enumerate(spans):
        if not (0 <= s.start < s.end <= text_length):
            return f"spans[{i}].end" if s.start >= 0 and s.start < s.end else f"spans[{i}].start", \
                f"offsets [{s.start}, {s.end}) outside the text (length {text_length}) or empty"
        if known is not None and s.label not in known:
            return f"spans[{i}].label", f"unknown label {s.label!r}; known: {sorted(known)}"
    ordered = sorted(range(len(spans)), key=lambda i: (spans[i].start, spans[i].end))
    for a, b in zip(ordered, ordered[1:]):
        if spans[b].start < spans[a].end:
            return f"spans[{b}]", (f"[{spans[b].start}, {spans[b].end}) overlaps spans[{a}] "
                                   f"[{spans[a].start}, {spans[a].end})")
    return None


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, surrounding whitespace left out."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        out.append((start, m.end()))
        start = m.end()
    out.append((start, len(text)))
    trimmed = []
    for a, b in out:
        piece = text[a:b]
        a2 = a + len(piece) - len(piece.lstrip())
        b2 = b - (len(piece) - len(piece.rstrip()))
        if b2 > a2:
            trimmed.append((a2, b2))
    return trimmed


def marker_spans(text: str) -> list[Span]:
    """The statute's own spans: 단서 from "다만" to its sentence's end, 준용 for a sentence that says 준용한다."""
    out = []
    for a, b in sentences(text):
        piece = text[a:b]
        at = piece.find("다만")
        if at >= 0:
            out.append(Span(a + at, b, PROVISO))
        elif "준용한다" in piece:
            out.append(Span(a, b, APPLY))
    return out


def bio_tags(offsets: Sequence[tuple[int, int]], spans: Sequence[Span]) -> list[str]:
    """One BIO tag per token from its (start, end) character offsets: B- on a span's first token, I- inside."""
    tags = []
    ordered = sorted(spans)
    for start, end in offsets:
        tag = OUTSIDE
        if end > start:
            for s in ordered:
                if start < s.end and end > s.start:
                    first = start <= s.start or not tags or not tags[-1].endswith(s.label)
                    tag = ("B-" if first else "I-") + s.label
                    break
        tags.append(tag)
    return tags


def spans_from_tags(offsets: Sequence[tuple[int, int]], tags: Sequence[str]) -> list[Span]:
    """Character spans back from per-token BIO tags (an I- after O or another label opens a span)."""
    out: list[Span] = []
    current: list | None = None
    for (start, end), tag in zip(offsets, tags):
        if tag == OUTSIDE or end <= start:
            if tag == OUTSIDE and current:
                out.append(Span(*current))
                current = None
            continue
        kind, label = tag.split("-", 1)
        if current and kind == "I" and current[2] == label:
            current[1] = end
        else:
            if current:
                out.append(Span(*current))
            current = [start, end, label]
    if current:
        out.append(Span(*current))
    return out


def bio_labels(labels: Iterable[str]) -> list[str]:
    """The tag set of token classification: O, then B-/I- of each label."""
    return [OUTSIDE] + [f"{p}-{label}" for label in labels for p in ("B", "I")]


def trim_offsets(text: str, offsets: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token offsets without the whitespace a byte-level token carries ("␣다만" starts at 다), so spans read from
    tokens start and end where a person's would."""
    out = []
    for start, end in offsets:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        out.append((start, end))
    return out
