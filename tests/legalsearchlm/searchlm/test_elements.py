"""Legal elements: offline extraction starts spans on legal words; naive spans occur in the case."""
from __future__ import annotations


def test_offline_elements_start_on_legal_words():
    from lexlab.legalsearchlm.searchlm.elements import extract_elements, normalize_text, random_spans

    text = ("피고인은 2019. 3. 5. 서울 강남구에서 근로기준법 제36조를 위반하여 임금을 지급하지 아니하였다. "
            "이는 근로기준법 제36조 위반죄에 해당한다. 근로자의 임금을 지급하지 아니한 사용자는 처벌된다.")
    on = [e.text for e in extract_elements(text)]
    assert "근로기준법 제36조" in on
    assert any(e.startswith("위반죄") for e in on)
    for e in on:
        assert e in normalize_text(text)
        assert not e[0].isdigit() and not e.startswith(("피고인", "서울", "2019"))
    off = [e.text for e in extract_elements(text, first_token_aware=False)]
    assert any(not e.startswith("근로기준법") and "근로기준법 제36조" in e for e in off)  # clause context kept
    import random

    for e in random_spans(text, 5, random.Random(0)):
        assert e.text in normalize_text(text)
