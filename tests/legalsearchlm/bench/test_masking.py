"""Masking stays byte-for-byte what it was: the benchmark's query texts and LegalSearchLM's inputs depend on it."""
from __future__ import annotations

from lexlab.legalsearchlm.bench.masking import MASK_ARTICLE, mask_articles, mask_like_query

_LONG = "원심은 그 판시와 같은 이유로 이 부분 공소사실을 유죄로 판단하였다. 기록에 비추어 살펴보면 원심의 판단은 정당하다."
_FACTS = ("피고인은 2019. 3. 1. 서울 강남구에서 피해자 공소외 1에게 '돈을 빌려주면 한 달 뒤에 갚겠다'고 거짓말하여 "
          "이에 속은 피해자로부터 차용금 명목으로 5,000만 원을 송금받아 편취하였다.")


def test_benchmark_query_text_is_unchanged(decisions, build):
    text = build(decisions).queries.set_index("id").loc["2019도1234", "text"]
    assert text == (
        f"상고이유를 판단한다. 원심은 {_FACTS} 는 이 사건 공소사실을 유죄로 인정하였다. [죄명]죄는 타인을 기망하여 착오에 "
        "빠뜨리고 처분행위를 유발하여 재물을 교부받는 범죄이다 . 원심판결(서울고등법원 [사건번호]) 이유를 기록에 비추어 보면 "
        "원심이 [법령] 제○조, [법령] 제○조를 적용한 것은 정당하고, [법령] 제○조의 상고이유에 해당하지 않는다. "
        + " ".join([_LONG] * 3))


def test_mask_like_query_is_unchanged(decisions):
    reasoning = decisions.set_index("case_id").loc["2019도1234", "reasoning"]
    assert mask_like_query(reasoning) == (
        f"상고이유를 판단한다. 원심은 {_FACTS} 는 이 사건 공소사실을 유죄로 인정하였다. [죄명]는 타인을 기망하여 착오에 "
        "빠뜨리고 처분행위를 유발하여 재물을 교부받는 범죄이다(대법원 2017. 2. 16. 선고 2016도13362 전원합의체 판결 등 참조). "
        "원심판결(서울고등법원 2018노555) 이유를 기록에 비추어 보면 원심이 형법 제○조, 형법 제○조를 적용한 것은 정당하고, "
        "[법령] 제○조의 상고이유에 해당하지 않는다. 차용금 사기에서 변제의사와 능력은 차용 당시를 기준으로 판단하여야 한다. "
        "이 사건도 차용금 사기에서 변제의사와 능력은 차용 당시를 기준으로 판단하여야 하므로 피고인의 주장은 받아들이지 않는다. "
        + " ".join([_LONG] * 3) + " \n대법관 김갑동(재판장) 이을동(주심) 박병동")


def test_article_numbers_with_sub_items():
    assert mask_articles("제188조의4 제1항 제2호의3, 제 36 조") == f"{MASK_ARTICLE}, {MASK_ARTICLE}"
