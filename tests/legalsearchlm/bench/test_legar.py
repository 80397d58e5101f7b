"""The LEGAR-style benchmark on a hand-made decisions table: relevance rule, appeal chains, leak-freedom, export."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from lexlab.legalsearchlm.bench import crime_categories as cc
from lexlab.legalsearchlm.bench import legar

COLUMNS = ["case_id", "title", "court", "case_type", "decision_type", "date", "ref_articles_raw", "ref_cases_raw",
           "ref_articles", "holdings", "summary", "order", "reasoning", "facts", "applied_law_text",
           "lower_case_ids", "source_paths", "folder"]

FRAUD_FACTS = ("피고인은 2019. 3. 1. 서울 강남구에서 피해자 공소외 1에게 '돈을 빌려주면 한 달 뒤에 갚겠다'고 거짓말하여 "
               "이에 속은 피해자로부터 차용금 명목으로 5,000만 원을 송금받아 편취하였다. ")


def decision(case_id, title, *, court="대법원", case_type="형사", ref=(), ref_raw="", reasoning="", facts="",
             applied="", lower=(), holdings="", summary=""):
    return {
        "case_id": case_id, "title": title, "court": court, "case_type": case_type, "decision_type": "판결",
        "date": "2020-01-01", "ref_articles_raw": ref_raw, "ref_cases_raw": "", "ref_articles": list(ref),
        "holdings": holdings, "summary": summary, "order": "상고를 기각한다.", "reasoning": reasoning,
        "facts": facts, "applied_law_text": applied, "lower_case_ids": list(lower), "source_paths": [], "folder": "",
    }


LONG = "원심은 그 판시와 같은 이유로 이 부분 공소사실을 유죄로 판단하였다. 기록에 비추어 살펴보면 원심의 판단은 정당하다. " * 3


@pytest.fixture
def decisions() -> pd.DataFrame:
    q_reasoning = (
        "상고이유를 판단한다. 원심은 " + FRAUD_FACTS + "는 이 사건 공소사실을 유죄로 인정하였다. "
        "사기죄는 타인을 기망하여 착오에 빠뜨리고 처분행위를 유발하여 재물을 교부받는 범죄이다"
        "(대법원 2017. 2. 16. 선고 2016도13362 전원합의체 판결 등 참조). "
        "원심판결(서울고등법원 2018노555) 이유를 기록에 비추어 보면 원심이 형법 제347조 제1항, 형법 제30조를 적용한 것은 "
        "정당하고, 형사소송법 제383조의 상고이유에 해당하지 않는다. 차용금 사기에서 변제의사와 능력은 차용 당시를 "
        "기준으로 판단하여야 한다. 이 사건도 차용금 사기에서 변제의사와 능력은 차용 당시를 기준으로 "
        "판단하여야 하므로 피고인의 주장은 받아들이지 않는다. " + LONG + "\n대법관 김갑동(재판장) 이을동(주심) 박병동"
    )
    rows = [
        decision("2019도1234", "사기", ref=["형법 제347조", "형법 제30조", "형사소송법 제383조"],
                 ref_raw="[1] 형법 제347조 제1항, 제30조 / [2] 형사소송법 제383조", reasoning=q_reasoning,
                 lower=["2018노555"], holdings="[1] 차용금 사기에서 편취의 범의를 판단하는 기준",
                 summary="[1] 차용금 사기에서 변제의사와 능력은 차용 당시를 기준으로 판단하여야 한다. "
                 "[2] 상고이유서에 구체적 이유를 적지 않은 상고는 기각한다."),
        # its own appeal chain: the high court and (transitively) the district court
        decision("2018노555", "사기", court="서울고등법원", ref=["형법 제347조"], reasoning=FRAUD_FACTS + LONG,
                 lower=["2017고단99"]),
        decision("2017고단99", "사기", court="서울중앙지방법원", reasoning=FRAUD_FACTS + LONG,
                 applied="1. 범죄사실에 대한 해당법조 및 형의 선택\n형법 제347조 제1항, 징역형 선택\n1. 집행유예\n형법 제62조 제1항"),
        # relevant: same charge, shares 제347조
        decision("2020도1", "사기", ref=["형법 제347조", "형법 제37조"], reasoning="다른 사기 사건. " + LONG),
        # relevant: 사기미수 normalises to 사기, shares 제347조
        decision("2020도2", "사기미수", ref=["형법 제352조", "형법 제347조"], reasoning="미수 사건. " + LONG),
        # not relevant: same charge but only general-part / procedure provisions in common
        decision("2020도3", "사기", ref=["형법 제30조", "형사소송법 제383조", "헌법 제12조"], reasoning=LONG),
        # not relevant under "exact": two charges
        decision("2020도4", "사기·횡령", ref=["형법 제347조", "형법 제355조"], reasoning=LONG),
        # not relevant: other charge
        decision("2020도5", "횡령", ref=["형법 제355조"], reasoning=LONG),
        # relevant, and its case number holds spaces (joined cases): TREC files must still have 4 fields
        decision("2020도6, 2020도7(병합)", "사기", ref=["형법 제347조"], reasoning="병합 사건. " + LONG),
        # labour pair: lower court citing only in 법령의 적용, and a Supreme Court one with 참조조문
        decision("2021고단7", "근로기준법위반", court="수원지방법원", reasoning=(
            "범죄사실\n피고인은 상시 근로자 10명을 사용하는 사용자로서 근로자 공소외 2의 임금 300만 원을 지급하지 아니하였다.\n"
            "법령의 적용\n1. 범죄사실에 대한 해당법조\n근로기준법 제109조 제1항, 제36조\n1. 경합범가중\n형법 제37조 전단\n"
            "양형의 이유\n" + LONG),
            facts="피고인은 상시 근로자 10명을 사용하는 사용자로서 근로자 공소외 2의 임금 300만 원을 지급하지 아니하였다.",
            applied="1. 범죄사실에 대한 해당법조\n근로기준법 제109조 제1항, 제36조\n1. 경합범가중\n형법 제37조 전단"),
        decision("2021도8", "근로기준법 위반", ref=["근로기준법 제36조", "근로기준법 제109조"],
                 reasoning="근로기준법 제36조의 금품청산 의무 위반 여부. " + LONG),
        # civil cases are not in the pool
        decision("2020다9", "손해배상(기)", case_type="민사", ref=["민법 제750조"], reasoning=LONG),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _build(decisions, **kw):
    splits = {c: ("test" if c == "2021도8" else "dev") for c in decisions["case_id"]}
    return legar.build_benchmark(decisions, split_of=splits, progress=False, **kw)


def test_title_normalisation_and_categories():
    assert cc.normalize_title("사기미수") == ("사기",)
    assert cc.normalize_title("구 저작권법 위반방조") == cc.normalize_title("저작권법위반") == ("저작권법",)
    assert cc.normalize_title("부정경쟁방지법위반") == ("부정경쟁방지및영업비밀보호에관한법률",)
    assert cc.normalize_title("정보통신망이용촉진및정보보호등에관한법률위반(명예훼손)·업무방해") == (
        "업무방해", "정보통신망이용촉진및정보보호등에관한법률(명예훼손)")
    assert cc.normalize_title("재정신청기각결정에대한재항고") == ()
    assert cc.normalize_title("아동·청소년의성보호에관한법률위반(음란물소지)·사기") == (
        "사기", "아동·청소년의성보호에관한법률(음란물소지)")
    assert cc.normalize_title("총포ㆍ도검ㆍ화약류등단속법위반") == ("총포·도검·화약류등단속법",)
    assert cc.category_of("아동·청소년의성보호에관한법률(음란물소지)") == "성범죄"
    assert cc.category_of("정보통신망이용촉진및정보보호등에관한법률(명예훼손)") == "명예훼손/모욕"
    assert cc.category_of("특정범죄가중처벌등에관한법률(도주치상)") == "교통범죄"
    assert cc.category_of("특정경제범죄가중처벌등에관한법률(횡령)") == "횡령/배임"
    assert cc.category_of("범죄수익은닉의규제및처벌등에관한법률") == "금융/증권"
    assert cc.category_of("상법") == cc.OTHER
    assert len(cc.CATEGORY_NAMES) == 33 and len(set(cc.CATEGORY_NAMES)) == 33


def test_substantive_filter():
    assert legar.is_substantive("형법 제347조")
    assert legar.is_substantive("형법 제87조")  # first article of the special part
    assert not legar.is_substantive("형법 제86조")
    assert not legar.is_substantive("형법 제30조")
    assert not legar.is_substantive("형사소송법 제383조")
    assert not legar.is_substantive("헌법 제12조")
    assert legar.normalize_article("구 증권 거래법 제188조의 4") == "증권거래법 제188조의4"


def test_lower_court_provisions_come_from_the_offence_item():
    """Sentencing mechanics (몰수, 노역장) in 법령의 적용 are not the offence, even when the snapshot lists them."""
    applied = ("1. 범죄사실에 대한 해당법조 및 형의 선택\n마약류 관리에 관한 법률 제60조 제1항 제2호, 제4조 제1항\n"
               "1. 몰수\n마약류 관리에 관한 법률 제67조\n1. 노역장유치\n형법 제70조, 제69조 제2항")
    row = decision("2023고단1", "마약류관리에관한법률위반(향정)", court="서울중앙지방법원", applied=applied,
                   ref=["마약류관리에관한법률 제60조", "마약류관리에관한법률 제4조", "마약류관리에관한법률 제67조",
                        "형법 제70조", "형법 제69조"])
    assert legar.decision_articles(row) == ["마약류관리에관한법률 제60조", "마약류관리에관한법률 제4조"]
    # with a 참조조문 the listed provisions are used as they are
    sc = decision("2023도2", "사기", ref=["형법 제347조", "형법 제30조"], ref_raw="형법 제347조, 제30조")
    assert legar.decision_articles(sc) == ["형법 제347조", "형법 제30조"]
    assert legar.substantive_articles(legar.decision_articles(sc)) == ["형법 제347조"]


def test_appeal_chain_is_transitive_and_symmetric(decisions):
    chains = legar.appeal_chains(decisions)
    assert chains["2019도1234"] == {"2019도1234", "2018노555", "2017고단99"}
    assert chains["2017고단99"] == chains["2019도1234"]
    assert chains["2020도1"] == {"2020도1"}


def test_standard_relevance_rule(decisions):
    bench = _build(decisions)
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
    loose = _build(decisions, title_match="contains")
    assert set(loose.qrels["2019도1234"]) == {"2020도1", "2020도2", "2020도4", "2020도6, 2020도7(병합)"}
    splits = dict(zip(bench.queries["id"], bench.queries["split"]))
    assert splits["2021도8"] == "test" and splits["2019도1234"] == "dev"


def test_query_splits_come_from_lexlab_splits_and_follow_chains(decisions):
    bench = legar.build_benchmark(decisions, progress=False, test_fraction=0.5)
    assert set(bench.queries["split"]) <= {"dev", "test"}
    assert set(bench.queries["project_split"]) <= {"train", "dev", "test"}
    split = legar._split_map(decisions, 0.5)
    assert len({split[c] for c in ("2019도1234", "2018노555", "2017고단99")}) == 1  # one chain, one split
    assert set(legar._split_map(decisions, 1.0).values()) == {"test"}


def test_queries_do_not_leak(decisions):
    bench = _build(decisions)
    rows = decisions.set_index("case_id", drop=False)
    assert len(bench.queries) >= 4
    for q in bench.queries.to_dict("records"):
        row = rows.loc[q["id"]].to_dict()
        arts = legar.decision_articles(row)
        flat = re.sub(r"\s+", "", q["text"])
        assert legar.find_leaks(q["text"], row, arts) == [], q["id"]
        assert re.sub(r"\s+", "", row["title"]) not in flat
        assert not legar.CASE_NUMBER.search(q["text"])
        for cid in q["exclude"]:
            assert cid not in flat
        for a in arts:
            assert a.split()[0] not in flat  # no cited law name at all
        assert "법령의적용" not in flat and "해당법조" not in flat
    text = bench.queries.set_index("id").loc["2019도1234", "text"]
    assert "사기" not in text and "형법" not in text and "2016도13362" not in text
    assert "변제의사와 능력은 차용 당시를 기준으로" not in text  # restated 판결요지 removed
    assert "5,000만 원" in text and "거짓말" in text  # the facts survive


def test_unmasked_queries_are_dropped_not_shipped(decisions, monkeypatch):
    """If masking ever misses, the build's own leak check drops the query and counts it."""
    monkeypatch.setattr(legar, "mask_text", lambda text, laws, words, case_ids=(): text)
    bench = _build(decisions)
    assert "2019도1234" not in set(bench.queries["id"])
    assert bench.stats["query_skips"]["leak_not_removable"] >= 1


