"""Charge titles (죄명) → normalised charges → crime categories.

A decision's title lists its charges joined by "·" ("사기·전자금융거래법위반"), in spellings that drift over time
and between courts ("저작권법 위반", "저작권법위반방조", "부정경쟁방지법위반" for the law that is now
"부정경쟁방지및영업비밀보호에관한법률"). Relevance in the benchmark compares charges, so every spelling of one
charge must collapse to one key; that is what :func:`normalize_charge` is for.

LEGAR BENCH reports results over 33 crime categories. Its exact list is not reproduced here: the categories below
are our own reconstruction of that grouping (violent, property, sexual, traffic, drug, public-office, regulatory
offences …), widened with the regulatory families that dominate the offline corpus (labour, IP, finance,
information). A charge none of them claims falls into :data:`OTHER`.
"""
from __future__ import annotations

import re
from typing import Iterable

OTHER = "기타"

# Suffixes that mark the mode of participation or completion, not a different offence. Stripping them makes
# "사기미수" and "저작권법위반방조" the same charge as "사기" and "저작권법위반" (the factors record 미수 separately).
_MODE_SUFFIXES = ("미수", "방조", "교사", "예비", "음모")

# Old or short names of the same statute → the current full name (whitespace already removed).
LAW_ALIASES: dict[str, str] = {
    "부정경쟁방지법": "부정경쟁방지및영업비밀보호에관한법률",
    "공직선거및선거부정방지법": "공직선거법",
    "정보통신망법": "정보통신망이용촉진및정보보호등에관한법률",
    "자본시장법": "자본시장과금융투자업에관한법률",
    "특가법": "특정범죄가중처벌등에관한법률",
    "특경법": "특정경제범죄가중처벌등에관한법률",
    "폭처법": "폭력행위등처벌에관한법률",
    "성폭력처벌법": "성폭력범죄의처벌등에관한특례법",
    "청소년성보호법": "아동·청소년의성보호에관한법률",
    "아청법": "아동·청소년의성보호에관한법률",
    "마약류관리법": "마약류관리에관한법률",
    "교특법": "교통사고처리특례법",
    "공정거래법": "독점규제및공정거래에관한법률",
    "노동조합법": "노동조합및노동관계조정법",
    "노조법": "노동조합및노동관계조정법",
    "신용정보법": "신용정보의이용및보호에관한법률",
    "금융실명법": "금융실명거래및비밀보장에관한법률",
    "범죄수익은닉법": "범죄수익은닉의규제및처벌등에관한법률",
    "대부업법": "대부업등의등록및금융이용자보호에관한법률",
    "청탁금지법": "부정청탁및금품등수수의금지에관한법률",
    "중대재해처벌법": "중대재해처벌등에관한법률",
}

# The inverse direction, for masking: every short name a text may use for a law.
SHORT_NAMES: dict[str, list[str]] = {}
for _short, _full in LAW_ALIASES.items():
    if _short != _full:
        SHORT_NAMES.setdefault(_full, []).append(_short)

_LAW_END = re.compile(r"(법률|법|령|규칙|특례법)$")


def squash(text: str | None) -> str:
    """``text`` without any whitespace (names and charges are compared that way; the corpus spaces freely)."""
    return re.sub(r"\s+", "", text or "")


def canonical_law(name: str) -> str:
    """One spelling per statute: no whitespace, no 구/현행 marker, no amendment parenthetical, aliases resolved."""
    name = squash(name)
    name = re.sub(r"\([^)]*\)$", "", name)  # "(2004.3.12.법률제7191호로개정되기전의것)"
    name = re.sub(r"^(구|현행|舊)", "", name)
    return LAW_ALIASES.get(name, name)


# Law names that contain a middle dot themselves ("아동·청소년의성보호에관한법률", "총포·도검·화약류등단속법"):
# the dot between these words is part of a name, not a separator between charges.
_DOTTED_NAME = re.compile(r"(아동|표시|총포|도검|장애인|노인|남녀고용평등과일)\s*[·ㆍ]\s*(?=청소년|광고|도검|화약류|노인|임산부|가정)")
_KEEP_DOT = "\x00"


def split_charges(title: str) -> list[str]:
    """Split a title on "·" (and ","), but never inside parentheses ("(영업비밀누설·취득)" is one charge) nor
    inside a law name that contains a dot ("아동·청소년의성보호에관한법률위반" is one charge)."""
    title = _DOTTED_NAME.sub(lambda m: m.group(1) + _KEEP_DOT, title or "")
    parts, depth, cur = [], 0, []
    for ch in title:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if depth == 0 and ch in "·ㆍ,，、":
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return [p.replace(_KEEP_DOT, "·").strip() for p in parts if p.strip()]


