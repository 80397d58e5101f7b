"""What CPT and IT read: stage 02's QA items (with the file, line and field of a bad one) and where they live."""
from __future__ import annotations

import json

import pytest

from lexlab.legalmidm.train import data
from lexlab.workbench import paths


def test_load_qa_reads_stage_02_output_and_names_bad_lines(tmp_path):
    qa = tmp_path / "qa_run"
    qa.mkdir()
    good = {"id": "a1", "question": "사기죄의 법정형은?", "answer": "10년 이하의 징역", "law": "형법",
            "article": "제347조", "reference": "형법 제347조 ...", "source": "template"}
    (qa / "accepted.jsonl").write_text(
        json.dumps(good, ensure_ascii=False) + "\n" + json.dumps({"id": "a2", "question": "q"}) + "\n{oops\n",
        encoding="utf-8")
    with pytest.raises(ValueError, match=r"accepted.jsonl:2: field 'answer'"):
        data.load_qa(qa)
    skipped: list[dict] = []
    items = data.load_qa(qa, on_error="skip", errors=skipped)
    assert items == [{"id": "a1", "question": good["question"], "answer": good["answer"],
                      "reference": good["reference"], "source": "template"}]
    assert [s["path"].rsplit(":", 1)[1] for s in skipped] == ["2", "3"] and "invalid JSON" in skipped[1]["error"]
    assert [s["field"] for s in skipped] == ["answer", "json"]
    with pytest.raises(FileNotFoundError, match="nothing_here"):
        data.load_qa(tmp_path / "nothing_here")


def test_resolve_qa_takes_a_file_a_directory_or_a_run_name(tmp_path):
    run = paths.work_dir("qa") / "t_resolve"
    run.mkdir(parents=True, exist_ok=True)
    (run / data.QA_FILE).write_text('{"id": "a", "question": "q", "answer": "a"}\n', encoding="utf-8")
    assert data.resolve_qa("t_resolve") == run
    assert data.resolve_qa(str(run)) == run
    assert data.resolve_qa(str(run / data.QA_FILE)) == run / data.QA_FILE
    with pytest.raises(FileNotFoundError, match="run stage 02"):
        data.resolve_qa(str(tmp_path / "nothing"))
