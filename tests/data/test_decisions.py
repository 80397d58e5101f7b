"""Decision parsing on hand-written fixtures shaped like the law.go.kr export (incl. malformed files)."""
from __future__ import annotations

from testdata import FIXTURES
from pathlib import Path

import pytest

from lexlab.data.decisions import (_plain_section_text, extract_applied_law, extract_facts, load_decisions,
                                   parse_decision, split_case_numbers, split_front_matter)
from lexlab.workbench.io import ParseError

PREC = FIXTURES / "data" / "pkg" / "precedents"


@pytest.fixture(scope="module")
def loaded():
    errors: list[dict] = []
    decisions = load_decisions(PREC, errors=errors, progress=False)
    return {d.case_id: d for d in decisions}, errors


def test_multiline_front_matter_values_are_joined():
    meta, _ = split_front_matter((PREC / "형사A" / "prec_2020도1234.md").read_text(encoding="utf-8"), "x.md")
    # the value continues on indented lines and on a flush-left "," line
    assert meta["참조조문"].startswith("[1] 형법 제347조 제1항, 제2항, 같은 법 제30조 / [2] 구 전자금융거래법")
    assert meta["참조조문"].endswith("제49조 제4항 제1호<br/>")
    assert meta["법원"] == "대법원"


def test_supreme_court_decision_sections_and_references(loaded):
    d = loaded[0]["2020도1234"]
    assert d.court == "대법원" and d.case_type == "형사" and d.date == "2020-11-12"
    assert d.ref_articles == ["형법 제347조", "형법 제30조", "전자금융거래법 제6조", "전자금융거래법 제49조"]
    assert d.holdings.split("\n") == ["[1] 보이스피싱 조직에 접근매체를 넘긴 행위가 사기방조에 해당하는지 여부",
                                      "[2] 접근매체 양도의 의미"]
    assert d.summary.startswith("[1] 접근매체를") and "피 고 인" not in d.summary  # party labels end the section
    assert d.order == "원심판결을 파기하고, 사건을 서울중앙지방법원에 환송한다."
    assert d.reasoning.startswith("상고이유를 판단한다.\n1. 원심은")
    assert d.facts == "" and d.applied_law_text == ""
    assert "<br/>" not in d.reasoning and "<br/>" not in d.ref_articles_raw


def test_duplicate_case_kept_once_with_all_paths(loaded):
    d = loaded[0]["2020도1234"]
    assert [Path(p).parent.name for p in d.source_paths] == ["형사A", "형사B"]
    assert d.folder == "형사A"
    # the fuller copy wins (형사B's copy has no 판시사항)
    assert d.holdings


def test_appeal_chain_links_only_cases_in_corpus(loaded):
    by_id = loaded[0]
    assert by_id["2020도1234"].lower_case_ids == ["2019노567"]
    # 2019노567 names 2019고단1111, which is not in the corpus
    assert by_id["2019노567"].named_lower_ids == ["2019고단1111"]
    assert by_id["2019노567"].lower_case_ids == []


def test_lower_court_facts_and_applied_law_from_flush_left_headings(loaded):
    d = loaded[0]["2019노567"]
    assert d.facts.startswith("피고인은 2019. 1. 2. 서울 이하 불상지에서 성명불상자에게")  # soft wraps joined
    assert d.facts.endswith("300만 원을 송금받게 하였다.")
    assert "증거의 요지" not in d.facts and "법정진술" not in d.facts
    assert d.applied_law_text.startswith("1. 범죄사실에 대한 해당법조 및 형의 선택")
    assert "양형" not in d.applied_law_text
    # no 참조조문: ref_articles come from the 법령의 적용 part
    assert d.ref_articles_raw == ""
    assert d.ref_articles[:4] == ["형법 제347조", "형법 제32조", "전자금융거래법 제49조", "전자금융거래법 제6조"]


def test_inline_br_headings_and_merged_case_numbers(loaded):
    d = loaded[0]["2018고단99, 100(병합)"]
    assert d.facts == "피고인은 회사의 경리직원으로서 회삿돈 500만 원을 개인 용도로 사용하여 횡령하였다."
    assert d.applied_law_text == "1. 범죄사실에 대한 해당법조\n형법 제356조, 제355조 제1항"  # stops before 이상의 이유로
    assert d.ref_articles == ["형법 제356조", "형법 제355조"]


def test_malformed_files_are_reported_with_path_and_field(loaded):
    _, errors = loaded
    got = {(Path(e["path"]).name, e["field"]) for e in errors}
    assert got == {("prec_no_front_matter.md", "front_matter"), ("prec_missing_case_no.md", "사건번호"),
                   ("prec_unclosed.md", "front_matter")}
    assert all(e["error"] for e in errors)
    assert len(loaded[0]) == 3  # the good ones all survive


def test_on_error_raise_stops_with_parse_error():
    with pytest.raises(ParseError) as info:
        load_decisions(PREC, on_error="raise", progress=False)
    assert info.value.path.endswith(".md") and info.value.field in ("front_matter", "사건번호")
    assert info.value.path in str(info.value)
    with pytest.raises(ValueError):
        load_decisions(PREC, on_error="ignore", progress=False)


def test_parse_decision_checks_date_and_body(tmp_path):
    good = (PREC / "형사B" / "prec_2019노567.md").read_text(encoding="utf-8")
    bad_date = tmp_path / "d.md"
    bad_date.write_text(good.replace("선고일자: 2020-01-10", "선고일자: 어제"), encoding="utf-8")
    with pytest.raises(ParseError, match="선고일자"):
        parse_decision(bad_date)
    no_body = tmp_path / "b.md"
    no_body.write_text(good.split("# 서울중앙지방법원")[0] + "# 제목만\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_decision(no_body)
    assert info.value.field == "body"
    binary = tmp_path / "x.md"
    binary.write_bytes(b"---\n\xff\xfe\n---\n")
    with pytest.raises(ParseError) as info:
        parse_decision(binary)
    assert info.value.field == "encoding"


def test_split_case_numbers_expands_shorthand():
    assert split_case_numbers("2016고합203, 220(병합), 242(병합), 2016초기126, 289") == [
        "2016고합203", "2016고합220", "2016고합242", "2016초기126", "2016초기289"]
    assert split_case_numbers("서울고법 1999. 7. 23. 선고 98나50335 판결") == ["98나50335"]
    assert split_case_numbers("2012다56245,56252") == ["2012다56245", "2012다56252"]


def test_reference_only_appellate_facts_are_not_facts():
    reasoning = ("1. 항소이유의 요지<br/>양형부당<br/>범죄사실 및 증거의 요지<br/>이 법원이 인정하는 피고인에 대한 범죄사실 및 "
                 "그에 대한 증거의 요지는 원심판결의 해당란 기재와 같으므로 형사소송법 제369조에 의하여 이를 그대로 인용한다."
                 "<br/>법령의 적용<br/>형법 제347조 제1항")
    assert extract_facts(reasoning) == ""
    assert extract_applied_law(reasoning) == "형법 제347조 제1항"


def test_plain_section_text():
    assert _plain_section_text("<br/>  가.  첫째 <br/><br/>둘째\u00a0줄 <img src='x'></img>") == "가. 첫째\n둘째 줄"
