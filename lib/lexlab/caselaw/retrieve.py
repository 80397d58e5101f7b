"""Retrieval over decisions through the case-retrieval registry (``lexlab.legalsearchlm.retrieval``: the one
cross-import this subpackage makes). BM25 by default; ``lancedb`` (this package's vector store), ``dense``,
``searchlm`` and ``hybrid`` by name. The no-future-citation rule reaches every method as the query's ``exclude``
list (`CaseLaw.query`), which the registry's base class enforces for all of them."""
from __future__ import annotations

from pathlib import Path

from lexlab.caselaw import vectorstore  # noqa: F401  (registers "lancedb")
from lexlab.caselaw.corpus import CaseLaw
from lexlab.legalsearchlm.retrieval import Retriever, load_or_index
from lexlab.workbench import paths


def index_dir(method: str, snapshot_version: str) -> Path:
    """Where the index of ``method`` over one snapshot's decisions is kept (built once, reused)."""
    return paths.work_dir("caselaw", "index", f"{snapshot_version}-{method}")


def case_retriever(method: str, caselaw: CaseLaw, snapshot_version: str | None = None, **options) -> Retriever:
    """The ``method`` retriever indexed on every decision (saved under work/caselaw/index/ when a snapshot
    version names it, so the next question reuses it)."""
    where = index_dir(method, snapshot_version) if snapshot_version else None
    return load_or_index(method, where, caselaw.corpus(), **options)

