"""The review database: the queue the app serves and the append-only audit log of every decision.

SQLite in WAL mode with ``synchronous=FULL`` and one transaction per decision: once the app has answered a
decision, it is on disk, and a killed server loses nothing. Triggers refuse UPDATE and DELETE on the log, so a
decision is never rewritten; a reviewer who changes their mind adds a new one (the latest counts). Each entry keeps
who, when (UTC), what (action, spans, reason), which model version and what the model said.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence

ACTIONS = ("accept", "reject", "edit")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, text TEXT NOT NULL, model_spans TEXT NOT NULL, p REAL, uncertainty REAL,
    route TEXT, model_version TEXT NOT NULL, queued_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reviews (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    reviewer TEXT NOT NULL, at TEXT NOT NULL, action TEXT NOT NULL, spans TEXT NOT NULL, reason TEXT NOT NULL,
    model_version TEXT NOT NULL, model_spans TEXT NOT NULL, model_p REAL);
CREATE TRIGGER IF NOT EXISTS reviews_no_update BEFORE UPDATE ON reviews
    BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS reviews_no_delete BEFORE DELETE ON reviews
    BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;
"""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class ReviewStore:
    """One SQLite file; safe to open from several processes (WAL), each call its own transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def queue_documents(self, docs: Sequence[dict], model_version: str) -> int:
        """Add routed documents (``id, text, spans, p, uncertainty, route``); one already queued is kept."""
        rows = [(d["id"], d["text"], json.dumps(d.get("spans", []), ensure_ascii=False), d.get("p"),
                 d.get("uncertainty"), d.get("route", "human"), model_version, now()) for d in docs]
        with self.db:
            self.db.execute("BEGIN")
            cur = self.db.executemany("INSERT OR IGNORE INTO documents VALUES (?,?,?,?,?,?,?,?)", rows)
        return cur.rowcount

    def queue(self, pending_only: bool = False) -> list[dict]:
        """Queued documents, most uncertain first, each with its latest review (if any)."""
        rows = self.db.execute(
            "SELECT d.*, r.action AS last_action, r.reviewer AS last_reviewer FROM documents d LEFT JOIN reviews r "
            "ON r.seq = (SELECT MAX(seq) FROM reviews WHERE doc_id = d.doc_id) "
            "ORDER BY d.uncertainty DESC, ABS(d.p - 0.5) ASC, d.doc_id").fetchall()
        out = [_document(r) for r in rows]
        return [d for d in out if d["last_action"] is None] if pending_only else out

    def document(self, doc_id: str) -> dict | None:
        row = self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return _document(row) if row else None

    def record(self, doc_id: str, reviewer: str, action: str, spans: Sequence[dict] = (), reason: str = "") -> dict:
        """Append one decision; ``accept`` takes the model's spans, ``reject`` none, ``edit`` the given ones."""
        doc = self.document(doc_id)
        if doc is None:
            raise KeyError(f"no queued document {doc_id!r}")
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, got {action!r}")
        if not reviewer.strip():
            raise ValueError("a decision needs a reviewer name")
        spans = doc["model_spans"] if action == "accept" else [] if action == "reject" else _clean(spans, doc)
        entry = {"doc_id": doc_id, "reviewer": reviewer.strip(), "at": now(), "action": action,
                 "spans": spans, "reason": reason, "model_version": doc["model_version"],
                 "model_spans": doc["model_spans"], "model_p": doc["p"]}
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            cur = self.db.execute(
                "INSERT INTO reviews (doc_id, reviewer, at, action, spans, reason, model_version, model_spans, model_p)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (doc_id, entry["reviewer"], entry["at"], action, json.dumps(spans, ensure_ascii=False), reason,
                 doc["model_version"], json.dumps(doc["model_spans"], ensure_ascii=False), doc["p"]))
        return {"seq": cur.lastrowid, **entry}

    def audit(self) -> list[dict]:
        """Every decision in the order it was made."""
        return [_review(r) for r in self.db.execute("SELECT * FROM reviews ORDER BY seq")]

    def training_records(self) -> Iterator[dict]:
        """The latest decision per document in the bring-your-own format (``lexlab.review.dataset``), with the
        review that made it under ``review``: reviews feed the next training run as they are."""
        latest = {r["doc_id"]: r for r in self.audit()}
        for doc_id, r in latest.items():
            text = self.document(doc_id)["text"]
            spans = [{"start": s["start"], "end": s["end"], "kind": s.get("kind", "reviewed")} for s in r["spans"]]
            yield {"id": doc_id, "text": text, "label": "privileged" if spans else "not", "spans": spans,
                   "review": {k: r[k] for k in ("seq", "reviewer", "at", "action", "reason", "model_version",
                                                "model_spans", "model_p")}}


def _clean(spans: Sequence[dict], doc: dict) -> list[dict]:
    out = []
    for s in spans:
        start, end = int(s["start"]), int(s["end"])
        if not 0 <= start < end <= len(doc["text"]):
            raise ValueError(f"span {start}..{end} is outside the document (0..{len(doc['text'])})")
        out.append({"start": start, "end": end, "kind": str(s.get("kind", "reviewed"))})
    return sorted(out, key=lambda s: s["start"])


def _document(row: sqlite3.Row) -> dict:
    d = dict(row)
    d["model_spans"] = json.loads(d["model_spans"])
    d.setdefault("last_action", None)
    return d


def _review(row: sqlite3.Row) -> dict:
    r = dict(row)
    r["spans"], r["model_spans"] = json.loads(r["spans"]), json.loads(r["model_spans"])
    return r


def to_jsonl(records: Sequence[dict] | Iterator[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def to_csv(records: Sequence[dict]) -> str:
    """The audit log as CSV (spans as JSON text)."""
    buf = io.StringIO()
    fields = ["seq", "doc_id", "reviewer", "at", "action", "spans", "reason", "model_version", "model_spans", "model_p"]
    writer = csv.DictWriter(buf, fieldnames=fields)
    writer.writeheader()
    for r in records:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in r.items()})
    return buf.getvalue()


def export(store: ReviewStore, out_dir: str | Path) -> dict[str, Path]:
    """audit.jsonl, audit.csv and reviews.jsonl (training format) under ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Any] = {"audit.jsonl": to_jsonl(store.audit()), "audit.csv": to_csv(store.audit()),
                             "reviews.jsonl": to_jsonl(store.training_records())}
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return {name: out / name for name in files}
