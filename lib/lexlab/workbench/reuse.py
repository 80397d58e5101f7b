"""Reusing finished stages: a stage whose notebook, parameters and inputs have not changed is not run again.

Each stage run carries a content key (tag ``lexlab.stage_key``): a hash of the notebook's code cells, the
resolved parameters (with the content digest of each file a parameter names) and the run ids of the stages before
it in the same pipeline (their *original* ids when they were reused themselves, so an unchanged chain keeps its
keys). The snapshot a run read is recorded as its MLflow dataset input (``lexlab.data.lineage``), and every file it
read through the project's readers as a ``file`` input (``lexlab.workbench.inputs``); a finished run with the same
key is reused only if the snapshot it read is still the latest one and every file it read is unchanged. Reuse is a
link, not a copy: a new FINISHED run in the new tree, tagged ``lexlab.reused_from`` with the original's id, and its
description says so. ``lexlab run --rerun`` runs anyway.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from lexlab.workbench import inputs

KEY_TAG = "lexlab.stage_key"
REUSED_TAG = "lexlab.reused_from"


def notebook_digest(notebook: Path) -> str:
    """Hash of the notebook's code cells (sources only: outputs, ids and metadata do not count)."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    code = ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
    return hashlib.sha256(json.dumps(code).encode()).hexdigest()


def stage_key(notebook: Path, params: Mapping[str, Any], upstream: Sequence[str]) -> str:
    """The content key of one stage run (see the module docstring); a parameter naming a file adds the file's
    content digest (``extra_jsonl=FILE`` grown from 5 to 50 rows used to be reused with 5)."""
    basis = {"notebook": notebook_digest(notebook), "params": dict(params), "upstream": list(upstream)}
    files = {k: inputs.fingerprint(_as_path(v)) for k, v in params.items() if _as_path(v) is not None}
    if files:
        basis["files"] = files
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _as_path(value: Any) -> Path | None:
    """An existing file a parameter names (absolute, or relative to the repository), else None."""
    from lexlab.workbench import paths

    if not isinstance(value, str) or not value or len(value) > 4096 or "\n" in value:
        return None
    for path in (Path(value), paths.REPO / value):
        try:
            if path.is_file():
                return path
        except OSError:
            return None
    return None


def current_snapshot_digest() -> str | None:
    """The digest ``lineage`` logs for the latest snapshot; None before the first one."""
    from lexlab.data import lineage
    from lexlab.workbench import paths

    try:
        manifest = json.loads((paths.snapshot_dir("latest") / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return lineage.snapshot_digest(manifest)


def _inputs_still_current(run, snapshot: str | None) -> bool:
    """The snapshot the run read is the latest, and every file it read (``inputs``) is unchanged."""
    digests = {i.dataset.digest for i in run.inputs.dataset_inputs
               if any(t.key == "mlflow.data.context" and t.value == "snapshot" for t in i.tags)}
    return (not digests or digests == {snapshot}) and not inputs.changed(run)


def find_reusable(client, exp_id: str, key: str):
    """The original FINISHED run with this key whose inputs are still current, or None."""
    runs = client.search_runs([exp_id], filter_string=f"tags.`{KEY_TAG}` = '{key}' and attributes.status = 'FINISHED'",
                              order_by=["attributes.start_time DESC"], max_results=20)
    snapshot = current_snapshot_digest()
    for run in runs:
        original = run.data.tags.get(REUSED_TAG)
        if original:
            run = client.get_run(original)
            if run.info.status != "FINISHED":
                continue
        if _inputs_still_current(run, snapshot):
            return run
    return None


def link_description(original) -> str:
    return (f"Reused: finished run `{original.info.run_id}` ({original.info.run_name}) had the same notebook, "
            "parameters and inputs, so this stage was not run again (`lexlab run --rerun` forces it). "
            "Its metrics and artifacts are on that run.")
