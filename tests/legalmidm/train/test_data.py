"""What CPT and IT read: stage 02's QA items (with the file, line and field of a bad one) and where they live, and
that a legal-only stage (cpt_mix / it_mix = "legal") reads and mixes what ``general_fraction=0.0`` did."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from lexlab.legalmidm import train
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


# --------------------------------------------------------------------- legal-only stages read what 0.0 read

def _snapshot():
    """The tables CPT/IT read (statutes, interpretations, general), every split represented."""
    statutes = pd.DataFrame([{"law": "형법", "article": f"제{n}조", "article_no": str(n), "title": f"조문{n}",
                              "text": f"제{n}조 누구든지 {n}번째 행위를 하여서는 아니 된다.", "deleted": False}
                             for n in range(1, 40)])
    interpretations = pd.DataFrame([{"doc_id": f"법령해석_{i}", "title": "질의", "question": f"질의 {i}",
                                     "answer": "회답입니다.", "reason": "이유입니다."} for i in range(20)])
    general = pd.DataFrame([{"doc_id": f"press_{i}", "title": f"보도자료 {i}", "source": "fsc_press",
                             "text": f"금융위원회는 {i}일 소비자 보호 방안을 발표하였다. 제도를 개선한다. 의견을 듣는다. " * 3}
                            for i in range(30)])
    return SimpleNamespace(statutes=statutes, interpretations=interpretations, general=general)


@pytest.fixture
def fake_snapshot(monkeypatch):
    snap, asked = _snapshot(), []
    monkeypatch.setattr(data, "load_snapshot", lambda name: asked.append(name) or snap)
    return asked


def test_legal_only_cpt_reads_what_general_fraction_zero_read(fake_snapshot):
    """The notebooks used to pass general_fraction=0.0 for cpt_mix=legal; the config's mix must give the same
    documents (general text included: it trains the tokenizer of every variant) and the same mix."""
    from lexlab.legalmidm.train.cpt import _mixed_blocks

    common = dict(legal_tables=["statutes", "interpretations"], max_legal_docs=0, max_general_docs=0)
    legal_only = train.CPTConfig(cpt_mix="legal", general_fraction=0.2, **common)
    zero = train.CPTConfig(general_fraction=0.0, **common)
    legal, general = data.cpt_corpus(legal_only)
    assert (legal, general) == data.cpt_corpus(zero) and legal and general
    assert fake_snapshot == ["latest", "latest"]
    blocks = [[i] * 4 for i in range(30)]
    got, ratio = _mixed_blocks(legal_only, blocks, blocks[:10])
    want, want_ratio = _mixed_blocks(zero, blocks, blocks[:10])
    assert got.to_list() == want.to_list() and ratio == want_ratio and ratio["general_fraction"] == 0.0


def test_legal_only_cpt_on_users_files_reads_no_general_text(tmp_path, fake_snapshot):
    corpus = tmp_path / "legal.jsonl"
    corpus.write_text('{"id": "a", "text": "형법 제1조"}\n', encoding="utf-8")
    files = dict(legal_jsonl=str(corpus), general_jsonl=str(tmp_path / "absent.jsonl"))
    assert data.cpt_corpus(train.CPTConfig(cpt_mix="legal", **files)) == ([{"id": "a", "text": "형법 제1조",
                                                                           "source": "jsonl:legal.jsonl"}], [])
    assert data.cpt_corpus(train.CPTConfig(general_fraction=0.0, **files)) == data.cpt_corpus(
        train.CPTConfig(cpt_mix="legal", **files))
    assert fake_snapshot == []


def test_legal_only_it_reads_what_general_fraction_zero_read(tmp_path, fake_snapshot):
    qa = tmp_path / "qa.jsonl"
    qa.write_text('{"id": "a1", "question": "q", "answer": "a"}\n', encoding="utf-8")
    legal_only = train.ITConfig(qa_dir=str(qa), it_mix="legal", general_fraction=0.2)
    zero = train.ITConfig(qa_dir=str(qa), general_fraction=0.0)
    assert data.it_items(legal_only) == data.it_items(zero) == ([{"id": "a1", "question": "q", "answer": "a",
                                                                  "reference": "", "source": "qa"}], [])
    assert fake_snapshot == []
    mixed_legal, mixed_general = data.it_items(train.ITConfig(qa_dir=str(qa), general_fraction=0.2))
    assert mixed_general and fake_snapshot == ["latest"]


def test_cpt_at_its_defaults_on_a_snapshot_without_general_text_says_so(tmp_path, monkeypatch):
    """Stage 03 at its defaults on a snapshot without general text crashed with an IndexError (the tokenizer on
    an empty batch); now one line saying what is missing and what to do."""
    snap = _snapshot()
    snap.general = snap.general.iloc[0:0]
    monkeypatch.setattr(data, "load_snapshot", lambda name: snap)
    legal = tmp_path / "legal.jsonl"
    legal.write_text('{"id": "a", "text": "형법 제1조 누구든지 이 법을 지켜야 한다."}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="there is none .*cpt_mix=legal"):
        train.run_cpt(train.CPTConfig(report_to="none", max_steps=1, legal_jsonl=str(legal)))


def test_packing_nothing_gives_no_blocks():
    from lexlab.models import hf

    assert data.pack([], hf.cached_tokenizer(["가나다 라마바"] * 20, 120), 8) == []
