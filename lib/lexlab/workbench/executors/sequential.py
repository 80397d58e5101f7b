"""Today's loop: the cells of a grid one after another, in this process."""
from __future__ import annotations

from typing import Any, Mapping


class Sequential:
    name = "sequential"

    def prepare(self, exp) -> None:
        return None

    def run_cells(self, batch, points: list[dict[str, Any]], overrides: Mapping[str, Any], base_name: str,
                  parent: str | None) -> None:
        from lexlab.workbench import runner

        for point in points:
            runner._run_point(batch, point, overrides, base_name, parent)

    def close(self) -> None:
        return None
