"""The review set: passages of the project's decisions with personal data inserted into a seeded share of them,
hard negatives inserted into all of them, split by decision; or a team's own labelled JSONL.

The positives are inserted, not found: published decisions are already masked (피고인 A, 공소외 1, 주식회사 B),
and no public source of unmasked ones exists (nor should). So a positive is a real passage where a mask is
replaced by an invented name, or a sentence carrying an invented 주민등록번호, phone number, address or account
number is added; its spans are exactly what was inserted. Hard negatives (officials and judges named in their
role, public bodies named in statutes, case numbers, statute numbers, dates, amounts) go into positives and
negatives alike, so their presence says nothing about the label; they are recorded in ``negatives`` and are never
inside a span. Real decisions also keep judges' and counsel's names, which are published and must pass.

A document: ``{"id", "text", "label": "privileged"|"not", "spans": [{"start", "end", "kind"}], "split",
"decision", "negatives": [...]}`` (``decision`` and ``negatives`` only for built sets).
"""
from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from lexlab.data import splits
from lexlab.review import pii
from lexlab.workbench.io import ParseError, read_jsonl

LABELS = ("privileged", "not")
MASK = re.compile(r"(?P<role>피해자|피고인|공소외|증인|고소인|참고인|신고인|피의자)\s?(?P<mask>[A-Z]{1,2}|\d{1,2})(?![A-Za-z0-9])")
_SENTENCE_END = re.compile(r"(?<=다\.)\s|(?<=\.)\n")


def passages(text: str, size: int, limit: int) -> list[str]:
    """Up to ``limit`` consecutive windows of about ``size`` characters, each cut at a sentence end."""
    text = re.sub(r"[ \t]+", " ", text or "").strip()
    out, pos = [], 0
    while len(out) < limit and len(text) - pos >= size // 2:
        end = pos + size
        m = _SENTENCE_END.search(text, end) if end < len(text) else None
        end = m.end() if m and m.end() - end < size // 2 else min(end, len(text))
        out.append(text[pos:end].strip())
        pos = end
    return out


def _boundaries(text: str) -> list[int]:
    return [0, *[m.end() for m in _SENTENCE_END.finditer(text)], len(text)]


def _insert(text: str, at: int, sentence: str) -> tuple[str, int]:
    """``sentence`` inserted at ``at`` with a space on each side; returns (text, where the sentence starts)."""
    before, after = text[:at].rstrip(), text[at:].lstrip()
    lead = before + " " if before else ""
    return lead + sentence + (" " + after if after else ""), len(lead)


def _shift(items: list[dict], at: int, by: int) -> None:
    for it in items:
        if it["start"] >= at:
            it["start"] += by
            it["end"] += by


def _add_sentence(doc: dict, template: str, rng: random.Random) -> None:
    sentence, slots = pii.fill(template, rng)
    at = rng.choice(_boundaries(doc["text"]))
    doc["text"], start = _insert(doc["text"], at, sentence)
    inserted_len = len(doc["text"]) - len(doc["_before"])
    _shift(doc["spans"] + doc["negatives"], at, inserted_len)
    for s, e, kind in slots:
        target = doc["spans"] if kind in pii.PERSONAL else doc["negatives"]
        target.append({"start": start + s, "end": start + e, "kind": kind})


def _name_in_place(doc: dict, rng: random.Random) -> bool:
    """Replace every occurrence of one mask (공소외 1, 피해자 B, ...) by an invented name; False if none."""
    found = list(MASK.finditer(doc["text"]))
    if not found or doc["spans"] or doc["negatives"]:
        return False
    mask = rng.choice(found).group(0)
    role = MASK.match(mask).group("role")
    who = pii.name(rng)
    out, pos, text = [], 0, doc["text"]
    for m in re.finditer(re.escape(mask) + r"(?![A-Za-z0-9])", text):
        out.append(text[pos:m.start()] + role + " ")
        start = sum(map(len, out))
        out.append(who)
        doc["spans"].append({"start": start, "end": start + len(who), "kind": "name"})
        pos = m.end()
    doc["text"] = "".join(out) + text[pos:]
    return True


