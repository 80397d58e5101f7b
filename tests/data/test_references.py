"""The statute-reference normaliser on citations written the way Korean courts write them."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lexlab.data.references import (StatuteRef, article_key, article_keys, extract_citations, normalise_law,
                               parse_references)


def triples(refs):
    return [(r.law, r.article, r.paragraph) for r in refs]


def test_brief_example_resolves_same_law_and_old_law():
    refs = parse_references("[1] 형법 제347조 제1항, 제2항, 같은 법 제30조 / 구 증권거래법(2007. 8. 3. 법률 "
                            "제8635호로 폐지되기 전의 것) 제188조의4")
    assert triples(refs) == [("형법", "제347조", "제1항"), ("형법", "제347조", "제2항"), ("형법", "제30조", None),
                             ("증권거래법", "제188조의4", None)]
    assert [r.is_old for r in refs] == [False, False, False, True]
    # the law-number inside the parenthetical is not a citation of an item
    assert all(r.item is None for r in refs)


def test_refs_are_plain_tuples_with_names():
    ref = parse_references("형법 제347조 제1항")[0]
    assert isinstance(ref, tuple) and ref == StatuteRef("형법", "제347조", "제1항", None, False)
    law, article, paragraph = ref[:3]
    assert (law, article, paragraph) == ("형법", "제347조", "제1항")
    assert ref.key == "형법 제347조"


def test_old_version_marked_by_parenthetical_without_gu():
    refs = parse_references("[1] 형법(1995. 12. 29. 법률 제5057호로 개정되기 전의 것) 제357조 제2항 / [2] 형사소송법 제312조")
    assert triples(refs) == [("형법", "제357조", "제2항"), ("형사소송법", "제312조", None)]
    assert [r.is_old for r in refs] == [True, False]


def test_amended_and_in_force_parenthetical_is_not_old():
    refs = parse_references("정보통신망 이용촉진 및 정보보호 등에 관한 법률(2016. 3. 22. 법률 제14080호로 개정되어 "
                            "2016. 9. 23. 시행된 것) 제70조의2")
    assert refs[0].is_old is False


def test_items_paragraphs_and_article_sub_numbers():
    refs = parse_references("구 증권거래법(2007. 8. 3. 법률 제8635호 자본시장과 금융투자업에 관한 법률 부칙 제2조로 폐지) "
                            "제188조의4 제1항 제1호, 제2호(현행 자본시장과 금융투자업에 관한 법률 제176조 제1항 제1호, "
                            "제2호 참조), 제207조의2 / [2] 형법 제355조 제2항, 제356조")
    assert [(r.law, r.article, r.paragraph, r.item) for r in refs] == [
        ("증권거래법", "제188조의4", "제1항", "제1호"),
        ("증권거래법", "제188조의4", "제1항", "제2호"),
        ("증권거래법", "제207조의2", None, None),
        ("형법", "제355조", "제2항", None),
        ("형법", "제356조", None, None),
    ]
    # the "(현행 … 참조)" note does not add citations of the current act
    assert not any("자본시장" in r.law for r in refs)


def test_ranges_of_articles_and_paragraphs_are_expanded():
    refs = parse_references("형법 제30조 내지 제32조, 민법 제750조부터 제752조까지, 상법 제5조 제1항 내지 제3항")
    assert triples(refs) == [
        ("형법", "제30조", None), ("형법", "제31조", None), ("형법", "제32조", None),
        ("민법", "제750조", None), ("민법", "제751조", None), ("민법", "제752조", None),
        ("상법", "제5조", "제1항"), ("상법", "제5조", "제2항"), ("상법", "제5조", "제3항"),
    ]


def test_same_law_enforcement_decree_and_back():
    refs = parse_references("발명진흥법 제10조, 같은 법 시행령 제7조, 같은 영 제8조, 같은 법 제12조")
    assert triples(refs) == [("발명진흥법", "제10조", None), ("발명진흥법시행령", "제7조", None),
                             ("발명진흥법시행령", "제8조", None), ("발명진흥법", "제12조", None)]


def test_law_names_compare_without_spaces_and_segment_markers_vanish():
    a = parse_references("［1］ 정보통신망 이용촉진 및 정보보호 등에 관한 법률 제49조")
    b = parse_references("가.나. 정보통신망이용촉진및정보보호등에관한법률 제49조<br/>")
    assert a == b
    assert article_key("정보통신망 이용촉진 및 정보보호 등에 관한 법률", "제 49 조") == \
        "정보통신망이용촉진및정보보호등에관한법률 제49조"
    assert normalise_law(" 「형법」 ") == "형법"


def test_qualifiers_and_dedupe_across_segments():
    refs = parse_references("[1] 저작권법 제136조 제1항, 제140조 본문, 단서 제1호 / [2] 저작권법 제136조 제1항")
    assert [(r.article, r.paragraph, r.item) for r in refs] == [("제136조", "제1항", None), ("제140조", None, "제1호")]
    assert len(parse_references("[1] 형법 제30조 / [2] 형법 제30조", dedupe=False)) == 2
    assert article_keys(refs) == ["저작권법 제136조", "저작권법 제140조"]


def test_supplementary_provisions_are_kept_apart():
    refs = parse_references("공익사업을 위한 토지 등의 취득 및 보상에 관한 법률 제91조 제1항, 부칙(2021. 8. 10.) 제1조, 제3조")
    assert [r.article for r in refs] == ["제91조", "부칙 제1조", "부칙 제3조"]


def test_old_marker_written_without_space():
    refs = parse_references("구상법 제204조 제2항, 상법 제335조 / 나. 구저작권법 제5조 / 구강보건법 제3조")
    assert [(r.law, r.article, r.is_old) for r in refs] == [
        ("상법", "제204조", True), ("상법", "제335조", False), ("저작권법", "제5조", True), ("구강보건법", "제3조", False)]


def test_abbreviations_expand_to_the_full_name():
    refs = parse_references("자본시장법 제176조, 동법 시행령 제5조 / 여전법 제24조의2")
    assert [r.key for r in refs] == ["자본시장과금융투자업에관한법률 제176조", "자본시장과금융투자업에관한법률시행령 제5조",
                                     "여신전문금융업법 제24조의2"]
    assert article_key("정보통신망법", "제48조") == article_key("정보통신망 이용촉진 및 정보보호 등에 관한 법률", "제48조")


def test_dash_numbered_regulation_articles():
    refs = parse_references("금융투자업규정 제4-7조제2항,제3항")
    assert triples(refs) == [("금융투자업규정", "제4-7조", "제2항"), ("금융투자업규정", "제4-7조", "제3항")]


def test_free_text_applied_law_part():
    text = ("1. 범죄사실에 대한 해당법조 및 형의 선택<br/> 가. 피고인 1 : 각 형법 제347조 제1항, 제30조(사기의 점, "
            "포괄하여), 각 전자금융거래법 제49조 제4항 제1호, 제6조 제3항 제1호(접근매체 양도의 점), 각 징역형 선택<br/>"
            "1. 경합범가중<br/>형법 제37조 전단, 제38조 제1항 제2호, 제50조")
    keys = article_keys(extract_citations(text))
    assert keys == ["형법 제347조", "형법 제30조", "전자금융거래법 제49조", "전자금융거래법 제6조", "형법 제37조",
                    "형법 제38조", "형법 제50조"]


def test_free_text_alias_defined_in_parenthetical():
    text = ("각 정보통신망 이용촉진 및 정보보호 등에 관한 법률(2016. 3. 22. 법률 제14080호로 개정되어 2016. 9. 23. "
            "시행된 것, 이하 ‘정보통신망법’이라 한다) 제70조의2, 형법 제30조, 정보통신망법 제48조 제2항")
    refs = extract_citations(text)
    assert triples(refs)[-1] == ("정보통신망이용촉진및정보보호등에관한법률", "제48조", "제2항")


def test_free_text_does_not_invent_citations():
    text = "피고인은 이 사건 공소사실 제3조에 따라 금액 30조 원을 송금하였고 법률 제8635호로 개정된 형법 30조를 위반하였다."
    refs = extract_citations(text)
    assert triples(refs) == [("형법", "제30조", None)]
    # a prose phrase before a law name is cut off; a gazetteer does the same for unusual names
    assert extract_citations("이 규정은 금융투자업규정 제4-7조")[0].law == "금융투자업규정"
    assert extract_citations("위반한 행위는 신탁업감독세칙 제3조", known_laws=["신탁업감독세칙"])[0].law == "신탁업감독세칙"


def test_empty_and_lawless_input():
    assert parse_references("") == []
    assert parse_references("제3조") == []  # no law known yet: nothing to attach the article to
    assert parse_references("대법원 2017. 5. 31. 선고 2017도3045 판결") == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="형법제조의항호같은구 ,/()[]0123456789내지및" + "가나다", max_size=80))
def test_never_crashes_and_always_well_formed(text):
    for ref in parse_references(text, free_text=True):
        assert re.fullmatch(r"(부칙 )?제\d+(-\d+)?조(의\d+)?", ref.article)
        assert ref.paragraph is None or re.fullmatch(r"제\d+항", ref.paragraph)
        assert ref.law and " " not in ref.law
