"""The statute index: in-force articles only, lookups by law + article, held-out copies, retriever text."""
from __future__ import annotations

import pytest
from ask.articles import ROWS, index

from lexlab.ask.statute_index import doc_id, from_rows, load_statute_index, norm_article


def test_deleted_articles_are_not_indexed_but_known_as_deleted():
    idx = index()
    assert len(idx) == len(ROWS) - 1
    assert doc_id("형법", "349") not in idx.articles.index
    assert idx.lookup("형법", "제349조") is None and idx.is_deleted("형법", "제349조")
    assert not idx.is_deleted("형법", "제999조") and idx.lookup("형법", "제999조") is None


def test_lookup_accepts_the_usual_spellings():
    idx = index()
    for law, art in (("도로교통법", "제148조의2"), ("도로 교통법", "148의2"), ("「도로교통법」", "제 148 조의 2")):
        assert idx.lookup(law, art) == "도로교통법|148의2"
    assert norm_article("제1-1조") == "1-1"


def test_without_laws_drops_whole_laws():
    reduced = index().without_laws(["도로교통법"])
    assert reduced.laws == ["형법"] and not reduced.in_force("도로교통법", "제44조")
    assert reduced.source != index().source  # its own cache key


def test_corpus_repeats_law_and_title_as_asked():
    doc = {d["id"]: d["text"] for d in index().corpus(title_weight=2, law_weight=1)}["형법|347"]
    head = doc.split("\n")[0]
    assert head == "형법 제347조 사기 사기"


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="text"):
        from_rows([{"law": "x", "article": "제1조", "article_no": "1"}])


def test_load_from_a_snapshot_is_written_once_and_reused(tmp_path, monkeypatch):
    from lexlab.data.snapshot import build_snapshot
    from lexlab.data.sources import StatutesSource
    from testdata import FIXTURES

    build_snapshot(tmp_path / "snap", [StatutesSource(FIXTURES / "data" / "pkg" / "law_api")], version="s1",
                   progress=False)
    idx = load_statute_index(tmp_path / "snap" / "s1", progress=False)
    assert idx.source.startswith("snapshot-s1-") and idx.snapshot_path.endswith("s1")  # name + content digest
    assert idx.in_force("시험법", "제4조") and idx.is_deleted("시험법", "제3조")
    again = load_statute_index(tmp_path / "snap" / "s1", progress=False)
    assert list(again.articles["doc_id"]) == list(idx.articles["doc_id"])
