"""Committed notebooks are what their percent-format sources say, and each has one papermill parameters cell."""
from __future__ import annotations

from testdata import ROOT
import importlib.util

import nbformat
import pytest

SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _py2nb():
    spec = importlib.util.spec_from_file_location("py2nb", ROOT / "tools" / "py2nb.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_has_a_source_and_back():
    assert [p.stem for p in SOURCES] == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_notebook_matches_its_source(src):
    built = _py2nb().convert(src.read_text(encoding="utf-8"))
    committed = nbformat.read(ROOT / "notebooks" / f"{src.stem}.ipynb", as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in built.cells], (
        f"notebooks/{src.stem}.ipynb is stale: run python tools/py2nb.py {src.relative_to(ROOT)} "
        f"notebooks/{src.stem}.ipynb")


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_and_no_saved_outputs(nb):
    cells = nbformat.read(nb, as_version=4).cells
    assert sum("parameters" in c.metadata.get("tags", []) for c in cells) == 1
    assert all(not c.get("outputs") for c in cells if c.cell_type == "code")
