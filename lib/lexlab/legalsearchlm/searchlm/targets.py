"""Discriminative training targets: keep the legal elements that tell cases apart.

`elements.extract_elements` ranks a case's spans by how prominent they are *in the case*. Prominent is not the
same as useful for retrieval: the most frequent element of the LEGAR-style corpus is 형사소송법 제364조 (the
appeal-court provision, in ~190 cases), and a model trained on such targets learns to generate them for every
query (issue #10: the same five cases for all 684 queries). `filter_elements` keeps what a legal element is for
retrieval — a span shared by *a few* cases:

* statute spans of procedure law, the constitution, 형법 총칙 (제1조–제86조) and any ``제1조`` (purpose clause)
  are dropped (`lexlab.legalsearchlm.bench.provisions.is_substantive` decides, the benchmark's own rule);
* spans in more than ``max_df`` of the corpus cases (a fraction when < 1, else a count) are dropped: they
  cannot discriminate;
* spans in fewer than ``min_df`` cases (default 2: only the case itself) are dropped: they cannot retrieve
  another case;
* the survivors are re-ranked by idf (rarer first, the case's own priority breaking ties) and cut to
  ``max_elements``, after the case's applied articles (kind ``article``, `searchlm.articles`), which are kept
  first whatever their frequency: they decide relevance (issue #23); a case left with none keeps its other non-general elements (``fallback``), so every case
  still trains.

Document frequencies come from `SpanCounter`, a character-level FM-index over the whitespace-normalised
corpus (for word-aligned spans the same matches the retriever's token-level FM-index finds).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

from lexlab.legalsearchlm.bench.provisions import is_substantive, normalize_article
from lexlab.legalsearchlm.searchlm.elements import Element, normalize_text

_STATUTE_HEAD = re.compile(r"^(?:구\s)?(?P<key>\S.*?\s?제\d+조(?:의\d+)?)")


def is_general_provision(span: str) -> bool:
    """A statute span that does not discriminate: procedure law, constitution, 형법 총칙, a ``제1조`` (purpose)."""
    m = _STATUTE_HEAD.match(span.strip())
    if not m:
        return False
    if re.search(r"\s제1조(?!의)", m.group("key") + " "):
        return True
    key = normalize_article(m.group("key"))
    return key is not None and not is_substantive(key)


class SpanCounter:
    """In which documents does a span occur? A character-level FM-index over the normalised corpus (the same
    `FMIndex` the retriever decodes against, with code points as tokens), answers cached per span."""

    def __init__(self, texts: Iterable[str], progress: bool = False):
        from lexlab.legalsearchlm.searchlm.fm_index import FMIndex

        docs = [np.frombuffer((normalize_text(t) or " ").encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
                for t in texts]
        if not docs:
            raise ValueError("SpanCounter needs at least one document")
        self.n_docs = len(docs)
        self._vocab = int(max(int(d.max()) for d in docs)) + 1
        self.fm = FMIndex.from_documents(docs, vocab_size=self._vocab, progress=progress)
        self._cache: dict[str, tuple] = {}  # span → (documents, term frequencies)

    def codes(self, span: str) -> list[int] | None:
        codes = [ord(c) for c in span]
        return codes if codes and max(codes) < self._vocab else None

    def documents(self, span: str) -> frozenset[int]:
        """Indices of the documents containing ``span`` (empty for an empty or unknown span)."""
        return frozenset(self.term_frequencies(span)[0].tolist())

    def term_frequencies(self, span: str):
        """(indices of the documents containing ``span``, how often each contains it), cached per span."""
        hit = self._cache.get(span)
        if hit is None:
            codes = self.codes(span)
            hit = self.fm.term_frequencies(codes) if codes else (np.empty(0, np.int64), np.empty(0, np.int64))
            self._cache[span] = hit
        return hit

    def df(self, span: str) -> int:
        return len(self.term_frequencies(span)[0])

    def idf(self, span: str) -> float:
        return math.log((self.n_docs + 1) / (self.df(span) + 0.5))


@dataclass
class TargetFilter:
    """What `filter_elements` keeps; see the module docstring. ``max_df`` < 1 is a fraction of the corpus."""

    drop_general: bool = True
    min_df: int = 2
    max_df: float = 0.02      # with max_elements=32: the best design on dev (benchmarks/searchlm_oracle.py)
    max_elements: int = 32
    fallback: bool = True   # a case left with no target keeps its other elements (rarest first), so it still trains

    def __post_init__(self) -> None:
        if self.min_df < 1:
            raise ValueError(f"TargetFilter.min_df must be >= 1, got {self.min_df}")
        if self.max_df <= 0:
            raise ValueError(f"TargetFilter.max_df must be > 0, got {self.max_df}")
        if self.max_elements < 1:
            raise ValueError(f"TargetFilter.max_elements must be >= 1, got {self.max_elements}")

    def max_count(self, n_docs: int) -> int:
        """The most cases a kept span may occur in (never below ``min_df``, so tiny corpora keep something)."""
        return max(self.min_df, int(self.max_df * n_docs) if self.max_df < 1 else int(self.max_df))


def filter_elements(elements: Sequence[Element], counter: SpanCounter, rule: TargetFilter) -> list[Element]:
    """The discriminative subset of one case's elements, rarest first (module docstring)."""
    hi = rule.max_count(counter.n_docs)
    kept, rest, articles = [], [], []
    for rank, e in enumerate(elements):
        if e.kind == "article":  # the case's applied articles: first, whatever their frequency
            articles.append(e)
            continue
        if rule.drop_general and e.kind == "statute" and is_general_provision(e.text):
            continue
        df = counter.df(e.text)
        (kept if rule.min_df <= df <= hi else rest).append((-counter.idf(e.text), rank, e))
    if not kept and rule.fallback:
        kept = [x for x in rest if counter.df(x[2].text) > 0]
    kept.sort(key=lambda x: (x[0], x[1]))
    return [*articles, *(e for _, _, e in kept)][: rule.max_elements]


def filter_targets(targets: Sequence[Sequence[Element]], texts: Sequence[str] | SpanCounter,
                   rule: TargetFilter | Mapping | None = None) -> list[list[Element]]:
    """`filter_elements` for every case; ``texts`` is the corpus (or a `SpanCounter` over it)."""
    rule = rule if isinstance(rule, TargetFilter) else TargetFilter(**dict(rule or {}))
    counter = texts if isinstance(texts, SpanCounter) else SpanCounter(texts)
    return [filter_elements(els, counter, rule) for els in targets]
