"""The clause data set: statute articles labelled by their own titles, split by law family.

Input is the article's text without its heading (the title is the label, so it must not be in the input); the
label is ``types.clause_type(title)``; types with fewer than ``min_articles`` articles in the whole corpus join
``other``. Each example also carries the spans its text marks itself (``spans.marker_spans``), the input of the
token-classification variant. The split comes from ``lexlab.data.splits`` keyed by the law family, so a law, its
시행령 and its 시행규칙 are always on one side and no model is scored on the wording of a law it trained on.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from lexlab.clauses.spans import Span, marker_spans
from lexlab.clauses.types import OTHER, clause_type
from lexlab.data import splits

# a heading "제N조(제목)" at the start; a body that starts "제5조제1항에 따라 …" keeps its words
_HEADING = re.compile(r"^\s*(?:###\s*)?제\s?\d+(?:-\d+)?\s?조(?:\s?의\s?\d+)?\s*\([^)]*\)\s*")


@dataclass
class Example:
    id: str
    text: str
    label: str = OTHER                                 # article task: the clause type
    spans: list[Span] = field(default_factory=list)    # span task: labelled character spans
    split: str = "train"
    group: str = ""                                    # the unit a split keeps together (law family, document)
    title: str = ""                                    # where the label came from; never model input


def strip_title(text: str, title: str) -> str:
    """The article text without any ``제N조(제목)`` heading or a leading ``(제목)``."""
    text = _HEADING.sub("", text or "", count=1)
    if title and text.lstrip().startswith(f"({title})"):
        text = text.lstrip()[len(title) + 2:]
    return text.strip()


def statute_examples(articles: Iterable, dev: float = 0.1, test: float = 0.2) -> list[Example]:
    """One example per titled, in-force article (``StatuteArticle`` records or snapshot rows)."""
    out = []
    for a in articles:
        get = (lambda k: a[k]) if isinstance(a, dict) else (lambda k: getattr(a, k))
        title, text = str(get("title") or "").strip(), strip_title(str(get("text")), str(get("title") or ""))
        if get("deleted") or not title or not text:
            continue
        law = str(get("law"))
        out.append(Example(id=f"{law}:{get('article_no')}", text=text, label=clause_type(title),
                           spans=marker_spans(text), title=title, group=splits.law_family(law),
                           split=splits.split_of(splits.law_family_key(law), dev=dev, test=test)))
    return out


def group_rare(examples: Sequence[Example], min_articles: int) -> list[Example]:
    """Types with fewer than ``min_articles`` examples in all splits together become ``other``."""
    counts = Counter(e.label for e in examples)
    return [e if counts[e.label] >= min_articles else replace(e, label=OTHER) for e in examples]


def type_counts(examples: Sequence[Example]):
    """Examples per type and split (a DataFrame: rows types by frequency, columns train/dev/test/all)."""
    import pandas as pd

    table = pd.crosstab(pd.Series([e.label for e in examples], name="type"),
                        pd.Series([e.split for e in examples], name="split"))
    table = table.reindex(columns=[s for s in splits.SPLITS if s in table.columns])
    table["all"] = table.sum(axis=1)
    return table.sort_values("all", ascending=False)


def span_counts(examples: Sequence[Example]) -> Counter:
    """Spans per (label, split)."""
    return Counter((s.label, e.split) for e in examples for s in e.spans)


def by_split(examples: Sequence[Example], split: str) -> list[Example]:
    return [e for e in examples if e.split == split]


def load_statute_articles(statutes: str = "package") -> list:
    """Statute articles: "package" parses the installed data package (``lexlab.data.sources``), anything else
    names a snapshot built by stage 01 (its ``statutes`` table)."""
    if statutes == "package":
        from lexlab.data.sources import StatutesSource

        return StatutesSource().load(progress=False)
    from lexlab.data.snapshot import load_snapshot
    from lexlab.workbench import paths

    snap = load_snapshot(paths.snapshot_dir(statutes), tables=("statutes",))
    return snap.statutes.to_dict("records")
