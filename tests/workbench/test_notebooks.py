"""Committed notebooks are what their paired percent-format sources say (jupytext), and each has one papermill
parameters cell and no saved outputs."""
from __future__ import annotations

import jupytext
import nbformat
import pytest

from testdata import ROOT

SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_every_notebook_has_a_source_and_back():
    assert [p.stem for p in SOURCES] == [p.stem for p in NOTEBOOKS]


def test_notebooks_are_paired_with_their_sources():
    config = (ROOT / "notebooks" / "jupytext.toml").read_text(encoding="utf-8")
    assert 'formats = "ipynb,src//py:percent"' in config


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_notebook_matches_its_source(src):
    built = jupytext.read(src)
    committed = nbformat.read(ROOT / "notebooks" / f"{src.stem}.ipynb", as_version=4)
    stale = f"notebooks/{src.stem}.ipynb is stale: run jupytext --sync {src.relative_to(ROOT)}"
    assert [c.cell_type for c in committed.cells] == [c.cell_type for c in built.cells], stale
    assert [c.source for c in committed.cells] == [c.source for c in built.cells], stale
    assert [c.metadata.get("tags", []) for c in committed.cells] == [c.metadata.get("tags", []) for c in built.cells], stale


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_and_no_saved_outputs(nb):
    cells = nbformat.read(nb, as_version=4).cells
    assert sum("parameters" in c.metadata.get("tags", []) for c in cells) == 1
    assert all(not c.get("outputs") for c in cells if c.cell_type == "code")
