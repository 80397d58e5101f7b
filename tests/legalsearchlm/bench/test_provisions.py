"""Which provisions a decision rests on, and which of them are substantive."""
from __future__ import annotations

from lexlab.legalsearchlm.bench import provisions


def test_substantive_filter():
    assert provisions.is_substantive("형법 제347조")
    assert provisions.is_substantive("형법 제87조")  # first article of the special part
    assert not provisions.is_substantive("형법 제86조")
    assert not provisions.is_substantive("형법 제30조")
    assert not provisions.is_substantive("형사소송법 제383조")
    assert not provisions.is_substantive("헌법 제12조")
    assert provisions.normalize_article("구 증권 거래법 제188조의 4") == "증권거래법 제188조의4"


def test_lower_court_provisions_come_from_the_offence_item(row):
    """Sentencing mechanics (몰수, 노역장) in 법령의 적용 are not the offence, even when the snapshot lists them."""
    applied = ("1. 범죄사실에 대한 해당법조 및 형의 선택\n마약류 관리에 관한 법률 제60조 제1항 제2호, 제4조 제1항\n"
               "1. 몰수\n마약류 관리에 관한 법률 제67조\n1. 노역장유치\n형법 제70조, 제69조 제2항")
    applied_row = row("2023고단1", "마약류관리에관한법률위반(향정)", court="서울중앙지방법원", applied=applied,
                   ref=["마약류관리에관한법률 제60조", "마약류관리에관한법률 제4조", "마약류관리에관한법률 제67조",
                        "형법 제70조", "형법 제69조"])
    assert provisions.decision_articles(applied_row) == ["마약류관리에관한법률 제60조", "마약류관리에관한법률 제4조"]
    # with a 참조조문 the listed provisions are used as they are
    sc = row("2023도2", "사기", ref=["형법 제347조", "형법 제30조"], ref_raw="형법 제347조, 제30조")
    assert provisions.decision_articles(sc) == ["형법 제347조", "형법 제30조"]
    assert provisions.substantive_articles(provisions.decision_articles(sc)) == ["형법 제347조"]
