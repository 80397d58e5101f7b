"""The executed notebook's HTML: what MLflow's artifact viewer shows instead of the notebook's JSON."""
from __future__ import annotations

import nbformat

from lexlab.workbench import notebook_html


def test_html_beside_the_notebook_keeps_only_the_last_state_of_a_progress_bar(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("train()")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=f"\rsteps: {p}%") for p in (0, 50, 100)]
    nb.cells = [nbformat.v4.new_markdown_cell("# 사기죄 평가"), cell]
    path = tmp_path / "stage_1234.ipynb"
    nbformat.write(nb, path)
    html = notebook_html.render(path)
    text = html.read_text(encoding="utf-8")
    assert html == tmp_path / "stage_1234.html" and "사기죄 평가" in text
    assert "steps: 100%" in text and "steps: 50%" not in text


def test_a_broken_notebook_gives_none_not_an_error(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json", encoding="utf-8")
    assert notebook_html.render(path) is None
