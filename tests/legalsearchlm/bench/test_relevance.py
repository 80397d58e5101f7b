"""Appeal chains and the standard relevance rule."""
from __future__ import annotations

from lexlab.legalsearchlm.bench import relevance


def test_appeal_chain_is_transitive_and_symmetric(decisions):
    chains = relevance.appeal_chains(decisions)
    assert chains["2019도1234"] == {"2019도1234", "2018노555", "2017고단99"}
    assert chains["2017고단99"] == chains["2019도1234"]
    assert chains["2020도1"] == {"2020도1"}


def test_standard_relevance_rule(decisions, build):
    bench = build(decisions)
    assert set(bench.corpus["id"]) == set(decisions["case_id"]) - {"2020다9"}
    # the query's own chain is excluded even though it shares charge and article
    assert set(bench.qrels["2019도1234"]) == {"2020도1", "2020도2", "2020도6, 2020도7(병합)"}
    q = bench.queries.set_index("id").loc["2019도1234"]
    assert set(q["exclude"]) == {"2019도1234", "2018노555", "2017고단99"}
    # the lower-court labour case finds its provisions in 법령의 적용 and matches the Supreme Court one
    assert set(bench.qrels["2021고단7"]) == {"2021도8"}
    assert set(bench.qrels["2021도8"]) == {"2021고단7"}
    # multi-charge decisions are never queries; a query with only general-part provisions is none either
    assert "2020도4" not in bench.qrels and "2020도3" not in bench.qrels
    assert bench.stats["query_skips"]["no_substantive_article"] >= 1
    # contains-mode also accepts the two-charge candidate
    loose = build(decisions, title_match="contains")
    assert set(loose.qrels["2019도1234"]) == {"2020도1", "2020도2", "2020도4", "2020도6, 2020도7(병합)"}
    splits = dict(zip(bench.queries["id"], bench.queries["split"]))
    assert splits["2021도8"] == "test" and splits["2019도1234"] == "dev"
