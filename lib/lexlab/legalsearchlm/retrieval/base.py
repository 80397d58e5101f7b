"""Case retrieval behind one interface, so BM25, dense and generative (LegalSearchLM) runs are interchangeable.

Every retriever reads the same IR-standard inputs — a corpus and queries as JSONL records with at least ``id`` and
``text`` (`read_records`) — and answers ``{qid: [(docid, score), ...]}`` best first, which
``lexlab.workbench.io.write_trec_run`` turns into a TREC run that ranx scores. A query never retrieves itself,
nor any id listed in its optional ``exclude`` field (LEGAR keeps a case's own appeal chain out of its candidates
that way).

    from lexlab.legalsearchlm.retrieval import get_retriever, read_records
    r = get_retriever("bm25")
    r.index(read_records("corpus.jsonl"))
    run = r.search(read_records("queries.jsonl"), k=5)
"""
from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from lexlab.legalsearchlm.retrieval.inputs import FINGERPRINT, corpus_fingerprint, read_meta
from lexlab.workbench.inputs import sha256_file
from lexlab.workbench.io import OnError, ParseError, Run, read_jsonl

_REGISTRY: dict[str, type["Retriever"]] = {}


NO_PROGRESS_ENV = "LEXLAB_NO_PROGRESS"


def show_progress() -> bool:
    """Whether retrievers draw progress bars: off when ``LEXLAB_NO_PROGRESS=1`` (``lexlab retrieve --no-progress``
    sets it for the whole process, so bars inside indexing, decoding and training all go quiet)."""
    return os.environ.get(NO_PROGRESS_ENV) != "1"


def read_records(path: str | Path, on_error: OnError = "raise", errors: list | None = None,
                 check: Callable[[str, dict], None] | None = None) -> list[dict]:
    """Corpus or query records (``read_jsonl`` with ``id`` and ``text``, ``check`` for more rules); a file with none
    usable is an error."""
    records = read_jsonl(path, on_error=on_error, errors=errors, check=check)
    if not records:
        raise ParseError(str(path), "records", "no usable records")
    return records


def excluded_ids(query: Mapping) -> set[str]:
    """The ids a query must not retrieve: itself and whatever it lists under ``exclude``."""
    ex = {str(query["id"])}
    listed = query.get("exclude") or []
    if not isinstance(listed, (list, tuple, set)):  # a string would be read character by character
        raise ValueError(f"query {query['id']!r}: 'exclude' must be a list of ids, got {listed!r}")
    ex.update(str(x) for x in listed)
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
        self.corpus_sha256 = corpus_fingerprint(docs)  # saved with the index: another corpus is refused later
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
        (path / "doc_ids.json").write_text(json.dumps(self.doc_ids, ensure_ascii=False), encoding="utf-8")
        self._save(path)
        meta = {"method": self.name, "options": self.options, "n_docs": len(self.doc_ids),
                FINGERPRINT: getattr(self, "corpus_sha256", None), CHECKSUMS: index_checksums(path)}
        # written last: an index is complete once its retriever.json exists
        (path / "retriever.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
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
        meta = read_meta(path)  # a corrupt file is a ParseError naming it
        verify_checksums(path, meta.get(CHECKSUMS))
        klass = get_class(meta["method"])
        obj = klass(**meta.get("options", {}))
        try:
            obj.doc_ids = json.loads((path / "doc_ids.json").read_text(encoding="utf-8"))
            obj._load(path)
        except (OSError, ValueError, EOFError) as exc:  # a truncated array, a missing file: named, one line
            raise ParseError(str(path), "index", f"cannot load the saved index ({type(exc).__name__}: {exc}); "
                             "delete the directory to rebuild it") from None
        return obj

    def _load(self, path: Path) -> None:
        raise NotImplementedError


CHECKSUMS = "checksums"  # retriever.json: sha256 of every file of the saved index, checked on load


def index_checksums(path: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under a saved index but ``retriever.json``."""
    return {str(f.relative_to(path)): sha256_file(f) for f in sorted(path.rglob("*"))
            if f.is_file() and f.name != "retriever.json"}


def verify_checksums(path: Path, expected: Mapping[str, str] | None) -> None:
    """Every file ``retriever.json`` lists still has its checksum (an index saved before checksums: unchecked)."""
    for rel, digest in (expected or {}).items():
        f = path / rel
        if not f.is_file() or sha256_file(f) != digest:
            what = "is missing" if not f.is_file() else "does not match the checksum saved with the index"
            raise ParseError(str(f), "checksum", f"{what}: the index was altered or damaged; delete {path} to "
                             "rebuild it")



def register(name: str) -> Callable[[type[Retriever]], type[Retriever]]:
    def deco(cls: type[Retriever]) -> type[Retriever]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return deco


# The built-in methods and the module that registers each. Only the module of the method asked for is imported:
# BM25 stays free of torch/transformers, and dense and searchlm import them only when a model is used.
BUILTIN_MODULES: dict[str, str] = {
    "bm25": "lexlab.legalsearchlm.retrieval.bm25",
    "dense": "lexlab.legalsearchlm.retrieval.dense",
    "searchlm": "lexlab.legalsearchlm.searchlm.retriever",
    "hybrid": "lexlab.legalsearchlm.retrieval.hybrid",  # our addition: BM25 + LegalSearchLM fused
}


def _import_builtin(name: str) -> None:
    """Import the module that registers the built-in method ``name`` (nothing for any other name)."""
    if name in BUILTIN_MODULES:
        importlib.import_module(BUILTIN_MODULES[name])


def get_class(name: str) -> type[Retriever]:
    if name not in _REGISTRY:
        _import_builtin(name)
    if name not in _REGISTRY:
        raise KeyError(f"unknown retrieval method {name!r}; known: {available_methods()}")
    return _REGISTRY[name]


def get_retriever(name: str, **options) -> Retriever:
    return get_class(name)(**options)


def available_methods() -> list[str]:
    """The built-in methods and any registered since, without importing them."""
    return sorted(set(BUILTIN_MODULES) | set(_REGISTRY))


def saved_index(method: str, index_dir: str | Path | None) -> Retriever | None:
    """The ``method`` retriever saved in ``index_dir``, or None when nothing is saved there."""
    if not index_dir or not (Path(index_dir) / "retriever.json").exists():
        return None
    r = Retriever.load(index_dir)
    if r.name != method:
        raise ValueError(f"{index_dir} holds a {r.name!r} index, not {method!r}")
    return r


def build_index(method: str, index_dir: str | Path | None, corpus: Sequence[Mapping], **options) -> Retriever:
    """``method(**options)`` indexed on ``corpus``, and saved to ``index_dir`` when given."""
    r = get_retriever(method, **options).index(corpus)
    if index_dir:
        r.save(index_dir)
    return r


def load_or_index(method: str, index_dir: str | Path | None, corpus: Sequence[Mapping], **options) -> Retriever:
    """The index saved in ``index_dir`` if there is one, else ``method(**options)`` indexed on ``corpus`` and
    saved to ``index_dir`` (when given). A loaded index keeps the options it was saved with."""
    r = saved_index(method, index_dir)
    return r if r is not None else build_index(method, index_dir, corpus, **options)
