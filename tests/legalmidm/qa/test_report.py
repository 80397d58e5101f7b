"""Metrics, tables, the reject figure and item samples of a law-QA run."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from lexlab.legalmidm.qa import generate as law_qa, report

LAW = "가상시험법"


def _statutes(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame([{"law": LAW, "article": f"제{i}조", "article_no": str(i), "title": f"조문{i}",
                          "text": f"가상자산사업자는 제{i}호의 업무를 {i}일 이내에 처리하여야 한다.", "paragraphs": [],
                          "deleted": False, "law_kind": "법률", "source_path": "fixture"} for i in range(100, 100 + n)])


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("qa")
    return out, law_qa.run_stage(_statutes(), None, out, include_interpretations=False, progress=False)


def test_metrics_are_flat_floats_per_total_reason_and_source(run):
    _, stats = run
    m = report.metrics(stats)
    assert all(isinstance(v, float) for v in m.values())
    assert m["n_items"] == stats["n_items"] and m["n_accepted"] == stats["n_accepted"] > 0
    assert m["reason_ok"] == m["n_template_ok"] == stats["n_accepted"]
    assert sum(v for k, v in m.items() if k.startswith("reason_")) == stats["n_items"]


def test_tables_count_every_item_once(run):
    _, stats = run
    reasons = report.reason_table(stats)
    assert list(reasons.columns)[0] == "ok" and int(reasons.to_numpy().sum()) == stats["n_items"]
    kinds = report.kind_table(stats)
    assert list(kinds.index) == ["template"] and int(kinds.to_numpy().sum()) == stats["n_accepted"]
    assert report.reason_table({"by_source_reason": []}).empty


def test_sample_frame_clips_and_shows_verdicts(run):
    out, _ = run
    sample = report.sample_frame(out / "accepted.jsonl", 3)
    assert list(sample.columns) == ["source", "kind", "citation", "question", "answer", "verdict"]
    assert len(sample) == 3 and sample["question"].str.len().max() <= 160
    assert json.loads(sample["verdict"].iloc[0])["reason"] == "ok"


def test_reject_figure_with_and_without_rejects(run):
    _, stats = run
    assert report.plot_reject_reasons(stats).axes
    none = {**stats, "by_source_reason": [{"source": "template", "reason": "ok", "n": 3}], "n_rejected": 0}
    assert report.plot_reject_reasons(none).axes
