"""How ``lexlab run`` executes the cells of a grid (a cell: one grid point's chain of stages).

``sequential`` (the default) is the loop the runner always had: one cell after another in this process. ``ray``
submits each cell as a task to a Ray cluster (``lexlab run … --executor ray``), with the resources its stages ask
for, at most ``max_parallel`` at once. An executor has two steps the runner calls: ``prepare(exp)`` once the
experiment passed preflight and before any run exists (a refusal there leaves nothing behind), and
``run_cells(batch, points, overrides, base_name, parent)``, which appends every stage's result to
``batch.results``; ``close()`` frees what ``prepare`` took.
"""
from __future__ import annotations

from typing import Any

NAMES = ("sequential", "ray")


def make(name: str = "sequential", **options: Any):
    """The executor called ``name`` with its options (``address``, ``max_parallel``, ``retries`` for ray)."""
    if name == "sequential":
        from lexlab.workbench.executors.sequential import Sequential

        return Sequential()
    if name == "ray":
        from lexlab.workbench.executors.ray_executor import RayExecutor

        return RayExecutor(**options)
    raise ValueError(f"unknown executor {name!r}; choose one of {', '.join(NAMES)}")
