"""The citation rule (only earlier decisions, never itself or its appeal chain) and the verbatim passage check."""
from __future__ import annotations

from lexlab.caselaw.corpus import CaseLaw, best_passage


def test_a_decision_cannot_cite_itself_its_chain_or_anything_not_decided_before_it(toy):
    law = CaseLaw(toy)
    banned = set(law.not_citable("2021도45"))
    assert {"2021도45", "2019노1", "2022도1", "2021도46"} <= banned          # itself, its chain, the later ones
    assert not banned & {"2020도1", "2020도5", "2020도11"}                  # earlier decisions stay citable
    same_day = toy.assign(date=toy["date"].where(toy["case_id"] != "2020도1", "2021-06-01"))
    assert "2020도1" in CaseLaw(same_day).not_citable("2021도45")           # "before" is strictly before
    assert law.query("q", "text", before="2020-03-01")["exclude"] == sorted(
        toy.loc[toy["date"] >= "2020-03-01", "case_id"])


def test_check_citation_says_why_a_citation_fails(toy):
    law = CaseLaw(toy)
    ok = law.citation("2020도1", "위드마크 공식").record()
    assert law.check_citation(ok, "2021도45") is None
    assert law.check_citation({**ok, "case_no": "2099도1"}, "2021도45") == "unknown_case"
    assert law.check_citation(law.citation("2021도45", "x").record(), "2021도45") == "itself"
    assert law.check_citation(law.citation("2019노1", "x").record(), "2021도45") == "appeal_chain"
    assert law.check_citation(law.citation("2022도1", "x").record(), "2021도45") == "not_earlier"
    assert law.check_citation(law.citation("2022도1", "x").record(), before="2023-01-01") is None


def test_a_passage_must_occur_verbatim_in_the_cited_decision(toy):
    law = CaseLaw(toy)
    good = law.citation("2020도5", "공연성 전파가능성").record()
    assert good["passage"] and law.check_citation(good, "2021도46") is None
    for bad in (good["passage"].replace("공연성", "공공성"), good["passage"] + " 덧붙인 말", "", "   "):
        assert law.check_citation({**good, "passage": bad}, "2021도46") == "passage_not_verbatim"
    row = toy.iloc[0].to_dict()
    assert best_passage(row, "위드마크 공식") in row["summary"]