def normalize_charge(charge: str) -> str:
    """A charge key: whitespace, 구, 위반 and participation suffixes removed; statute aliases resolved.

    "구 저작권법 위반방조" → "저작권법"; "특정범죄가중처벌등에관한법률위반(뇌물)" → "특정범죄가중처벌등에관한법률(뇌물)";
    "사기미수" → "사기". The parenthetical sub-type stays: 정보통신망법 (명예훼손) and (정보통신망침해등) are
    different offences.
    """
    text = squash(charge)
    # "근로기준법위반(인정된죄명:근로자퇴직급여보장법위반)": the court convicted of the named charge; use it.
    renamed = re.search(r"\((?:인정된|변경된)죄명:([^)]*)\)", text)
    if renamed:
        text = renamed.group(1)
    text = re.sub(r"^(구|舊)(?=\S{2,})", "", text)
    text = re.sub(r"등$", "", text)
    sub = ""
    m = re.search(r"\(([^)]*)\)$", text)
    if m:
        sub, text = m.group(1), text[: m.start()]
    changed = True
    while changed:
        changed = False
        for suffix in _MODE_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text, changed = text[: -len(suffix)], True
        if text.endswith("위반") and len(text) > 3:
            text, changed = text[:-2], True
        if text.endswith("죄") and len(text) > 2:
            text, changed = text[:-1], True
    if _LAW_END.search(text):
        text = canonical_law(text)
    sub = re.sub(r"등$", "", sub)
    return f"{text}({sub})" if sub else text


# Titles of decisions on procedural motions (재항고, 준항고 …) name no charge at all.
_PROCEDURAL_TITLE = re.compile(r"(재항고|준항고|항고|이의신청|재심청구|재정신청|감호|보호처분|결정에대한|처분에대한)")


def is_procedural_title(title: str) -> bool:
    return bool(_PROCEDURAL_TITLE.search(squash(title)))


def normalize_title(title: str) -> tuple[str, ...]:
    """All distinct normalised charges of a title, sorted (order of listing carries no meaning).

    A title on a procedural motion ("재정신청기각결정에대한재항고") yields no charge: it is not an offence.
    """
    if is_procedural_title(title):
        return ()
    return tuple(sorted({normalize_charge(c) for c in split_charges(title)} - {""}))


def charge_law(charge_key: str) -> str | None:
    """The statute a normalised charge is named after, or None for a 형법 crime name ("사기")."""
    base = re.sub(r"\(.*\)$", "", charge_key)
    return base if _LAW_END.search(base) and len(base) > 2 else None


def charge_terms(charge_key: str) -> list[str]:
    """The words a text may use for this charge: its name, its sub-type, and the core crime word.

    Used to mask queries: "특정경제범죄가중처벌등에관한법률(업무상배임)" yields the law, "업무상배임" and "배임".
    """
    base, sub = charge_key, ""
    m = re.search(r"\(([^)]*)\)$", charge_key)
    if m:
        base, sub = charge_key[: m.start()], m.group(1)
    terms = [base]
    for piece in re.split(r"[·,]", sub):
        if piece:
            terms.append(piece)
    core = []
    for term in terms:
        if charge_law(term):
            continue
        stripped = re.sub(r"^(업무상|특수|상습|존속|준|야간주거침입|단순|허위|위계|출판물에의한|사자|컴퓨터등사용|컴퓨터등장애)", "", term)
        if len(stripped) >= 2 and stripped != term:
            core.append(stripped)
    out = []
    for t in terms + core:
        if len(t) >= 2 and t not in out:
            out.append(t)
    return out


