"""The files a stage reads, as MLflow dataset inputs (context ``file``) with a digest of their content, so a finished
run is reused only while every file it read is unchanged (``reuse.find_reusable``).

Stage 10 on benchmark ``rb`` was reused with old results after ``rb`` was rebuilt with 40 queries instead of 20:
its parameters named the benchmark, not its content. The readers every stage uses (``io.iter_jsonl``, the TREC
readers) call ``record``; inside a stage run (under ``lexlab run``) each file read is logged once per run, its
digest taken when it was opened. Outside a stage nothing is logged.
"""
from __future__ import annotations

import hashlib
import os
import sys
import warnings
from pathlib import Path

CONTEXT = "file"
_PENDING: dict[str, str] = {}          # path → digest, read before the stage run was active
_LOGGED: set[tuple[str, str]] = set()  # (run id, path) already logged


def sha256_file(path: str | Path) -> str:
    """sha256 (hex) of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fingerprint(path: str | Path) -> str | None:
    """``sha256_file`` cut to 16 hex digits; None when ``path`` is not a readable file."""
    try:
        return sha256_file(path)[:16]
    except OSError:
        return None


def _in_stage() -> bool:
    return bool(os.environ.get("MLFLOW_RUN_ID") or os.environ.get("LEXLAB_STAGE_RUN_ID"))


def record(path: str | Path) -> None:
    """Note that the running stage read ``path`` (a no-op outside a stage run)."""
    if not _in_stage():
        return
    resolved = str(Path(path).resolve())
    digest = fingerprint(resolved)
    if digest is not None:
        _PENDING[resolved] = digest
        flush()


def flush() -> None:
    """Log the files noted so far into the active run (``tracking.stage_run`` calls it once the run is active)."""
    mlflow = sys.modules.get("mlflow")
    run = mlflow.active_run() if mlflow is not None else None
    if run is None or not _PENDING:
        return
    from mlflow.data.dataset_source_registry import resolve_dataset_source
    from mlflow.data.meta_dataset import MetaDataset

    for path, digest in list(_PENDING.items()):
        if (run.info.run_id, path) in _LOGGED:
            continue
        with warnings.catch_warnings():  # "can be interpreted in multiple ways": it is a local file
            warnings.simplefilter("ignore", UserWarning)
            source = resolve_dataset_source(path)
        mlflow.log_input(MetaDataset(source=source, name=Path(path).name, digest=digest), context=CONTEXT)
        _LOGGED.add((run.info.run_id, path))
    _PENDING.clear()


def changed(run) -> list[str]:
    """The files ``run`` recorded reading whose content is no longer what it read (or that are gone)."""
    import json

    out = []
    for item in run.inputs.dataset_inputs:
        if not any(t.key == "mlflow.data.context" and t.value == CONTEXT for t in item.tags):
            continue
        try:
            path = json.loads(item.dataset.source).get("uri")
        except (TypeError, ValueError, AttributeError):
            continue
        if path and fingerprint(path) != item.dataset.digest:
            out.append(path)
    return out
