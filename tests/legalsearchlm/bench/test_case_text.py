"""Candidate documents and leak-free query texts."""
from __future__ import annotations

import re

from lexlab.legalsearchlm.bench import case_text
from lexlab.legalsearchlm.bench.provisions import decision_articles


def test_queries_do_not_leak(decisions, build):
    bench = build(decisions)
    rows = decisions.set_index("case_id", drop=False)
    assert len(bench.queries) >= 4
    for q in bench.queries.to_dict("records"):
        row = rows.loc[q["id"]].to_dict()
        arts = decision_articles(row)
        flat = re.sub(r"\s+", "", q["text"])
        assert case_text.find_leaks(q["text"], row, arts) == [], q["id"]
        assert re.sub(r"\s+", "", row["title"]) not in flat
        assert not case_text.CASE_NUMBER.search(q["text"])
        for cid in q["exclude"]:
            assert cid not in flat
        for a in arts:
            assert a.split()[0] not in flat  # no cited law name at all
        assert "법령의적용" not in flat and "해당법조" not in flat
    text = bench.queries.set_index("id").loc["2019도1234", "text"]
    assert "사기" not in text and "형법" not in text and "2016도13362" not in text
    assert "변제의사와 능력은 차용 당시를 기준으로" not in text  # restated 판결요지 removed
    assert "5,000만 원" in text and "거짓말" in text  # the facts survive


def test_leak_detector_sees_raw_reasoning(decisions):
    """The checker is not vacuous: the unmasked reasoning is flagged."""
    row = decisions.set_index("case_id", drop=False).loc["2019도1234"].to_dict()
    leaks = case_text.find_leaks(row["reasoning"], row, decision_articles(row))
    kinds = {leak.split(":")[0] for leak in leaks}
    assert {"title", "case_number", "law", "summary", "charge"} <= kinds


def test_documents_have_no_front_matter(decisions, build):
    bench = build(decisions)
    doc = bench.corpus.set_index("id").loc["2019도1234", "text"]
    assert doc.startswith("[1] 차용금 사기에서")  # 판시사항 first
    assert "[2] 형사소송법 제383조" not in doc  # no 참조조문 block
    assert "김갑동" not in doc and doc.endswith("정당하다.")  # no bench signature (panel names are not content)
    assert "김갑동" not in bench.queries.set_index("id").loc["2019도1234", "text"]
