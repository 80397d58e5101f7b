"""Law mentions: full titles, titles without spaces, short forms; ordinary -법 words are not laws."""
from __future__ import annotations

from lexlab.ask.law_names import LawNames

NAMES = LawNames(["신용정보의 이용 및 보호에 관한 법률", "자본시장과 금융투자업에 관한 법률", "형법", "도로교통법",
                  "여신전문금융업법 시행령"])


def test_short_forms_and_spaceless_titles_are_known():
    assert NAMES.mentions("신용정보법 위반인지요?")[0] == {"신용정보의 이용 및 보호에 관한 법률"}
    assert NAMES.mentions("자본시장과금융투자업에관한법률 제7조")[0] == {"자본시장과 금융투자업에 관한 법률"}
    assert NAMES.mentions("도로교통법상 음주운전")[0] == {"도로교통법"}


def test_a_law_the_index_lacks_is_unknown():
    known, unknown = NAMES.mentions("저작권법상 공정이용의 요건은?")
    assert not known and unknown == {"저작권법"}
    known, unknown = NAMES.mentions("범죄수익은닉의 규제 및 처벌 등에 관한 법률에 따르면 어떻게 처벌되는가?")
    assert not known and unknown


def test_ordinary_words_ending_in_beop_are_not_laws():
    assert NAMES.mentions("김치찌개 끓이는 방법과 불법 주차 신고 방법") == (set(), set())


def test_articles_named_with_their_law_are_found():
    assert NAMES.articles("신용정보법 제27조 제2항에 따른 대책") == [("신용정보의 이용 및 보호에 관한 법률", "27")]
    assert NAMES.articles("형법제347조의2와 제348조") == [("형법", "347의2")]  # a bare 제348조 names no law


def test_the_projects_well_known_short_names_resolve_for_laws_and_decrees():
    assert NAMES.mentions("여전법 시행령 제5조에 따른 요건")[0] == {"여신전문금융업법 시행령"}
