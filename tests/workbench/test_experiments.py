"""The committed experiment files resolve (``include:`` and all) to the stage parameters they had before the
recipes moved into experiments/recipes/: same stages, notebooks and params at every grid point.

After a deliberate parameter change, rewrite the snapshot with ``python tests/workbench/test_experiments.py``.
"""
from __future__ import annotations

import json
import sys

import pytest

from testdata import FIXTURES, ROOT

SNAPSHOT = FIXTURES / "experiments" / "resolved.json"
EXPERIMENTS = ROOT / "experiments"


def resolved(name: str) -> dict:
    """Everything a run of the file would run with: experiment fields and, per grid point, each stage's effective
    params (every field of its config dataclass, defaults included), so trimming a YAML to what differs from the
    defaults cannot change what runs."""
    from lexlab.workbench import preflight, runner

    def effective(s, point):
        params = preflight.for_notebook(s.notebook, runner.stage_params(exp, s, point, "RUN"))
        return preflight.effective_params(s.notebook, params, s.name)

    exp = runner.load_experiment(EXPERIMENTS / name)
    return {"name": exp.name, "experiment": exp.experiment, "grid": exp.grid,
            "points": [{"point": point, "stages": [
                {"name": s.name, "notebook": s.notebook.relative_to(ROOT).as_posix(),
                 "params": effective(s, point)} for s in exp.stages]}
                for point in runner.grid_points(exp.grid)]}


def _snapshot() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(_snapshot()))
def test_experiment_resolves_to_its_snapshot(name):
    assert json.loads(json.dumps(resolved(name))) == _snapshot()[name]


def test_ablation_grids_take_the_recipe_from_one_place():
    for name in ("ablation_format.yaml", "ablation_cpt_mix.yaml", "ablation_it_mix.yaml"):
        text = (EXPERIMENTS / name).read_text(encoding="utf-8")
        assert "include: recipes/ablation_pipeline.yaml" in text and "learning_rate" not in text


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "lib"))
    SNAPSHOT.write_text(json.dumps({n: resolved(n) for n in _snapshot()}, indent=1, ensure_ascii=False,
                                   sort_keys=True), encoding="utf-8")
