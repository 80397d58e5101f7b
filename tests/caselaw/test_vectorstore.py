"""The LanceDB vector store behind the dense retriever: in the registry, filtered by date inside the store, saved."""
from __future__ import annotations

from lexlab.caselaw.corpus import CaseLaw
from lexlab.legalsearchlm.retrieval import Retriever, available_methods, get_retriever


def test_lancedb_filters_by_date_before_the_cut_and_survives_save_and_load(toy, tmp_path):
    law = CaseLaw(toy)
    r = get_retriever("lancedb", dim=4).index(law.corpus())
    assert "lancedb" in available_methods()
    query = law.query("q", "위드마크 공식 혈중알코올농도", before="2020-03-01")
    hits = r.search([query], k=5)["q"]
    assert hits and {d for d, _ in hits} <= {"2020도1", "2020도2", "2019노1"}  # decided before 2020-03-01
    loaded = Retriever.load(r.save(tmp_path / "idx"))
    assert loaded.search([query], k=5) == r.search([query], k=5)
