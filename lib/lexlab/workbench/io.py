"""The one JSONL and TREC reader/writer, and the skip-or-raise policy every loader applies to bad input.

Bad input never crashes with a stack trace nor disappears silently: a ``ParseError`` names the file (and line)
and the field. ``on_error="raise"`` stops at the first one; ``"skip"`` leaves the bad item out, appends
``error.as_dict()`` to the caller's ``errors`` list and warns once with the count.
"""
from __future__ import annotations

import dataclasses
import json
import re
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Literal, Mapping, Sequence, TypeVar

from lexlab.workbench import inputs, secrets

T = TypeVar("T")
R = TypeVar("R")
OnError = Literal["raise", "skip"]
Run = dict[str, list[tuple[str, float]]]
Qrels = dict[str, dict[str, int]]


class ParseError(ValueError):
    """Input that cannot be read as what it claims to be; carries the place (file or file:line) and the field."""

    def __init__(self, path: str, field: str, message: str):
        self.path = str(path)
        self.field = field
        self.message = message
        super().__init__(f"{self.path}: field {field!r}: {message}")

    def as_dict(self) -> dict:
        return {"path": self.path, "field": self.field, "error": self.message}


def check_on_error(on_error: str) -> None:
    """Every loader takes the same policy for bad input: "skip" records it and goes on, "raise" stops."""
    if on_error not in ("skip", "raise"):
        raise ValueError(f"on_error must be 'skip' or 'raise', not {on_error!r}")


def parse_each(items: Iterable[T], parse: Callable[[T], R], on_error: str,
               errors: list | None = None) -> Iterator[tuple[T, R]]:
    """``(item, parse(item))`` for each item, applying the ``on_error`` policy to a ``ParseError``.

    "raise" lets it propagate; "skip" appends ``as_dict()`` to ``errors`` (when given) and leaves the item out.
    Being a generator it checks nothing until iterated: call ``check_on_error`` first so a bad policy is
    refused before any work starts.
    """
    for item in items:
        try:
            rec = parse(item)
        except ParseError as e:
            if on_error == "raise":
                raise
            if errors is not None:
                errors.append(e.as_dict())
            continue
        yield item, rec


# ---------------------------------------------------------------------------------------------------- JSONL

def iter_jsonl(path: str | Path, required: Sequence[str] = ("id", "text"), *, on_error: OnError = "raise",
               errors: list | None = None, unique_ids: bool = True,
               check: Callable[[str, dict], None] | None = None) -> Iterator[dict]:
    """The objects of a JSONL file one at a time, with ``read_jsonl``'s checks and ``on_error`` policy.

    Lines are read as the caller asks for them, so one that stops early never reads (nor reports) the lines
    after. A skipped line goes to ``errors`` (when given) and is not warned about: ``read_jsonl`` warns once.
    The policy and the file are checked on the call, before anything is read.
    """
    check_on_error(on_error)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    return _iter_jsonl(path, tuple(required), on_error, errors, unique_ids, check)


def _iter_jsonl(path: Path, required: tuple[str, ...], on_error: str, errors: list | None, unique_ids: bool,
                check: Callable[[str, dict], None] | None) -> Iterator[dict]:
    seen: dict[str, tuple[str, str]] = {}
    inputs.record(path)  # a stage that read it is reused only while it is unchanged
    with path.open("rb") as fh:  # decoded line by line, so a non-UTF-8 line is an error naming file:line
        numbered = ((n, line) for n, line in enumerate(fh, start=1) if line.strip())
        for _, obj in parse_each(
                numbered, lambda nl: _parse_line(f"{path}:{nl[0]}", nl[1], required, seen, unique_ids, check),
                on_error, errors):
            yield obj


def read_jsonl(path: str | Path, required: Sequence[str] = ("id", "text"), *, on_error: OnError = "raise",
               errors: list | None = None, unique_ids: bool = True,
               check: Callable[[str, dict], None] | None = None) -> list[dict]:
    """The objects of a JSONL file, each checked for non-empty ``required`` fields; blank lines are allowed.

    ``id`` (when present) must be a string or integer and becomes a string ("007" must stay "007" in TREC
    files); with ``unique_ids`` a repeated id is an error, because downstream tables are keyed by it. A
    required ``text`` must be a string. ``check(where, obj)`` adds a caller's own rules for an object (before
    its id is read); it raises ``ParseError(where, field, message)``. Skipped lines are warned about once.
    """
    skipped: list[dict] = []
    rows = list(iter_jsonl(path, required, on_error=on_error, errors=skipped, unique_ids=unique_ids, check=check))
    if skipped:
        warnings.warn(f"{path}: skipped {len(skipped)} bad line(s); first: {skipped[0]}", stacklevel=2)
        if errors is not None:
            errors.extend(skipped)
    return rows


