"""The snapshot as an MLflow dataset input of every run that reads it, so MLflow's lineage (the run page's
"Datasets used", the runs table's Dataset column) shows which data a stage saw."""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Mapping

log = logging.getLogger(__name__)


def snapshot_digest(manifest: Mapping[str, Any]) -> str:
    """A short digest of the snapshot's table hashes (the manifest's ``hashes``), or of the whole manifest."""
    basis = manifest.get("hashes") or manifest
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()[:16]


def log_snapshot_input(path: Path, manifest: Mapping[str, Any], tables: tuple[str, ...]) -> bool:
    """``mlflow.log_input`` the snapshot into the active run (no-op without one); True when logged."""
    import mlflow

    if mlflow.active_run() is None:
        return False
    from mlflow.data.dataset_source_registry import resolve_dataset_source
    from mlflow.data.meta_dataset import MetaDataset

    name = str(manifest.get("version") or Path(path).name)
    try:
        dataset = MetaDataset(source=resolve_dataset_source(str(Path(path).resolve())), name=f"snapshot {name}",
                              digest=snapshot_digest(manifest))
        mlflow.log_input(dataset, context="snapshot", tags={"tables": ",".join(tables)})
    except Exception as exc:  # lineage is a convenience: never fail the stage for it
        log.warning("could not log snapshot %s as an MLflow input: %s", name, exc)
        return False
    return True
