"""Where things live on disk.

Every stage reads and writes under one work directory so that a notebook kernel started from any folder, a CI
run and a papermill batch job all agree. Set ``LEXLAB_WORK`` to move it (e.g. onto a scratch disk).
"""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
WORK = Path(os.environ.get("LEXLAB_WORK", REPO / "work")).resolve()
MLRUNS = Path(os.environ.get("LEXLAB_MLRUNS", REPO / "mlruns")).resolve()
NOTEBOOKS = REPO / "notebooks"
EXPERIMENTS = REPO / "experiments"


def work_dir(*parts: str) -> Path:
    """A sub-directory of the work dir, created on first use. A part that would lead outside the work dir
    (``../x``, an absolute path: a ``run_name`` or ``model_name`` is one of the parts) is a ``ValueError``."""
    root = Path(os.environ.get("LEXLAB_WORK", WORK))
    path = root.joinpath(*parts)
    if not path.resolve().is_relative_to(root.resolve()):
        raise ValueError(f"{'/'.join(map(str, parts))!r} leads outside the work directory {root}; "
                         "names of runs, models and benchmarks must be plain names")
    path.mkdir(parents=True, exist_ok=True)
    return path


def snapshot_dir(name: str = "latest", root: str | Path | None = None) -> Path:
    """Resolve a snapshot name under ``root`` (default ``<work>/snapshot``); "latest" follows the LATEST pointer
    file written by stage 01. The one place LATEST is read."""
    root = work_dir("snapshot") if root is None else Path(root)
    if name == "latest":
        pointer = root / "LATEST"
        if not pointer.exists():
            raise FileNotFoundError(
                f"no snapshot yet: {pointer} is missing. Build one first: "
                "`lexlab run experiments/01_prepare_corpus.yaml`"
            )
        name = pointer.read_text(encoding="utf-8").strip()
    path = Path(name)
    return path if path.is_absolute() else root / name
