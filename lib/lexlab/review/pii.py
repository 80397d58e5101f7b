"""Personal data in the forms Korean court documents write it, and look-alikes that must pass (hard negatives).

Every generator takes a seeded ``random.Random`` and returns text; ``fill`` turns a template with ``{kind}``
slots into text plus the character spans of each slot, so an inserted item is labelled exactly where it is.
The values are invented (random names, numbers that follow the formats); none is a real person's data.
"""
from __future__ import annotations

import random
import re
from typing import Callable

SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부황보"
GIVEN = "민서준지현우수영예도하은진호성재연혜태경승유동희상주윤정훈아나원석철길병순미숙자옥"
SIDO = [("서울특별시", ["강남구", "서초구", "송파구", "마포구", "종로구", "관악구", "노원구", "은평구"]),
        ("부산광역시", ["해운대구", "부산진구", "동래구", "사하구"]), ("대구광역시", ["수성구", "달서구", "북구"]),
        ("인천광역시", ["남동구", "부평구", "연수구"]), ("광주광역시", ["북구", "서구", "광산구"]),
        ("경기도", ["수원시 영통구", "성남시 분당구", "고양시 일산동구", "용인시 수지구", "부천시", "안산시 단원구"]),
        ("충청남도", ["천안시 서북구", "아산시"]), ("경상남도", ["창원시 의창구", "김해시"]), ("전라북도", ["전주시 완산구"])]
ROADS = ["테헤란로", "중앙로", "세종대로", "반포대로", "올림픽로", "월드컵로", "해운대로", "동대구로", "경수대로", "시청로",
         "번영로", "은행나무길", "봉은사로", "도산대로", "가야대로"]
BANKS = [("국민은행", "{6}-{2}-{6}"), ("신한은행", "110-{3}-{6}"), ("우리은행", "1002-{3}-{6}"),
         ("하나은행", "{3}-{6}-{5}"), ("농협은행", "302-{4}-{4}-{2}"), ("기업은행", "{3}-{6}-{2}-{3}"),
         ("카카오뱅크", "3333-{2}-{7}")]
PRIVATE_ROLES = ["피해자", "피고인", "공소외", "증인", "고소인", "참고인", "신고인", "피의자"]
PUBLIC_ROLES = ["재판장 판사", "판사", "대법관", "검사", "주심 대법관", "법원사무관", "사법경찰관 경위", "변호인 변호사"]
STATUTE_BODIES = ["한국토지주택공사", "한국전력공사", "한국거래소", "한국은행", "국민건강보험공단", "한국도로공사",
                  "근로복지공단", "한국자산관리공사", "예금보험공사", "한국산업은행"]
COURTS = ["서울중앙지방법원", "서울고등법원", "대법원", "부산지방법원", "수원지방법원", "대구고등법원", "인천지방법원"]
CASE_MARKS = ["도", "고단", "고합", "노", "다", "가합", "나", "구합", "두"]
LAWS = ["형법", "형사소송법", "도로교통법", "특정경제범죄 가중처벌 등에 관한 법률", "개인정보 보호법", "근로기준법",
        "전자금융거래법", "정보통신망 이용촉진 및 정보보호 등에 관한 법률", "민법", "상법"]


def digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def _date(rng: random.Random, lo: int = 1950, hi: int = 2023) -> tuple[int, int, int]:
    return rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28)


# ------------------------------------------------------------------------------------------ personal data

def name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
    return rng.choice(SURNAMES) + given


def rrn(rng: random.Random) -> str:
    """주민등록번호: birth date, then the sex/century digit and six more."""
    y, m, d = _date(rng, 1940, 2010)
    sex = rng.choice("12") if y < 2000 else rng.choice("34")
    return f"{y % 100:02d}{m:02d}{d:02d}-{sex}{digits(rng, 6)}"


