"""What a run is called and says about itself in MLflow's UI: names by what differs, descriptions, source tags.

The runs table shows a name in a narrow column, so a name carries only what tells a row from its siblings: the
stage (``cpt_mixed``, ``evaluate``), a grid point's values (``ref_in_input seed 1``), a stage inside a grid point
as its stage alone — the parent rows already say the rest. Names are unique within a parent (``UniqueNames``).
The description (``mlflow.note.content``, shown on the run page) says what the stage did: the notebook's title
and the parameters set for it. MLflow's own ``mlflow.source.*`` tags fill its "Source" column.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Mapping, Sequence

from lexlab.workbench import paths

NOTE = "mlflow.note.content"
_MAX_NOTE = 5000


def _label(key: str, value: Any) -> str:
    name = key.split(".")[-1]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{name} {value}"  # a bare number says nothing: "seed 1", "max_steps 200"
    return str(value)


def point_label(point: Mapping[str, Any]) -> str:
    """A grid point by its values: ``{"it.format": "ref_in_input", "seed": 1}`` → ``ref_in_input seed 1``."""
    return " ".join(_label(k, v) for k, v in point.items())


def stage_run_name(stage: str, point: Mapping[str, Any], n_stages: int) -> str:
    """A stage's run: its stage name; in a one-stage grid (siblings differ by the point) stage + point."""
    return f"{stage} {point_label(point)}" if point and n_stages == 1 else stage


class UniqueNames:
    """Hands out names unique within each parent: a repeat becomes ``name (2)``, ``name (3)``…"""

    def __init__(self) -> None:
        self._seen: dict[str | None, dict[str, int]] = defaultdict(dict)

    def __call__(self, parent: str | None, name: str) -> str:
        seen = self._seen[parent]
        count = seen.get(name, 0) + 1
        seen[name] = count
        return name if count == 1 else f"{name} ({count})"


def notebook_title(notebook: Path) -> str:
    """The first heading of the notebook's first Markdown cell ("03 · Continual pretraining …"), or its stem."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return Path(notebook).stem
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            text = "".join(cell.get("source", ""))
            for line in text.splitlines():
                if line.strip():
                    return line.lstrip("#").strip()
    return Path(notebook).stem


def differing_params(params: Mapping[str, Any], siblings: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The params whose value is not the same in every sibling (stages of the same notebook); all when alone."""
    if not siblings:
        return dict(params)
    return {k: v for k, v in params.items() if any(s.get(k) != v for s in siblings)}


def _fmt(params: Mapping[str, Any]) -> str:
    return ", ".join(f"`{k}={v}`" for k, v in params.items()) or "(defaults)"


def stage_description(stage: str, notebook: Path, params: Mapping[str, Any],
                      siblings: Sequence[Mapping[str, Any]] = (), point: Mapping[str, Any] | None = None) -> str:
    """Markdown for the run page: what ran, and what was set for this stage (what differs from its siblings)."""
    rel = _rel(notebook)
    lines = [f"**{notebook_title(notebook)}** — stage `{stage}`, notebook `{rel}`.", ""]
    if point:
        lines.append(f"Grid point: {_fmt(point)}.")
    own = {k: v for k, v in differing_params(params, siblings).items() if k != "run_name" and k not in (point or {})}
    lines.append(("Differs from the other stages of this notebook: " if siblings else "Parameters: ") + _fmt(own))
    return "\n".join(lines)[:_MAX_NOTE]


def parent_description(source: Path | None, stage_names: Sequence[str], grid: Mapping[str, Sequence[Any]]) -> str:
    what = f"`lexlab run {_rel(source)}`" if source else "`lexlab run`"
    lines = [f"{what}: {len(stage_names)} stage(s): {', '.join(stage_names)}."]
    if grid:
        lines.append("Grid: " + "; ".join(f"`{k}` ∈ {list(v)}" for k, v in grid.items()) + ".")
    return "\n".join(lines)[:_MAX_NOTE]


def source_tags(source: Path | None, commit: str, kind: str = "LOCAL") -> dict[str, str]:
    """MLflow's own source tags (its runs table and run page read these, not ours)."""
    tags = {"mlflow.source.type": kind}
    if source is not None:
        tags["mlflow.source.name"] = _rel(source)
    if commit and commit != "unknown":
        tags["mlflow.source.git.commit"] = commit.removesuffix("-dirty")
    return tags


def _rel(path: Path | str | None) -> str:
    path = Path(path or "")
    try:
        return str(path.resolve().relative_to(paths.REPO))
    except ValueError:
        return str(path)