def test_leak_detector_sees_raw_reasoning(decisions):
    """The checker is not vacuous: the unmasked reasoning is flagged."""
    row = decisions.set_index("case_id", drop=False).loc["2019도1234"].to_dict()
    leaks = legar.find_leaks(row["reasoning"], row, legar.decision_articles(row))
    kinds = {leak.split(":")[0] for leak in leaks}
    assert {"title", "case_number", "law", "summary", "charge"} <= kinds


def test_documents_have_no_front_matter(decisions):
    bench = _build(decisions)
    doc = bench.corpus.set_index("id").loc["2019도1234", "text"]
    assert doc.startswith("[1] 차용금 사기에서")  # 판시사항 first
    assert "[2] 형사소송법 제383조" not in doc  # no 참조조문 block
    assert "김갑동" not in doc and doc.endswith("정당하다.")  # no bench signature (panel names are not content)
    assert "김갑동" not in bench.queries.set_index("id").loc["2019도1234", "text"]


def test_export_round_trip_and_trec_format(decisions, tmp_path):
    bench = _build(decisions)
    files = legar.export(bench, tmp_path / "mini")
    lines = files["qrels"].read_text(encoding="utf-8").splitlines()
    assert lines and all(re.fullmatch(r"\S+ 0 \S+ 1", ln) for ln in lines)
    assert "2019도1234 0 2020도6,_2020도7(병합) 1" in lines
    assert sum(len(v) for v in bench.qrels.values()) == len(lines)
    back = legar.load_benchmark(tmp_path / "mini")
    assert back.qrels == bench.qrels
    assert list(back.queries["id"]) == list(bench.queries["id"])
    assert {"id", "text", "charge", "category", "exclude", "split"} <= set(back.queries.columns)
    assert {"id", "text"} <= set(back.corpus.columns)
    run = {"2019도1234": {"2019도1234": 9.0, "2018노555": 8.0, "2020도1": 7.0}}
    assert legar.filter_run(run, back.queries) == {"2019도1234": {"2020도1": 7.0}}


