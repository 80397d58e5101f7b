"""Case retrieval behind one interface, so BM25, dense and generative (LegalSearchLM) runs are interchangeable.

Every retriever reads the same IR-standard inputs — a corpus and queries as JSONL records with at least ``id`` and
``text`` — and answers ``{qid: [(docid, score), ...]}`` best first, which `write_trec_run` turns into a TREC run
that ranx scores. A query never retrieves itself, nor any id listed in its optional ``exclude`` field (LEGAR keeps
a case's own appeal chain out of its candidates that way).

    from lexlab.legalsearchlm.retrieval import get_retriever, read_jsonl_records
    r = get_retriever("bm25")
    r.index(read_jsonl_records("corpus.jsonl"))
    run = r.search(read_jsonl_records("queries.jsonl"), k=5)
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

Run = dict[str, list[tuple[str, float]]]

_REGISTRY: dict[str, type["Retriever"]] = {}


class RecordError(ValueError):
    """A JSONL record the retrievers cannot use; the message names the file, line and field."""


def read_jsonl_records(
    path: str | Path, required: Sequence[str] = ("id", "text"), on_error: str = "raise"
) -> list[dict]:
    """Read ``{"id", "text", ...}`` records; a bad line raises (or is skipped and reported) naming file:line:field.

    Ids are kept as strings because TREC files are text and "007" must not become 7.
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    out, seen, skipped = [], set(), []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    raise RecordError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None
                if not isinstance(rec, dict):
                    raise RecordError(f"{path}:{lineno}: a record must be a JSON object")
                for field in required:
                    if field not in rec or rec[field] is None:
                        raise RecordError(f"{path}:{lineno}: field {field!r} is missing")
                if not isinstance(rec["text"], str) or not rec["text"].strip():
                    raise RecordError(f"{path}:{lineno}: field 'text' must be a non-empty string")
                rec["id"] = str(rec["id"])
                if rec["id"] in seen:
                    raise RecordError(f"{path}:{lineno}: field 'id' repeats {rec['id']!r}")
            except RecordError as e:
                if on_error == "raise":
                    raise
                skipped.append(str(e))
                continue
            seen.add(rec["id"])
            out.append(rec)
    if skipped:
        import warnings

        warnings.warn(f"{path}: skipped {len(skipped)} bad record(s); first: {skipped[0]}", stacklevel=2)
    if not out:
        raise RecordError(f"{path}: no usable records")
    return out


def excluded_ids(query: Mapping) -> set[str]:
    """The ids a query must not retrieve: itself and whatever it lists under ``exclude``."""
    ex = {str(query["id"])}
    ex.update(str(x) for x in query.get("exclude", []) or [])
    return ex


class Retriever:
    """Base class: ``index`` a corpus once, ``search`` many queries, ``save``/``load`` the index.

    Subclasses implement `_index`, `_search_one` (or `search`) and `_save`/`_load`; the base handles the
    self/appeal-chain exclusion, so no method can win by returning the query case itself.
    """

    name = "base"

    def __init__(self, **options):
        self.options = dict(options)
        self.doc_ids: list[str] = []

    # --- indexing -----------------------------------------------------------------------------------------
    def index(self, corpus: Iterable[Mapping]) -> "Retriever":
        docs = list(corpus)
        if not docs:
            raise ValueError("cannot index an empty corpus")
        self.doc_ids = [str(d["id"]) for d in docs]
        self._index([d["text"] for d in docs], docs)
        return self

    def _index(self, texts: list[str], records: list[Mapping]) -> None:
        raise NotImplementedError

    # --- searching ----------------------------------------------------------------------------------------
    def search(self, queries: Sequence[Mapping], k: int = 10) -> Run:
        """Top-``k`` documents per query, best first, never the query itself or its ``exclude`` ids."""
        if not self.doc_ids:
            raise RuntimeError(f"{self.name}: index a corpus (or load an index) before searching")
        queries = list(queries)
        extra = [len(excluded_ids(q)) for q in queries]
        raw = self._search([q["text"] for q in queries], [k + e for e in extra], queries)
        run: Run = {}
        for q, hits in zip(queries, raw):
            ex = excluded_ids(q)
            run[str(q["id"])] = [(d, float(s)) for d, s in hits if d not in ex][:k]
        return run

    def _search(self, texts: list[str], ks: list[int], queries: Sequence[Mapping]) -> list[list[tuple[str, float]]]:
        raise NotImplementedError

    # --- persistence --------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        meta = {"method": self.name, "options": self.options, "n_docs": len(self.doc_ids)}
        (path / "retriever.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        (path / "doc_ids.json").write_text(json.dumps(self.doc_ids, ensure_ascii=False), encoding="utf-8")
        self._save(path)
        return path

    def _save(self, path: Path) -> None:
        raise NotImplementedError

    @classmethod
    def load(cls, path: str | Path) -> "Retriever":
        """Load any saved retriever; the method is read from ``retriever.json``, so ``Retriever.load`` works too."""
        path = Path(path)
        meta_file = path / "retriever.json"
        if not meta_file.exists():
            raise FileNotFoundError(f"{path}: not a saved retriever index (retriever.json missing)")
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        klass = get_class(meta["method"])
        obj = klass(**meta.get("options", {}))
        obj.doc_ids = json.loads((path / "doc_ids.json").read_text(encoding="utf-8"))
        obj._load(path)
        return obj

    def _load(self, path: Path) -> None:
        raise NotImplementedError


def register(name: str) -> Callable[[type[Retriever]], type[Retriever]]:
    def deco(cls: type[Retriever]) -> type[Retriever]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def _import_builtin() -> None:
    # Imported lazily: the dense and generative retrievers pull in torch/transformers, BM25 does not.
    from lexlab.legalsearchlm.retrieval import bm25, dense  # noqa: F401
    from lexlab.legalsearchlm.searchlm import retriever  # noqa: F401


def get_class(name: str) -> type[Retriever]:
    if name not in _REGISTRY:
        _import_builtin()
    if name not in _REGISTRY:
        raise KeyError(f"unknown retrieval method {name!r}; known: {sorted(_REGISTRY)}")
    return _REGISTRY[name]


def get_retriever(name: str, **options) -> Retriever:
    return get_class(name)(**options)


def available_methods() -> list[str]:
    _import_builtin()
    return sorted(_REGISTRY)


# --- TREC runs -----------------------------------------------------------------------------------------------
# TREC files are whitespace-separated, but Korean case numbers can hold spaces ("2014노3509, 2014노3721(병합)").
# We write such ids with "_" for each whitespace run, and the readers below apply the same rule, so a qrels file
# written with raw spaces still matches our runs.
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


def read_trec_run(path: str | Path) -> Run:
    path = Path(path)
    run: Run = {}
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            m = _RUN_LINE.match(line.strip())
            if m is None:
                raise RecordError(f"{path}:{lineno}: not a TREC run line (qid Q0 docid rank score tag): {line.strip()!r}")
            try:
                score = float(m["s"])
            except ValueError:
                raise RecordError(f"{path}:{lineno}: field 'score' is not a number: {m['s']!r}") from None
            run.setdefault(trec_id(m["q"]), []).append((trec_id(m["d"]), score))
    for hits in run.values():
        hits.sort(key=lambda h: -h[1])
    return run


def read_trec_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    path = Path(path)
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            m = _QRELS_LINE.match(line.strip())
            if m is None:
                raise RecordError(f"{path}:{lineno}: not a TREC qrels line (qid 0 docid relevance): {line.strip()!r}")
            qrels.setdefault(trec_id(m["q"]), {})[trec_id(m["d"])] = int(m["r"])
    return qrels
