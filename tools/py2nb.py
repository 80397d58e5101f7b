"""Turn a percent-format script (``# %%`` cells) into a notebook papermill can run.

    python tools/py2nb.py SRC.py notebooks/NN_name.ipynb

``# %% tags=["parameters"]`` marks the parameters cell; ``# %% [markdown]`` starts a markdown cell whose lines
are written as ``# text``. We author notebooks this way so they diff and review like code; the .ipynb is what
is committed and what the runner executes.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat

_HEADER = re.compile(r"^# %%(?P<md>\s*\[markdown\])?(?:\s+tags=(?P<tags>\[.*\]))?\s*$")


def convert(src: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (lexlab)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    cells: list[tuple[bool, list[str], list[str]]] = []
    for line in src.splitlines():
        match = _HEADER.match(line)
        if match:
            cells.append((bool(match.group("md")), json.loads(match.group("tags") or "[]"), []))
        elif cells:
            cells[-1][2].append(line)
    for is_md, tags, lines in cells:
        while lines and not lines[-1].strip():
            lines.pop()
        if is_md:
            text = "\n".join(re.sub(r"^# ?", "", ln) for ln in lines)
            cell = nbformat.v4.new_markdown_cell(text)
        else:
            cell = nbformat.v4.new_code_cell("\n".join(lines))
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    nb = convert(Path(argv[0]).read_text(encoding="utf-8"))
    nbformat.validate(nb)
    Path(argv[1]).write_text(nbformat.writes(nb), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
