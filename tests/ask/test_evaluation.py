"""Evaluation questions and scores: held-out law families are unanswerable, metrics are means over the right rows."""
from __future__ import annotations

import pandas as pd
import pytest

from lexlab.ask.answer import AskConfig
from lexlab.ask.calibration import eval_setup
from lexlab.ask.evaluation import by_kind, evaluate, summarize
from lexlab.ask.generators import get_generator
from lexlab.ask.questions import OUT_OF_SCOPE, build_questions, family, heldout_families
from lexlab.ask.retrieve import RetrieverConfig
from lexlab.ask.statute_index import from_rows


def _law(name: str, n: int) -> list[dict]:
    rows = []
    for i in range(1, n + 1):
        rows.append({"law": name, "article": f"제{i}조", "article_no": str(i), "title": f"{name} 고유 규정 {i}번 사항",
                     "text": f"① {name}의 {i}번 조항을 위반하여 물건을 판 자는 {i}년 이하의 징역에 처한다."})
    return rows


def test_families_keep_a_law_with_its_decrees():
    assert family("도로교통법 시행령") == family("도로교통법 시행규칙") == "도로교통법"
    held = heldout_families([f"법{i}" for i in range(200)], 0.1)
    assert 5 < len(held) < 40 and set(held.values()) <= {"dev", "test"}


def test_questions_of_held_out_laws_are_unanswerable_and_their_laws_leave_the_index():
    laws = [f"시험{i}법" for i in range(40)]
    idx = from_rows([r for law in laws for r in _law(law, 12)])
    qs, held = build_questions(idx, None, heldout_fraction=0.3, max_per_kind=0)
    assert held
    for q in qs:
        if q["kind"] == "heldout_law":
            assert not q["answerable"] and not q["gold"] and family(q["law"]) in held
        elif q["answerable"]:
            assert q["gold"] and family(q["law"]) not in held and q["split"] in ("dev", "test")
            assert "제" not in q["question"].split("법")[0]  # the article number was taken out
    assert sum(q["kind"] == "out_of_scope" for q in qs) == len(OUT_OF_SCOPE)


def test_summary_means_are_over_the_rows_each_metric_is_defined_on():
    rows = pd.DataFrame([
        {"answerable": True, "found": True, "not_found": False, "unanswerable": False, "recall": 1.0, "hit": 1.0,
         "citation_precision": 1.0, "citation_recall": 0.5, "rougeL_char": 0.8, "flagged": False},
        {"answerable": True, "found": False, "not_found": True, "unanswerable": False, "recall": 0.0, "hit": 0.0,
         "flagged": False},
        {"answerable": False, "found": False, "not_found": True, "unanswerable": True, "flagged": False},
        {"answerable": False, "found": True, "not_found": False, "unanswerable": True, "flagged": True},
    ])
    m = summarize(rows, n_boot=50)
    assert m["recall_at_k"] == 0.5 and m["citation_precision"] == 1.0 and m["citation_recall"] == 0.5
    assert m["false_not_found"] == 0.5 and m["not_found_recall"] == 0.5 and m["not_found_precision"] == 0.5
    assert m["flag_rate"] == 0.5 and m["recall_at_k.ci_low"] <= 0.5 <= m["recall_at_k.ci_high"]


def test_evaluate_end_to_end_on_a_small_index():
    laws = [f"시험{i}법" for i in range(40)]
    idx = from_rows([r for law in laws for r in _law(law, 12)], "eval-test")
    config = AskConfig(retriever=RetrieverConfig(options={"tokenizer": "char2"}))
    setup = eval_setup(idx, config.retriever, heldout_fraction=0.3, max_per_kind=20, progress=False)
    metrics, rows = evaluate(setup, config, get_generator("extractive"), "test", n_boot=50)
    assert 0 <= metrics["recall_at_k"] <= 1 and metrics["flag_rate"] == 0.0  # extractive quotes, never invents
    assert metrics["dev_false_not_found"] <= 0.1 + 1e-9
    assert set(by_kind(rows).index.get_level_values(0)) <= {"penalty", "title", "definition", "heldout_law",
                                                              "out_of_scope"}
    assert rows.loc[rows["found"], "cited"].str.len().gt(0).all()
