"""Charge titles → normalised charges → LEGAR's crime categories."""
from __future__ import annotations

from lexlab.legalsearchlm.bench import crime_categories as cc


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


def test_squash_drops_every_whitespace():
    assert cc.squash(" 특정경제범죄\n가중처벌 등에  관한 법률 ") == "특정경제범죄가중처벌등에관한법률"
    assert cc.squash(None) == ""
