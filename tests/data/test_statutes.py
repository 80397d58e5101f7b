"""Statute parsing: '### 제N조(제목)' acts and inline '제1-1조(…)' regulations, on fixtures."""
from __future__ import annotations

from testdata import FIXTURES
from pathlib import Path

import pytest

from lexlab.workbench.io import ParseError
from lexlab.data.statutes import load_statutes, parse_statute, split_paragraphs

LAW = FIXTURES / "data" / "pkg" / "law_api"


def by_article(articles):
    return {a.article: a for a in articles}


def test_heading_style_act():
    arts = by_article(parse_statute(LAW / "topic" / "시험법.md"))
    assert list(arts) == ["제1조", "제2조", "제2조의2", "제3조", "제4조"]  # 부칙's 제1조 is not an article
    a = arts["제2조의2"]
    assert (a.law, a.article_no, a.title, a.law_kind) == ("시험법", "2의2", "적용 범위", "법률")
    assert len(a.paragraphs) == 3
    assert a.paragraphs[1] == "② 제1항에도 불구하고 다음 각 호의 시험에는 적용하지 아니한다.\n1. 모의시험\n2. 연습시험"
    assert a.text == "\n".join(a.paragraphs)
    assert arts["제2조"].paragraphs[0].count("\n") == 2  # items stay inside their paragraph
    assert "제2장" not in arts["제2조의2"].text  # chapter lines are not article text
    # a body line that starts like an inline heading stays text in a '###' file
    assert arts["제2조의2"].paragraphs[2].endswith("제2조(제2호는 제외한다)는 연습시험에 준용한다.")
    assert arts["제3조"].deleted and arts["제3조"].title == ""
    assert not arts["제4조"].deleted and "1년 이하의 징역" in arts["제4조"].text


def test_inline_style_regulation():
    arts = by_article(parse_statute(LAW / "topic" / "시험감독규정.md"))
    assert list(arts) == ["제1-1조", "제1-2조", "제1-3조", "제2-1조"]
    assert arts["제1-1조"].article_no == "1-1"
    assert arts["제1-1조"].text.startswith("이 규정은 「시험법」")  # text on the heading line is the article's
    assert [p[0] for p in arts["제1-2조"].paragraphs] == ["①", "②"]
    assert arts["제1-3조"].deleted
    # a prose line starting "제6조의 규정에 의한" is text, not a heading; 부칙 ends the articles
    assert arts["제2-1조"].text.endswith("제6조의 규정에 의한 감독은 이 조에서 정한다.")
    assert "시행일" not in arts["제2-1조"].text


def test_prose_guideline_and_broken_front_matter_are_reported():
    errors: list[dict] = []
    arts = load_statutes(LAW, errors=errors, progress=False)
    assert len(arts) == 9
    assert {(Path(e["path"]).name, e["field"]) for e in errors} == {("시험지침.md", "articles"),
                                                                   ("front_matter_broken.md", "front_matter")}
    with pytest.raises(ParseError):
        load_statutes(LAW, on_error="raise", progress=False)


def test_same_act_in_two_folders_is_kept_once(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "시험법.md").write_text((LAW / "topic" / "시험법.md").read_text(encoding="utf-8"),
                                                   encoding="utf-8")
    arts = load_statutes(tmp_path, progress=False)
    assert len(arts) == 5 and all("/a/" in a.source_path for a in arts)


def test_missing_law_name(tmp_path):
    f = tmp_path / "x.md"
    f.write_text("---\n법령구분: 법률\n---\n\n### 제1조(목적)\n본문\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_statute(f)
    assert info.value.field == "제목"


def test_split_paragraphs():
    assert split_paragraphs("본문 한 줄") == ["본문 한 줄"]
    assert split_paragraphs("① 가\n1. 나\n② 다") == ["① 가\n1. 나", "② 다"]
    assert split_paragraphs("") == []
