"""Fault: a stage's input changes between two runs with the same parameters. Stage 01 with ``extra_jsonl=FILE`` was
"reused" after the file grew from 5 to 50 rows (the snapshot kept 5); stage 10 on benchmark ``rb`` was reused with
old results after ``rb`` was rebuilt with more queries. The reuse key covers the content of a file a parameter
names, and a run is reused only while every file it read is unchanged."""
from __future__ import annotations

import json

import mlflow
import pytest
import yaml

from lexlab.workbench import runner
from testdata import FIXTURES

pytestmark = pytest.mark.slow

NB = FIXTURES / "notebooks" / "read_rows.ipynb"


def _write_rows(path, n: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": str(i), "text": f"행 {i}"}) + "\n" for i in range(n)), encoding="utf-8")


def _run(tmp_path, **params):
    exp = tmp_path / "rows.yaml"
    exp.write_text(yaml.safe_dump({"name": "rows", "experiment": "faults-inputs",
                                   "stages": [{"name": "rows", "notebook": str(NB), "params": params}]}))
    result = runner.run_experiment(exp, progress=False)
    assert result.ok, result.stages[0].error
    stage = result.stages[0]
    return stage.reused_from, mlflow.get_run(stage.reused_from or stage.run_id).data.metrics["n_rows"]


def test_a_file_named_by_a_parameter_that_grew_is_read_again(tmp_path):
    extra = tmp_path / "extra.jsonl"
    _write_rows(extra, 5)
    first, n = _run(tmp_path, path=str(extra))
    assert first is None and n == 5
    assert _run(tmp_path, path=str(extra))[0] is not None  # unchanged: reused
    _write_rows(extra, 50)
    reused, n = _run(tmp_path, path=str(extra))
    assert reused is None and n == 50


def test_an_upstream_output_named_by_a_name_that_was_rebuilt_is_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path / "work"))
    queries = tmp_path / "work" / "bench" / "rb" / "queries.jsonl"
    _write_rows(queries, 20)
    assert _run(tmp_path, bench="rb") == (None, 20)
    assert _run(tmp_path, bench="rb")[0] is not None
    _write_rows(queries, 40)  # the benchmark rebuilt: same name, other content
    assert _run(tmp_path, bench="rb") == (None, 40)