def _parse_line(where: str, line: bytes | str, required: tuple[str, ...], seen: dict[str, tuple[str, str]], unique_ids: bool,
                check: Callable[[str, dict], None] | None = None) -> dict:
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ParseError(where, "encoding", f"not UTF-8 (byte {line[e.start]:#04x} at column {e.start + 1}); "
                             "save the file as UTF-8") from None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise ParseError(where, "json", f"invalid JSON at column {e.colno}: {e.msg}") from None
    if not isinstance(obj, dict):
        raise ParseError(where, "json", f"expected an object, got {type(obj).__name__}")
    for key in required:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ParseError(where, key, "missing or empty")
        if key == "text" and not isinstance(value, str):
            raise ParseError(where, key, f"expected a string, got {type(value).__name__}")
    if check is not None:
        check(where, obj)
    if "id" in obj:
        if not isinstance(obj["id"], (str, int)) or isinstance(obj["id"], bool):
            raise ParseError(where, "id", f"expected a string or integer, got {type(obj['id']).__name__}")
        obj["id"] = str(obj["id"])
        if not obj["id"].strip():
            raise ParseError(where, "id", "empty")
        key = trec_id(obj["id"])  # "a b" and "a_b" are one id in TREC files
        if unique_ids and key in seen:
            first_id, first_at = seen[key]
            same = "duplicate id" if first_id == obj["id"] else f"id {obj['id']!r} is the same in TREC files as"
            raise ParseError(where, "id", f"{same} {first_id!r} (first at {first_at})")
        seen[key] = (obj["id"], where)
    return obj


def write_jsonl(records: Iterable[Any], path: str | Path) -> int:
    """Dicts or dataclass records one per line (UTF-8, Korean kept readable), written atomically; the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    redact = secrets.redactor()  # an echoed key never reaches the file (rejected.jsonl)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records:
            if dataclasses.is_dataclass(rec):
                rec = rec.to_row() if hasattr(rec, "to_row") else dataclasses.asdict(rec)
            fh.write(redact(json.dumps(rec, ensure_ascii=False, default=_json_default)) + "\n")
            n += 1
    tmp.replace(path)
    return n


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):  # numpy arrays and scalars from pandas/parquet rows
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


# ----------------------------------------------------------------------------------------------------- TREC
# TREC files are whitespace-separated, but Korean case numbers can hold spaces ("2014노3509, 2014노3721(병합)").
# Ids are written with "_" for each whitespace run, and the readers apply the same rule, so a qrels file
# written with raw spaces still matches our runs. JSONL files keep the original id.
_WS = re.compile(r"\s+")
_QRELS_LINE = re.compile(r"^(?P<q>.+?)\s+(?:0|Q0)\s+(?P<d>.+?)\s+(?P<r>-?\d+)$")
_RUN_LINE = re.compile(r"^(?P<q>.+?)\s+Q0\s+(?P<d>.+?)\s+(?P<rank>\d+)\s+(?P<s>\S+)\s+(?P<tag>\S+)$")


def trec_id(x: str) -> str:
    """An id as it appears in TREC files: whitespace runs become "_" (see the note above)."""
    return _WS.sub("_", str(x).strip())


def write_trec_run(run: Mapping[str, Sequence[tuple[str, float]]], path: str | Path, tag: str = "lexlab") -> Path:
    """TREC run lines ``qid Q0 docid rank score tag``; a query with no hit is simply absent (ranx scores it 0)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for qid, hits in run.items():
            for rank, (docid, score) in enumerate(hits, 1):
                f.write(f"{trec_id(qid)} Q0 {trec_id(docid)} {rank} {score:.6f} {tag}\n")
    return path


def write_trec_qrels(qrels: Mapping[str, Mapping[str, int]], path: str | Path) -> Path:
    """TREC qrels: ``qid 0 docid relevance`` per line, sorted (what trec_eval, ranx and pyserini read)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for qid in sorted(qrels):
            for did in sorted(qrels[qid]):
                fh.write(f"{trec_id(qid)} 0 {trec_id(did)} {int(qrels[qid][did])}\n")
    return path


def read_trec_run(path: str | Path) -> Run:
    """``{qid: [(docid, score), ...]}`` best first; a malformed line is a ParseError naming file:line."""
    run: Run = {}
    for where, line in _trec_lines(path):
        m = _RUN_LINE.match(line)
        if m is None:
            raise ParseError(where, "line", f"not a TREC run line (qid Q0 docid rank score tag): {line!r}")
        try:
            score = float(m["s"])
        except ValueError:
            raise ParseError(where, "score", f"not a number: {m['s']!r}") from None
        run.setdefault(trec_id(m["q"]), []).append((trec_id(m["d"]), score))
    for hits in run.values():
        hits.sort(key=lambda h: -h[1])
    return run


def read_trec_qrels(path: str | Path) -> Qrels:
    """``{qid: {docid: relevance}}``; a malformed line is a ParseError naming file:line."""
    qrels: Qrels = {}
    first: dict[tuple[str, str], str] = {}
    for where, line in _trec_lines(path):
        m = _QRELS_LINE.match(line)
        if m is None:
            raise ParseError(where, "line", f"not a TREC qrels line (qid 0 docid relevance): {line!r}")
        pair = (trec_id(m["q"]), trec_id(m["d"]))
        if pair in first:  # would silently overwrite the first judgement
            raise ParseError(where, "docid", f"duplicate judgement for query {pair[0]!r}, document {pair[1]!r} "
                             f"(first at {first[pair]})")
        first[pair] = where
        qrels.setdefault(pair[0], {})[pair[1]] = int(m["r"])
    return qrels


def _trec_lines(path: str | Path) -> Iterator[tuple[str, str]]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    inputs.record(path)
    with path.open("rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ParseError(f"{path}:{lineno}", "encoding", "not UTF-8; save the file as UTF-8") from None
            if line.strip():
                yield f"{path}:{lineno}", line.strip()


def write_answers(records: list[dict], path: str | Path) -> None:
    """A CLI's answers (``{"found", ...}`` records) to JSONL, and one summary line on stderr."""
    import sys

    write_jsonl(records, path)
    print(f"{len(records)} answers → {path} ({sum(bool(r.get('found')) for r in records)} found)", file=sys.stderr)
