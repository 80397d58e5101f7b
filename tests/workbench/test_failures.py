"""A failing stage says its cause: the exception's type and message on the terminal and first in the tag, with
the traceback's end (not its beginning) and the kept notebook's path."""
from __future__ import annotations

import mlflow
import yaml

from lexlab import cli
from testdata import FIXTURES

NB = FIXTURES / "notebooks"


def test_cli_prints_the_notebooks_exception_and_the_notebook_path(tmp_path, capsys):
    exp = tmp_path / "exp.yaml"
    exp.write_text(yaml.safe_dump({"name": "deep", "experiment": "test-failures",
                                   "stages": [{"name": "deep", "notebook": str(NB / "deep_fail.ipynb")}]}))
    assert cli.main(["run", str(exp), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "ValueError: bottom reached: the cause the user needs to see" in err
    run = mlflow.search_runs(experiment_names=["test-failures"], output_format="list")[0]
    tag = run.data.tags["lexlab.error"]
    assert len(tag) <= 4000
    assert tag.splitlines()[0].startswith("ValueError: bottom reached: the cause the user needs to see")
    notebook = tag.splitlines()[-1].removeprefix("executed notebook: ")
    assert notebook.endswith(".ipynb") and f"notebook: {notebook}" in err
    assert "descend(n - 1)" in tag  # the traceback's last frames


def test_for_tag_keeps_the_first_line_and_the_end():
    from lexlab.workbench import failures

    error = "KeyError: 'n'\n" + "\n".join(f"frame {i}" for i in range(2000)) + "\nthe last line"
    tag = failures.for_tag(error, limit=300)
    assert len(tag) <= 300 and tag.startswith("KeyError: 'n'\n...") and tag.endswith("the last line")
