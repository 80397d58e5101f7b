"""Applied articles as elements, matched by key with the head weighing most (issue #23), on a toy corpus whose
answer is known."""
import random

import numpy as np
import pytest

from lexlab.legalsearchlm.searchlm.articles import (
    ArticleIndex,
    article_elements,
    article_key,
    article_scores,
    span_articles,
    stated_articles,
    written_form,
)
from lexlab.legalsearchlm.searchlm.decoding import Span
from lexlab.legalsearchlm.searchlm.scoring import add_normalised
from lexlab.legalsearchlm.searchlm.train import _groups

FILLER = "피고인은 그 무렵 여러 차례 같은 장소에서 일을 하였다. " * 30  # > 600 characters of facts

HEAD_FRAUD = "[1] 형법 제347조 제1항의 사기죄에서 기망행위의 의미 " + FILLER
BODY_FRAUD = "[1] 업무상 주의의무의 범위 " + FILLER + " 따라서 형법 제347조 제1항을 적용한다."
SPACED = ("[1] 특정경제범죄 가중처벌 등에 관한 법률 제3조 제1항의 이득액 " + FILLER)
OTHER = "[1] 형법 제329조의 절도죄에서 불법영득의사 " + FILLER + " 형법 제37조, 제38조"


def test_article_elements_are_the_case_s_substantive_articles_as_it_writes_them_head_first():
    els = article_elements(BODY_FRAUD + " " + SPACED)
    assert [e.kind for e in els] == ["article", "article"]
    assert els[0].text == "형법 제347조" and els[1].text == "특정경제범죄 가중처벌 등에 관한 법률 제3조"
    assert [e.text for e in article_elements(SPACED + " 형법 제347조")] == [
        "특정경제범죄 가중처벌 등에 관한 법률 제3조", "형법 제347조"]  # the head's article first
    assert "형법 제37조" not in [e.text for e in article_elements(OTHER)]  # 형법 총칙: not substantive


def test_a_written_form_is_found_whatever_the_spacing_and_a_phrase_before_it_is_not_the_law():
    assert written_form("그러나 정보통신망법 제48조 위반", "정보통신망이용촉진및정보보호등에관한법률 제48조") == "정보통신망법 제48조"
    assert article_key("특정경제범죄가중처벌등에관한법률 제3조") == article_key("특정경제범죄 가중처벌 등에 관한 법률 제3조 제1항")
    assert article_key("형법 제37조") is None and article_key("피고인은") is None
    assert stated_articles("그러나 정보통신망법 제48조") == ["정보통신망이용촉진및정보보호등에관한법률 제48조"]


@pytest.fixture()
def index():
    return ArticleIndex.from_texts([HEAD_FRAUD, BODY_FRAUD, SPACED, OTHER], head_chars=600)


def test_a_case_stating_the_article_in_its_head_outranks_one_stating_it_in_its_reasoning(index):
    key = article_key("형법 제347조")
    flat = article_scores({key: 1.0}, index, head_weight=0.0)
    assert flat[0] == flat[1] > 0 and flat[2] == flat[3] == 0
    weighted = article_scores({key: 1.0}, index, head_weight=3.0)
    assert weighted[0] == 4 * weighted[1] > 0 and weighted[2] == weighted[3] == 0


def test_a_generated_span_matches_every_case_stating_its_article_however_written(index, tmp_path):
    spans = [Span(tokens=(1,), logprob=np.log(0.5), count=1), Span(tokens=(2,), logprob=np.log(0.9), count=1)]
    text = {1: "특정경제범죄가중처벌등에관한법률 제3조", 2: "기망행위의 의미"}
    keys = span_articles(spans, lambda ids: text[ids[0]], index)
    assert list(keys) == ["특정경제범죄가중처벌등에관한법률 제3조"]
    assert keys["특정경제범죄가중처벌등에관한법률 제3조"] == pytest.approx(0.5 * index.idf("특정경제범죄가중처벌등에관한법률 제3조"))
    assert np.flatnonzero(article_scores(keys, index, 3.0)).tolist() == [2]  # the spaced-out case
    index.save(tmp_path / "a.json")
    again = ArticleIndex.load(tmp_path / "a.json")
    assert np.array_equal(article_scores(keys, again, 3.0), article_scores(keys, index, 3.0))


def test_span_and_article_scores_add_on_one_scale():
    spans, art = np.array([10.0, 5.0, 0.0]), np.array([0.0, 2.0, 1.0])
    assert add_normalised(spans, art, 1.0).tolist() == [1.0, 1.5, 0.5]
    assert add_normalised(spans, np.zeros(3), 1.0).tolist() == [1.0, 0.5, 0.0]


def test_every_applied_article_leads_its_own_training_example():
    leads, rest = [[1], [2]], [[10], [11], [12], [13], [14], [15], [16], [17]]
    groups = _groups([list(x) for x in leads], [list(x) for x in rest], 4, random.Random(0))
    assert sorted(g[0] for g in groups[:2]) == [[1], [2]]
    assert all(len(g) <= 4 for g in groups)
    assert sorted(t[0] for g in groups for t in g) == [1, 2, *range(10, 18)]


def test_feedback_adds_the_articles_the_best_cases_heads_agree_on(index):
    from lexlab.legalsearchlm.searchlm.articles import feedback_articles, with_articles

    first = np.array([3.0, 0.0, 0.0, 1.0])  # the spans found case 0 (fraud in its head) and case 3 (theft)
    votes = feedback_articles(first, index, depth=2)
    assert votes["형법 제347조"] == pytest.approx(3.0 * index.idf("형법 제347조"))
    assert votes["형법 제329조"] == pytest.approx(1.0 * index.idf("형법 제329조"))
    ranked = with_articles(first, {}, index, 1.0, 3.0, feedback_depth=2, feedback_weight=1.0)
    assert ranked[1] > 0 and ranked[1] > ranked[2]  # case 1 states fraud (in its reasoning): found by feedback
    assert np.array_equal(with_articles(first, {}, index, 1.0, 3.0), first)  # no article, no feedback: unchanged


def test_only_the_most_probable_articles_are_kept_when_asked(index):
    spans = [Span(tokens=(1,), logprob=np.log(0.2), count=1), Span(tokens=(2,), logprob=np.log(0.6), count=1)]
    text = {1: "형법 제347조", 2: "형법 제329조"}
    assert set(span_articles(spans, lambda ids: text[ids[0]], index)) == {"형법 제347조", "형법 제329조"}
    assert list(span_articles(spans, lambda ids: text[ids[0]], index, top=1)) == ["형법 제329조"]
