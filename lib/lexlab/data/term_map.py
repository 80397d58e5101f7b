"""A term → label association mined from labelled texts, with its provenance: which documents support each link.

Method-independent: the inputs are ``(doc_id, text, labels)`` records (for ``lexlab ask``: a criminal decision's
masked narrative and the statute articles it applied), the output a table with one row per (term, label) pair
seen together in at least ``min_support`` documents::

    term, label, n (documents with both), n_term (documents with the term), n_label (documents with the label),
    docs (the supporting doc_ids, at most ``MAX_DOCS``)

Terms are content morphemes (kiwipiepy: nouns, verb and adjective stems, roots, general adverbs such as 몰래) or,
without kiwipiepy, character bigrams of each word; a term counts once per document. ``TermMap.score`` ranks labels
for a new text (naive-Bayes log-odds of its terms, see there). ``fingerprint`` digests the
records and the mining options, so a map saved under it is rebuilt exactly when its inputs change.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal, Sequence

import pandas as pd

Tokenizer = Literal["kiwi", "char2"]
MAX_DOCS = 20                      # supporting doc_ids kept per link (the counts keep the rest)
_KIWI_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "MAG")
_WORD = re.compile(r"[\uac00-\ud7a3A-Za-z0-9]+")
_MASK = re.compile(r"\[[^\]]{1,10}\]|제○조")
COLUMNS = ["term", "label", "n", "n_term", "n_label", "docs"]


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


def has_kiwi() -> bool:
    try:
        import kiwipiepy  # noqa: F401
    except ImportError:
        return False
    return True


def terms(text: str, tokenizer: Tokenizer = "kiwi") -> set[str]:
    """The distinct content terms of ``text`` (mask tokens such as "[법령]" and "제○조" left out)."""
    text = _MASK.sub(" ", text or "")
    if tokenizer == "kiwi":
        return {t.form for t in _kiwi().tokenize(text) if t.tag.startswith(_KIWI_TAGS) and _WORD.fullmatch(t.form)}
    if tokenizer == "char2":
        return {w[i:i + 2] if len(w) > 1 else w for w in _WORD.findall(text.lower()) for i in range(max(1, len(w) - 1))}
    raise ValueError(f"term tokenizer must be 'kiwi' or 'char2', not {tokenizer!r}")


def fingerprint(records: Sequence[tuple[str, str, Sequence[str]]], **options) -> str:
    """A digest of the records (ids, texts, labels) and the mining options."""
    h = hashlib.sha1(json.dumps(options, sort_keys=True, default=str).encode())
    for doc_id, text, labels in sorted(records, key=lambda r: r[0]):
        h.update(json.dumps([doc_id, text, sorted(labels)], ensure_ascii=False).encode())
    return h.hexdigest()[:12]


@dataclass
class TermMap:
    """The mined table (``COLUMNS``) plus the number of documents it was mined from."""

    table: pd.DataFrame
    n_docs: int
    tokenizer: Tokenizer = "kiwi"
    _links: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        missing = set(COLUMNS) - set(self.table.columns)
        if missing:
            raise ValueError(f"term map: missing column(s) {sorted(missing)}")
        for r in self.table.itertuples():
            self._links.setdefault(r.term, []).append((r.label, int(r.n), int(r.n_term), int(r.n_label)))

    def __len__(self) -> int:
        return len(self.table)

    def score(self, text: str, smoothing: float = 3.0) -> list[tuple[str, float]]:
        """Labels for ``text``, best first, by a naive-Bayes log-odds over its known terms: for each label with
        evidence, log P(label) plus, for each term t of the text that favours it, the log likelihood ratio
        log P(t | label) / P(t | not label), both estimated with ``smoothing`` pseudo-counts (so a link seen in two
        documents weighs less than one seen in twenty). Terms that do not favour a label add nothing."""
        scores: dict[str, float] = defaultdict(float)
        priors: dict[str, float] = {}
        n, b = self.n_docs, smoothing
        for t in terms(text, self.tokenizer):
            for label, both, n_term, n_label in self._links.get(t, ()):
                ratio = math.log((both + b) / (n_label + 2 * b)) - math.log((n_term - both + b) / (n - n_label + 2 * b))
                if ratio > 0:
                    scores[label] += ratio
                    priors[label] = math.log(n_label / n)
        return sorted(((lab, s + priors[lab]) for lab, s in scores.items()), key=lambda x: (-x[1], x[0]))

    def support(self, term: str, label: str) -> dict:
        """The provenance of one link: counts and supporting documents ({} when the map has no such link)."""
        rows = self.table[(self.table["term"] == term) & (self.table["label"] == label)]
        return rows.iloc[0].to_dict() if len(rows) else {}

    def save(self, path: str | Path, meta: dict | None = None) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.parquet")
        self.table.to_parquet(tmp, index=False)
        tmp.replace(path)
        info = {"n_docs": self.n_docs, "tokenizer": self.tokenizer, "n_links": len(self.table), **(meta or {})}
        path.with_suffix(".json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "TermMap":
        path = Path(path)
        try:
            info = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            table = pd.read_parquet(path)
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: not a term map ({exc}); delete it to rebuild") from exc
        table["docs"] = [list(d) for d in table["docs"]]
        return cls(table, int(info["n_docs"]), info["tokenizer"])


def mine(records: Iterable[tuple[str, str, Sequence[str]]], tokenizer: Tokenizer = "kiwi", min_support: int = 2,
         progress: bool = False) -> TermMap:
    """Count, over ``(doc_id, text, labels)`` records, the documents where each term and each label occur together."""
    from lexlab.workbench.progress import item_bar

    term_docs: Counter = Counter()
    label_docs: Counter = Counter()
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    n_docs = 0
    for doc_id, text, labels in item_bar(list(records), desc="term map", disable=not progress):
        labels = sorted(set(labels))
        if not labels:
            continue
        n_docs += 1
        ts = terms(text, tokenizer)
        term_docs.update(ts)
        label_docs.update(labels)
        for t in ts:
            for label in labels:
                pairs[(t, label)].append(doc_id)
    rows = [{"term": t, "label": lab, "n": len(docs), "n_term": term_docs[t], "n_label": label_docs[lab],
             "docs": sorted(docs)[:MAX_DOCS]} for (t, lab), docs in pairs.items() if len(docs) >= min_support]
    table = pd.DataFrame(rows, columns=COLUMNS).sort_values(["term", "label"], ignore_index=True)
    return TermMap(table, n_docs, tokenizer)