# (category, keywords). A charge is matched against its parenthetical sub-type first, then its law, then its
# name, so "특정범죄가중처벌등에관한법률(뇌물)" lands in 뇌물 and not in a catch-all for 특가법.
CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("살인", ("살인", "살해", "자살교사", "자살방조")),
    ("강도", ("강도",)),
    ("성범죄", ("강간", "강제추행", "준강간", "준강제추행", "유사강간", "성폭력", "성보호", "성매매", "음란",
               "카메라등이용촬영", "통신매체이용음란", "아동·청소년", "성적목적")),
    ("아동학대/가정폭력", ("아동학대", "아동복지법", "가정폭력", "학대")),
    ("과실치사상", ("과실치사", "과실치상", "중과실", "중대재해", "산업재해치사")),
    ("교통범죄", ("도로교통법", "교통사고처리", "도주치상", "도주치사", "위험운전", "자동차손해배상", "운전")),
    ("상해/폭행", ("상해", "폭행", "폭력행위", "특수폭행", "치상", "치사")),
    ("협박/공갈/스토킹", ("협박", "공갈", "강요", "스토킹")),
    ("체포감금/약취유인", ("체포", "감금", "약취", "유인", "인신매매")),
    ("주거침입", ("주거침입", "건조물침입", "퇴거불응")),
    ("절도", ("절도", "자동차등불법사용", "절취")),
    ("사기", ("사기", "보험사기", "편취")),
    ("횡령/배임", ("횡령", "배임", "점유이탈물")),
    ("장물", ("장물",)),
    ("손괴", ("손괴", "손상")),
    ("방화", ("방화", "실화", "폭발성물건파열")),
    ("통화/유가증권위조", ("통화", "유가증권", "부정수표", "우표")),
    ("문서위조", ("문서", "위조", "변조", "위작", "허위진단서", "불실기재", "허위작성")),
    ("뇌물", ("뇌물", "수뢰", "증뢰", "알선수재", "알선수뢰", "부정청탁", "배임수재", "배임증재", "수재", "증재")),
    ("공무집행방해", ("공무집행방해", "공무상", "직무유기", "직권남용", "공무상비밀")),
    ("위증/무고", ("위증", "무고", "증거인멸", "범인도피", "범인은닉", "증거위조")),
    ("명예훼손/모욕", ("명예훼손", "모욕")),
    ("업무방해", ("업무방해", "신용훼손", "경매입찰방해", "입찰방해")),
    ("도박", ("도박", "도박장소", "게임산업", "국민체육진흥법", "한국마사회법", "사행")),
    ("마약", ("마약", "향정", "대마", "마약류")),
    ("선거/정치자금", ("공직선거", "정치자금", "선거", "정당법", "국민투표")),
    ("조세/관세/외환", ("조세", "관세", "외국환", "세무", "밀수")),
    ("금융/증권", ("자본시장", "증권거래", "전자금융", "여신전문금융", "유사수신", "대부업", "보험업",
                 "금융실명", "범죄수익", "은행법", "상호저축은행", "금융", "외부감사", "특정금융정보", "채권추심")),
    ("지식재산", ("저작권", "상표", "특허", "디자인보호", "부정경쟁방지", "영업비밀", "실용신안",
                "컴퓨터프로그램보호", "산업기술")),
    ("노동", ("근로기준", "노동조합", "근로자퇴직급여", "최저임금", "산업안전보건", "파견근로", "남녀고용평등",
            "임금채권", "근로자", "고용")),
    ("정보통신/개인정보", ("정보통신망", "개인정보", "신용정보", "통신비밀", "위치정보", "전기통신",
                      "컴퓨터등장애", "정보통신기반")),
    ("공정거래/소비자", ("공정거래", "독점규제", "하도급", "표시·광고", "표시광고", "방문판매", "전자상거래",
                   "할부거래", "약관", "가맹사업")),
    ("보건/의료/식품", ("의료법", "약사법", "식품위생", "국민건강보험", "의료기기", "건강기능식품", "화장품",
                   "보건범죄", "응급의료")),
]
CATEGORY_NAMES: list[str] = [name for name, _ in CATEGORIES]


def _match(text: str) -> str | None:
    for name, keys in CATEGORIES:
        if any(k in text for k in keys):
            return name
    return None


def category_of(charge_key: str) -> str:
    """The crime category of one normalised charge (see :func:`normalize_charge`), or :data:`OTHER`."""
    base, sub = charge_key, ""
    m = re.search(r"\(([^)]*)\)$", charge_key)
    if m:
        base, sub = charge_key[: m.start()], m.group(1)
    # 정보통신망법(명예훼손) is defamation, 특가법(도주치상) is a traffic crime: the sub-type decides first.
    return (sub and _match(sub)) or _match(base) or OTHER


def categories_of(title: str) -> list[str]:
    """Categories of every charge in a title, in the title's order, without repeats."""
    out: list[str] = []
    for charge in split_charges(title):
        cat = category_of(normalize_charge(charge))
        if cat not in out:
            out.append(cat)
    return out


def category_table(titles: Iterable[str]) -> dict[str, int]:
    """How many titles fall into each category (multi-charge titles count once per category)."""
    counts = {name: 0 for name in CATEGORY_NAMES + [OTHER]}
    for title in titles:
        for cat in categories_of(title):
            counts[cat] += 1
    return counts
