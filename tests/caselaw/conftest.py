"""A hand-made decisions table with a known answer: drunk-driving cases the Supreme Court dismissed (상고기각),
defamation cases it reversed (파기), a later reversal on the drunk-driving issue that no earlier case may cite, and
the question case's own appeal chain (a high-court reversal on the same issue)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

COLUMNS = ["case_id", "title", "court", "case_type", "decision_type", "date", "ref_articles_raw", "ref_cases_raw",
           "ref_articles", "holdings", "summary", "order", "reasoning", "facts", "applied_law_text",
           "lower_case_ids", "source_paths", "folder"]
DISMISS = "상고를 기각한다."
REVERSE = "원심판결을 파기하고, 사건을 서울중앙지방법원에 환송한다."
DRUNK = ("음주운전 호흡측정 결과 혈중알코올농도를 위드마크 공식으로 운전 시점까지 역추산하여 추정할 수 있는지 여부. "
         "위드마크 공식에 의한 혈중알코올농도 추정은 피고인에게 가장 유리한 수치를 적용하여야 한다.")
FACTS = "피고인은 2019. 1. 1. 혈중알코올농도 0.08%의 술에 취한 상태로 승용차를 운전하였다."
LIBEL = ("명예훼손죄의 공연성은 불특정 또는 다수인이 인식할 수 있는 상태를 말하고 개별적으로 한 사람에게 사실을 "
         "유포하였더라도 전파가능성이 있으면 공연성이 인정된다는 법리의 한계.")


def decision(case_id, date, order, text, *, court="대법원", title="도로교통법위반(음주운전)", holdings="",
             lower=(), ref=("도로교통법 제44조",), facts=""):
    return {"case_id": case_id, "title": title, "court": court, "case_type": "형사", "decision_type": "판결",
            "date": date, "ref_articles_raw": "", "ref_cases_raw": "", "ref_articles": list(ref),
            "holdings": holdings, "summary": text if court == "대법원" else "", "order": order,
            "reasoning": f"상고이유를 판단한다. {text} 원심의 판단은 정당하다. {order}", "facts": facts,
            "applied_law_text": "", "lower_case_ids": list(lower), "source_paths": [], "folder": ""}


def toy_rows() -> list[dict]:
    rows = [decision(f"2020도{i}", f"2020-0{i}-10", DISMISS, DRUNK[:60]) for i in (1, 2, 3)]
    rows += [decision(f"2020도{i}", f"2020-0{i}-15", REVERSE, LIBEL, title="명예훼손", ref=("형법 제307조",),
                      holdings="[1] 명예훼손죄에서 공연성의 의미(적극)") for i in (5, 6, 7)]
    rows += [
        # the question: a held-out (test split) drunk-driving case; its holdings carry a marker to be removed
        decision("2021도45", "2021-06-01", DISMISS, DRUNK, holdings=f"[1] {DRUNK[:60]}(적극)", lower=["2019노1"],
                 facts=FACTS),
        # its own appeal chain, on the very same facts, reversing (never citable from 2021도45)
        decision("2019노1", "2019-10-01", "원심판결을 파기한다.", DRUNK + FACTS, court="서울고등법원", facts=FACTS),
        # later Supreme Court reversals on the same issue and facts: the future, never citable from 2021도45
        decision("2022도1", "2022-05-01", REVERSE, DRUNK + FACTS, holdings=f"[1] {DRUNK[:60]}", facts=FACTS),
        decision("2022도2", "2022-06-01", REVERSE, DRUNK + FACTS, holdings=f"[1] {DRUNK[:60]}", facts=FACTS),
        # a held-out defamation question, and one with no 판시사항: the grounds of appeal before the judgment
        decision("2021도46", "2021-07-01", REVERSE, LIBEL, title="명예훼손", ref=("형법 제307조",),
                 holdings="[1] 명예훼손죄에서 공연성의 의미(소극)"),
        decision("2020도11", "2020-11-11", DISMISS, DRUNK),
    ]
    rows[-1]["reasoning"] = ("1. 상고이유의 요지\n피고인은 위드마크 공식의 적용이 잘못되었다고 주장한다.\n2. 판단\n"
                             "원심의 판단은 정당하고 상고이유 주장은 이유 없다. 그러므로 상고를 기각한다.")
    return rows


@pytest.fixture
def toy() -> pd.DataFrame:
    return pd.DataFrame(toy_rows(), columns=COLUMNS)


@pytest.fixture
def toy_snapshot(toy, tmp_path):
    snap = tmp_path / "snap"
    snap.mkdir()
    toy.to_parquet(snap / "decisions.parquet")
    (snap / "manifest.json").write_text(json.dumps({"version": "toy", "counts": {"decisions": len(toy)}}),
                                        encoding="utf-8")
    return snap
