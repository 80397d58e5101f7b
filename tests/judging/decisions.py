"""Hand-written Supreme Court decisions for the judging tests: each restates one holding of a (made-up) earlier
decision and cites it, as Korean decisions do; one restates its holding twice (the CaseHOLD leak)."""
from __future__ import annotations

from pathlib import Path

# (case id, charge, cited article, holding, cited case). The 2019도 ids fall in the test split, 2018도 in train.
CASES = [
    ("2019도1004", "사기", "형법 제347조", "사기죄의 기망행위는 널리 재산상의 거래관계에서 서로 지켜야 할 신의와 성실의 "
     "의무를 저버리는 모든 적극적 또는 소극적 행위를 말한다", "2016도1111"),
    ("2019도1014", "사기", "형법 제347조", "사기죄에서 편취의 고의는 피고인이 자백하지 않는 한 범행 전후의 재력, 환경, "
     "범행의 내용, 거래의 이행과정 등 객관적 사정을 종합하여 판단할 수밖에 없다", "2016도2222"),
    ("2019도1015", "횡령", "형법 제355조", "횡령죄에서 불법영득의사는 타인의 재물을 보관하는 자가 위탁의 취지에 반하여 "
     "권한 없이 스스로 소유자처럼 처분하려는 의사를 말한다", "2016도4444"),
    ("2019도1019", "횡령", "형법 제355조", "금전의 보관을 위탁받은 자가 용도가 엄격히 제한된 금전을 그 용도 외로 "
     "사용하는 것은 그 자체로 횡령죄를 구성한다", "2016도5555"),
    ("2019도1028", "사기", "형법 제347조", "부작위에 의한 기망은 법률상 고지의무 있는 자가 상대방이 착오에 빠져 있음을 "
     "알면서도 그 사실을 고지하지 아니하는 것을 말한다", "2016도8888"),
    ("2018도1000", "사기", "형법 제347조", "사기죄는 타인을 기망하여 착오에 빠뜨리고 그 처분행위를 유발하여 재물을 "
     "교부받으면 성립하고 피해자에게 손해가 발생할 것을 요건으로 하지 않는다", "2016도3333"),
    ("2018도1001", "사기", "형법 제347조", "차용금 편취에서 기망은 변제할 의사나 능력 없이 마치 변제할 것처럼 상대방을 "
     "속이는 것을 말하며 그 여부는 차용 당시를 기준으로 판단한다", "2016도6666"),
    ("2018도1002", "업무상횡령", "형법 제356조", "업무상횡령죄의 업무는 법령이나 계약에 의한 것뿐만 아니라 관례를 좇거나 "
     "사실상의 것이거나를 묻지 않고 같은 행위를 반복할 지위에 따른 사무를 가리킨다", "2016도7777"),
]
LEAKING = "2019도1028"  # restates its holding a second time after the citation

TEMPLATE = """---
제목: {charge}
사건번호: {case_id}
법원: 대법원
사건종류: 형사
판결유형: 판결
선고일자: 2019-06-01
참조조문: {article}
참조판례: 대법원 2016. 1. 1. 선고 {cited} 판결
법령분야: 테스트
출처: fixture
---

# 대법원 2019. 6. 1. 선고 {case_id}

{charge}

판결요지
[1] {holding}.<br/>

주    문
<br/>원심판결을 파기하고, 사건을 서울중앙지방법원에 환송한다.<br/>
이    유
상고이유를 판단한다.<br/>1. 원심은 피고인이 2019. 3. 5. 피해자로부터 3,000만 원을 받은 사실을 인정하였다.<br/>2. {holding}(대법원 2016. 1. 1. 선고 {cited} 판결 참조).<br/>3. 원심은 이와 달리 판단하였으므로 원심판결에는 법리를 오해한 잘못이 있다.{again}<br/>
"""


def write_decisions(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for case_id, charge, article, holding, cited in CASES:
        again = f" 다시 말하면 {holding}." if case_id == LEAKING else ""
        (root / f"prec_{case_id}.md").write_text(TEMPLATE.format(
            case_id=case_id, charge=charge, article=article, holding=holding, cited=cited, again=again),
            encoding="utf-8")
    return root


def build(tmp: Path) -> Path:
    """A snapshot of the decisions above; its directory."""
    from lexlab.data.snapshot import build_snapshot
    from lexlab.data.sources import DecisionsSource

    build_snapshot(tmp / "snap", [DecisionsSource(write_decisions(tmp / "prec"))], version="j1", progress=False)
    return tmp / "snap" / "j1"
