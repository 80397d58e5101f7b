"""A hand-written decisions table for the review tests: masked criminal reasoning in a few shapes (공소외 1,
피해자 A, judges named at the end), 40 decisions, two of them one appeal chain. Written for these tests."""
from __future__ import annotations

import pandas as pd
import pytest

SHAPES = [
    "원심은 피고인이 {y}. 3. 1. 피해자 A에게 돈을 빌려주면 갚겠다고 거짓말하여 {m}만 원을 송금받아 편취하였다고 "
    "판단하였다. 공소외 1은 피고인의 부탁으로 계좌를 빌려주었다고 진술하였다. 기록에 비추어 살펴보면 원심의 판단은 "
    "정당하다. 사기죄는 타인을 기망하여 재물을 교부받는 범죄이다. 상고이유 주장은 받아들이지 않는다. ",
    "피고인은 {y}. 5. 7. 혈중알코올농도 0.{m}%의 술에 취한 상태로 승용차를 운전하였다. 원심은 도로교통법 "
    "제148조의2를 적용하였다. 증인 B의 진술은 믿기 어렵다는 원심의 판단에 잘못이 없다. 공소외 2는 현장에 없었다. ",
    "근로기준법 제36조에 따르면 사용자는 근로자가 퇴직한 경우 14일 이내에 임금을 지급하여야 한다. 피고인은 "
    "퇴직한 근로자 공소외 3의 임금 {m}만 원을 지급하지 아니하였다. 원심은 이를 유죄로 판단하였고 그 판단은 정당하다. ",
]


def decision(case_id: str, reasoning: str, court: str = "서울중앙지방법원", lower=()) -> dict:
    return {"case_id": case_id, "title": "사기", "court": court, "case_type": "형사", "decision_type": "판결",
            "date": "2020-01-01", "ref_articles_raw": "", "ref_cases_raw": "", "ref_articles": [], "holdings": "",
            "summary": "", "order": "상고를 기각한다.", "reasoning": reasoning, "facts": "", "applied_law_text": "",
            "lower_case_ids": list(lower), "source_paths": [], "folder": ""}


@pytest.fixture
def decisions() -> pd.DataFrame:
    rows = []
    for i in range(40):
        text = " ".join(SHAPES[(i + k) % 3].format(y=2010 + i % 10, m=100 + 7 * i + k) for k in range(3))
        rows.append(decision(f"20{10 + i % 10}도{1000 + i}", text + "\n대법관 김갑동(재판장) 이을동(주심)"))
    rows.append(decision("2019노77", SHAPES[0].format(y=2018, m=5) * 3, court="서울고등법원"))
    rows[0]["lower_case_ids"] = ["2019노77"]  # one appeal chain: must share a split
    return pd.DataFrame(rows)