def test_bad_table_names_the_missing_column(decisions):
    with pytest.raises(KeyError, match="lower_case_ids"):
        legar.build_benchmark(decisions.drop(columns=["lower_case_ids"]), split_of={}, progress=False)


@pytest.mark.slow
def test_notebook_08_builds_and_logs(decisions, tmp_path):
    """The stage as users run it: papermill through the runner, on a one-table snapshot written here."""
    import json

    import mlflow
    from mlflow.tracking import MlflowClient

    from lexlab.workbench import paths, runner

    snap = tmp_path / "snap"
    snap.mkdir()
    decisions.to_parquet(snap / "decisions.parquet")
    (snap / "manifest.json").write_text(json.dumps({"version": "fixture", "counts": {"decisions": len(decisions)}}),
                                        encoding="utf-8")
    result = runner.run_experiment(paths.REPO / "experiments" / "08_build_benchmark.yaml",
                                   {"snapshot": str(snap), "name": "nb-test"}, progress=False)
    assert result.ok, result
    run = mlflow.get_run(result.stages[0].run_id)
    assert run.data.metrics["queries"] >= 4 and run.data.metrics["candidates"] == len(decisions) - 1
    assert run.data.tags["lexlab.snapshot"] == "fixture"
    logged = {a.path for a in MlflowClient().list_artifacts(run.info.run_id, "benchmark")}
    assert {"benchmark/queries.jsonl", "benchmark/corpus.jsonl", "benchmark/qrels.standard.trec"} <= logged
    out = paths.work_dir("legar", "nb-test")
    assert set(legar.load_benchmark(out).qrels["2019도1234"]) == {"2020도1", "2020도2", "2020도6, 2020도7(병합)"}