def make_document(doc_id: str, decision: str, text: str, positive: bool, hard_negatives: int,
                  rng: random.Random) -> dict:
    """One review document from a passage: names in place of a mask and/or inserted personal data when
    ``positive``, then ``hard_negatives`` look-alike sentences."""
    doc = {"id": doc_id, "decision": decision, "text": text, "spans": [], "negatives": []}
    if positive and not (rng.random() < 0.4 and _name_in_place(doc, rng)):
        doc["_before"] = doc["text"]
        _add_sentence(doc, rng.choice(pii.POSITIVE_TEMPLATES), rng)
    for _ in range(hard_negatives):
        doc["_before"] = doc["text"]
        _add_sentence(doc, rng.choice(pii.HARD_TEMPLATES), rng)
    doc.pop("_before", None)
    doc["spans"].sort(key=lambda s: s["start"])
    doc["label"] = "privileged" if doc["spans"] else "not"
    return doc


def build_review_set(decisions, *, positive_fraction: float, doc_chars: int, passages_per_decision: int,
                     max_decisions: int, dev: float, test: float, seed: int) -> list[dict]:
    """Review documents from the snapshot's decisions table (its 이유), split by appeal chain."""
    df = decisions[decisions["reasoning"].fillna("").str.len() >= doc_chars // 2].copy()
    df["split"] = splits.case_split(df, dev, test)
    if max_decisions:
        df = df.sample(n=min(max_decisions, len(df)), random_state=seed).sort_index()
    docs = []
    for case_id, text, split in zip(df["case_id"], df["reasoning"], df["split"]):
        for k, passage in enumerate(passages(text, doc_chars, passages_per_decision)):
            rng = random.Random(f"review:{seed}:{case_id}:{k}")
            doc = make_document(f"{case_id}#{k}", str(case_id), passage, rng.random() < positive_fraction,
                                rng.choice((0, 1, 1, 2)), rng)
            docs.append({**doc, "split": split})
    return docs


# ------------------------------------------------------------------------------------------ bring your own

def _check_document(where: str, obj: dict) -> None:
    if obj.get("label") not in LABELS:
        raise ParseError(where, "label", f"must be one of {LABELS}, got {obj.get('label')!r}")
    spans = obj.get("spans", [])
    if not isinstance(spans, list):
        raise ParseError(where, "spans", "must be a list of {start, end} objects")
    text = obj.get("text") if isinstance(obj.get("text"), str) else ""
    for i, s in enumerate(spans):
        ok = isinstance(s, dict) and all(isinstance(s.get(k), int) for k in ("start", "end"))
        if not ok or not 0 <= s["start"] < s["end"] <= len(text):
            raise ParseError(where, f"spans[{i}]", f"needs integer start < end within the text (0..{len(text)})")
    if obj["label"] == "not" and spans:
        raise ParseError(where, "spans", "a document labelled 'not' has no sensitive spans")
    if obj.get("split", "train") not in splits.SPLITS:
        raise ParseError(where, "split", f"must be one of {splits.SPLITS}")


def read_documents(path: str | Path, dev: float, test: float) -> list[dict]:
    """A team's own documents: JSONL ``{"id", "text", "label": "privileged"|"not", "spans": [{"start", "end"}]}``
    (optional ``split``, else by a hash of ``group`` or ``id``); a bad line is an error naming file, line, field."""
    docs = read_jsonl(path, required=("id", "text", "label"), check=_check_document)
    for d in docs:
        d.setdefault("spans", [])
        d.setdefault("negatives", [])
        d.setdefault("decision", str(d.get("group", d["id"])))
        d.setdefault("split", splits.split_of(f"review:{d['decision']}", dev, test))
    return docs


def by_split(docs: Iterable[dict], *names: str) -> list[dict]:
    return [d for d in docs if d["split"] in names]


def labels(docs: Sequence[dict]) -> list[int]:
    return [int(d["label"] == "privileged") for d in docs]


def summary(docs: Sequence[dict]) -> list[dict[str, Any]]:
    """Rows per split: documents, decisions, positives, spans by kind, hard negatives."""
    rows = []
    for split in splits.SPLITS:
        part = by_split(docs, split)
        kinds: dict[str, int] = {}
        for d in part:
            for s in d["spans"]:
                kinds[s.get("kind", "span")] = kinds.get(s.get("kind", "span"), 0) + 1
        rows.append({"split": split, "documents": len(part), "decisions": len({d["decision"] for d in part}),
                     "positives": sum(labels(part)), "hard_negatives": sum(len(d["negatives"]) for d in part),
                     **{f"spans_{k}": v for k, v in sorted(kinds.items())}})
    return rows
