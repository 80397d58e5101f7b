"""Fine-tuning triplets come from the training split only, with the answer's outcome and a verbatim citation."""
from __future__ import annotations

from lexlab.caselaw.corpus import CaseLaw
from lexlab.caselaw.questions import leak_of
from lexlab.caselaw.triplets import build_triplets
from lexlab.data.splits import case_split


def test_triplets_are_training_decisions_with_checked_citations(toy):
    law = CaseLaw(toy)
    train = toy[case_split(toy).to_numpy() == "train"]
    triplets = build_triplets(law, train)
    assert {t["id"] for t in triplets} == set(train["case_id"])
    for t in triplets:
        assert t["outcome"] in t["answer"] and leak_of(t["question"], law.row(t["id"])["order"]) is None
        assert t["citation"]["case_no"] == t["id"] and law.check_citation(t["citation"]) is None
    assert len(build_triplets(law, train, max_items=2)) == 2