def phone(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.7:
        return f"010-{digits(rng, 4)}-{digits(rng, 4)}"
    if kind < 0.85:
        return f"02-{digits(rng, rng.choice((3, 4)))}-{digits(rng, 4)}"
    return f"0{rng.choice(('31', '32', '51', '53', '62'))}-{digits(rng, 3)}-{digits(rng, 4)}"


def address(rng: random.Random) -> str:
    sido, gus = rng.choice(SIDO)
    base = f"{sido} {rng.choice(gus)} {rng.choice(ROADS)} {rng.randint(1, 399)}"
    if rng.random() < 0.5:
        return f"{base}, {rng.randint(101, 120)}동 {rng.randint(1, 25)}{rng.randint(1, 4):02d}호"
    return base


def account(rng: random.Random) -> str:
    bank, fmt = rng.choice(BANKS)
    number = re.sub(r"\{(\d)\}", lambda m: digits(rng, int(m.group(1))), fmt)
    return f"{bank} {number}"


PERSONAL: dict[str, Callable[[random.Random], str]] = {
    "name": name, "rrn": rrn, "phone": phone, "address": address, "account": account}

# ------------------------------------------------------------------------------------------ hard negatives


def official(rng: random.Random) -> str:
    """A public official or judge named in their role: published, never masked."""
    return f"{rng.choice(PUBLIC_ROLES)} {name(rng)}"


def statute_body(rng: random.Random) -> str:
    body = rng.choice(STATUTE_BODIES)
    return rng.choice([f"「{body}법」에 따른 {body}", f"{body}", f"주식회사 {body}" if "은행" in body else body])


def case_number(rng: random.Random) -> str:
    y, m, d = _date(rng, 1995, 2023)
    return f"{rng.choice(COURTS)} {y}. {m}. {d}. 선고 {y - rng.randint(0, 1)}{rng.choice(CASE_MARKS)}{rng.randint(1, 39999)} 판결"


def statute_number(rng: random.Random) -> str:
    if rng.random() < 0.4:
        y, m, d = _date(rng, 1995, 2023)
        return f"{y}. {m}. {d}. 법률 제{rng.randint(4000, 19999)}호로 개정된 것"
    return f"{rng.choice(LAWS)} 제{rng.randint(1, 372)}조 제{rng.randint(1, 5)}항"


def date(rng: random.Random) -> str:
    y, m, d = _date(rng, 1990, 2023)
    return f"{y}. {m}. {d}."


def amount(rng: random.Random) -> str:
    value = rng.randint(1, 9999) * rng.choice((10_000, 100_000, 1_000))
    return rng.choice([f"{value:,}원", f"금 {value:,}원", f"{value // 10_000:,}만 원"])


HARD: dict[str, Callable[[random.Random], str]] = {
    "official": official, "statute_body": statute_body, "case_number": case_number,
    "statute_number": statute_number, "date": date, "amount": amount}

# ------------------------------------------------------------------------------------------ templates

POSITIVE_TEMPLATES = [
    "피해자 {name}({rrn})은 {address}에 거주하고 있었다.",
    "피고인은 {date} 피해자 {name}의 휴대전화({phone})로 전화를 걸어 돈을 요구하였다.",
    "피고인은 피해자로부터 {amount}을 {account} 계좌로 송금받았다.",
    "공소외 {name}은 주민등록번호 {rrn}, 주거 {address}이다.",
    "증인 {name}은 {date} {address} 앞 노상에서 이를 목격하였다고 진술하였다.",
    "피고인 {name}은 {account} 명의의 계좌를 대여하였다.",
    "고소인 {name}(연락처 {phone})은 {date} 고소장을 제출하였다.",
    "피고인은 피해자 {name}에게 {phone}으로 문자메시지를 보냈다.",
    "피고인은 {address}에 있는 피해자의 집에 침입하였다.",
    "피해자의 주민등록번호 {rrn}를 도용하여 {account} 계좌를 개설하였다.",
]
HARD_TEMPLATES = [
    "이 사건은 {case_number}의 환송 후 사건이다.",
    "{official}은 {date} 공판기일에서 이를 고지하였다.",
    "원심은 {statute_number}를 적용하여 벌금 {amount}을 선고하였다.",
    "{statute_body}은 그 업무와 관련하여 {date} 고시를 하였다.",
    "{official}이 작성한 조서에는 {amount}의 피해액이 기재되어 있다.",
    "{case_number} 참조.",
    "위 조항은 {statute_number}에 따른 것이다.",
]
_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """(text, [(start, end, kind)]) with each ``{kind}`` slot filled by its generator (personal or hard)."""
    out, slots, pos = [], [], 0
    for m in _SLOT.finditer(template):
        out.append(template[pos:m.start()])
        at = sum(map(len, out))
        value = (PERSONAL.get(m.group(1)) or HARD[m.group(1)])(rng)
        out.append(value)
        slots.append((at, at + len(value), m.group(1)))
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), slots
