"""A hand-made decisions table for the LEGAR-style benchmark tests: one fraud case with its appeal chain, its
relevant and irrelevant neighbours, a labour pair and a civil case."""
from __future__ import annotations

import pandas as pd
import pytest

from lexlab.legalsearchlm.bench import legar

COLUMNS = ["case_id", "title", "court", "case_type", "decision_type", "date", "ref_articles_raw", "ref_cases_raw",
           "ref_articles", "holdings", "summary", "order", "reasoning", "facts", "applied_law_text",
           "lower_case_ids", "source_paths", "folder"]

FRAUD_FACTS = ("피고인은 2019. 3. 1. 서울 강남구에서 피해자 공소외 1에게 '돈을 빌려주면 한 달 뒤에 갚겠다'고 거짓말하여 "
               "이에 속은 피해자로부터 차용금 명목으로 5,000만 원을 송금받아 편취하였다. ")


def decision(case_id, title, *, court="대법원", case_type="형사", ref=(), ref_raw="", reasoning="", facts="",
             applied="", lower=(), holdings="", summary=""):
    return {
        "case_id": case_id, "title": title, "court": court, "case_type": case_type, "decision_type": "판결",
        "date": "2020-01-01", "ref_articles_raw": ref_raw, "ref_cases_raw": "", "ref_articles": list(ref),
        "holdings": holdings, "summary": summary, "order": "상고를 기각한다.", "reasoning": reasoning,
        "facts": facts, "applied_law_text": applied, "lower_case_ids": list(lower), "source_paths": [], "folder": "",
    }


LONG = "원심은 그 판시와 같은 이유로 이 부분 공소사실을 유죄로 판단하였다. 기록에 비추어 살펴보면 원심의 판단은 정당하다. " * 3


@pytest.fixture
def decisions() -> pd.DataFrame:
    q_reasoning = (
        "상고이유를 판단한다. 원심은 " + FRAUD_FACTS + "는 이 사건 공소사실을 유죄로 인정하였다. "
        "사기죄는 타인을 기망하여 착오에 빠뜨리고 처분행위를 유발하여 재물을 교부받는 범죄이다"
        "(대법원 2017. 2. 16. 선고 2016도13362 전원합의체 판결 등 참조). "
        "원심판결(서울고등법원 2018노555) 이유를 기록에 비추어 보면 원심이 형법 제347조 제1항, 형법 제30조를 적용한 것은 "
        "정당하고, 형사소송법 제383조의 상고이유에 해당하지 않는다. 차용금 사기에서 변제의사와 능력은 차용 당시를 "
        "기준으로 판단하여야 한다. 이 사건도 차용금 사기에서 변제의사와 능력은 차용 당시를 기준으로 "
        "판단하여야 하므로 피고인의 주장은 받아들이지 않는다. " + LONG + "\n대법관 김갑동(재판장) 이을동(주심) 박병동"
    )
    rows = [
        decision("2019도1234", "사기", ref=["형법 제347조", "형법 제30조", "형사소송법 제383조"],
                 ref_raw="[1] 형법 제347조 제1항, 제30조 / [2] 형사소송법 제383조", reasoning=q_reasoning,
                 lower=["2018노555"], holdings="[1] 차용금 사기에서 편취의 범의를 판단하는 기준",
                 summary="[1] 차용금 사기에서 변제의사와 능력은 차용 당시를 기준으로 판단하여야 한다. "
                 "[2] 상고이유서에 구체적 이유를 적지 않은 상고는 기각한다."),
        # its own appeal chain: the high court and (transitively) the district court
        decision("2018노555", "사기", court="서울고등법원", ref=["형법 제347조"], reasoning=FRAUD_FACTS + LONG,
                 lower=["2017고단99"]),
        decision("2017고단99", "사기", court="서울중앙지방법원", reasoning=FRAUD_FACTS + LONG,
                 applied="1. 범죄사실에 대한 해당법조 및 형의 선택\n형법 제347조 제1항, 징역형 선택\n1. 집행유예\n형법 제62조 제1항"),
        # relevant: same charge, shares 제347조
        decision("2020도1", "사기", ref=["형법 제347조", "형법 제37조"], reasoning="다른 사기 사건. " + LONG),
        # relevant: 사기미수 normalises to 사기, shares 제347조
        decision("2020도2", "사기미수", ref=["형법 제352조", "형법 제347조"], reasoning="미수 사건. " + LONG),
        # not relevant: same charge but only general-part / procedure provisions in common
        decision("2020도3", "사기", ref=["형법 제30조", "형사소송법 제383조", "헌법 제12조"], reasoning=LONG),
        # not relevant under "exact": two charges
        decision("2020도4", "사기·횡령", ref=["형법 제347조", "형법 제355조"], reasoning=LONG),
        # not relevant: other charge
        decision("2020도5", "횡령", ref=["형법 제355조"], reasoning=LONG),
        # relevant, and its case number holds spaces (joined cases): TREC files must still have 4 fields
        decision("2020도6, 2020도7(병합)", "사기", ref=["형법 제347조"], reasoning="병합 사건. " + LONG),
        # labour pair: lower court citing only in 법령의 적용, and a Supreme Court one with 참조조문
        decision("2021고단7", "근로기준법위반", court="수원지방법원", reasoning=(
            "범죄사실\n피고인은 상시 근로자 10명을 사용하는 사용자로서 근로자 공소외 2의 임금 300만 원을 지급하지 아니하였다.\n"
            "법령의 적용\n1. 범죄사실에 대한 해당법조\n근로기준법 제109조 제1항, 제36조\n1. 경합범가중\n형법 제37조 전단\n"
            "양형의 이유\n" + LONG),
            facts="피고인은 상시 근로자 10명을 사용하는 사용자로서 근로자 공소외 2의 임금 300만 원을 지급하지 아니하였다.",
            applied="1. 범죄사실에 대한 해당법조\n근로기준법 제109조 제1항, 제36조\n1. 경합범가중\n형법 제37조 전단"),
        decision("2021도8", "근로기준법 위반", ref=["근로기준법 제36조", "근로기준법 제109조"],
                 reasoning="근로기준법 제36조의 금품청산 의무 위반 여부. " + LONG),
        # civil cases are not in the pool
        decision("2020다9", "손해배상(기)", case_type="민사", ref=["민법 제750조"], reasoning=LONG),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture
def row():
    """``decision(...)``: one decisions-table row (keyword arguments as in the table's columns)."""
    return decision


@pytest.fixture
def build():
    """``build(decisions, **kw)``: the benchmark with fixed splits (2021도8 in test, the rest dev), no progress bar."""
    def _build(decisions, **kw):
        splits = {c: ("test" if c == "2021도8" else "dev") for c in decisions["case_id"]}
        return legar.build_benchmark(decisions, split_of=splits, progress=False, **kw)

    return _build
