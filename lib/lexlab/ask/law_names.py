"""Which laws a question names, and whether the index holds them.

People name laws by their full title ("신용정보의 이용 및 보호에 관한 법률"), without spaces, or by a short form
("신용정보법", "자본시장법"). Each law in the index gets its aliases: the title, the title without spaces, and the
first word of the title (particle dropped) + "법" — the usual short form. The project's list of well-known short names
(``lexlab.data.references.LAW_ALIASES``: 여전법, 금소법, 특금법 …) adds the rest. A question's words that end in 법/법률
and are not ordinary words (방법, 불법, 위법 …) are law mentions; a mention no alias matches is a law the index does
not hold. Three uses: the articles of the named laws go first among the retrieved ones, an article named with its
law ("신용정보법 제27조") goes first of all, and a question that names only laws the index lacks is answered
"not found". (Appending the named laws' full titles to the query — query expansion — lowered recall@5 on the
evaluation's interpretation questions, 0.43 → 0.40, so the law name re-orders candidates instead.)
"""
from __future__ import annotations

import re
from typing import Iterable

_PARTICLE = re.compile(r"(?:의|과|와|및|에|등)$")
_LAW_WORD = re.compile(r"[가-힣A-Za-z0-9·ㆍ]+?(?:에\s?관한\s?법률|법률|법)(?=$|[^가-힣]|[은는이가을를의에과와도상및으로만])")
_TITLE = re.compile(r"(?:[가-힣·ㆍ]+\s){0,8}[가-힣·ㆍ]+에\s?관한\s?법률")
_FAMILY = re.compile(r"(?:시행령|시행규칙)$")
_ARTICLE_REF = re.compile(r"([가-힣A-Za-z·ㆍ]+?)\s?제\s?(\d+)\s?조(?:\s?의\s?(\d+))?")
_COMMON_ENDINGS = ("방법", "요법", "공부법", "학습법", "치료법", "운동법", "요리법", "조리법", "계산법", "작성법", "사용법")
# Words ending in 법 that do not name a law.
COMMON = frozenset("""방법 불법 위법 적법 합법 편법 입법 사법 해법 문법 수법 요법 기법 용법 타법 본법 동법 관련법 특별법 일반법
현행법 상위법 하위법 관계법 해당법 개정법 구법 신법 국내법 외국법 준거법 실정법 절차법 실체법 각법 법 이법 그법 처리방법
지급방법 계산방법 산정방법 평가방법 운용방법 투자방법 판매방법 결제방법 공시방법 표시방법 측정방법 조리법 헌법 민법총칙""".split())


def _short(title: str) -> str:
    first = title.split()[0] if title.split() else title
    first = _PARTICLE.sub("", first)
    return first if first.endswith("법") else first + "법"


class LawNames:
    def __init__(self, laws: Iterable[str]):
        from lexlab.data.references import LAW_ALIASES, normalise_law

        known = {}  # the project's list of well-known short names, for the laws held here (and their decrees)
        for short, full in LAW_ALIASES.items():
            known.setdefault(full, set()).add(short)
        self.alias: dict[str, set[str]] = {}
        for law in laws:
            law = str(law)
            key = normalise_law(law)
            base = _FAMILY.sub("", key)
            shorts = known.get(key, set()) | {s + key[len(base):] for s in known.get(base, set())}
            for a in {key, _short(law)} | shorts:
                if len(a) >= 2:
                    self.alias.setdefault(a, set()).add(law)

    def mentions(self, question: str) -> tuple[set[str], set[str]]:
        """(laws of the index the question names, law-like words no alias matches)."""
        known, unknown = set(), set()
        squeezed = question.replace(" ", "")
        for alias, laws in self.alias.items():
            # a two-syllable name (형법, 민법) only at the start of a word: "불법" is not 형법's neighbour
            if (alias in squeezed) if len(alias) >= 3 else re.search(rf"(?:^|[\s「『(]){alias}", question):
                known |= laws
        words = [m.group(0) for m in _TITLE.finditer(question)] + [m.group(0) for m in _LAW_WORD.finditer(question)]
        for word in words:
            word = word.replace(" ", "")
            if word in COMMON or word.endswith(_COMMON_ENDINGS) or len(word) < 3:
                continue
            if not any(word in a or a in word for a in self.alias if len(a) >= 3):
                unknown.add(word)
        return known, unknown

    def articles(self, question: str) -> list[tuple[str, str]]:
        """(law, article_no) for each "<law> 제N조[의M]" the question writes ("신용정보법 제27조", "형법 347조" is not:
        the number must follow 제), in order; a short form naming several laws (a law and its decrees) gives each."""
        out = []
        for m in _ARTICLE_REF.finditer(question):
            word, no = m.group(1), m.group(2) + (f"의{m.group(3)}" if m.group(3) else "")
            laws = set()
            for alias, named in self.alias.items():
                if word.endswith(alias):
                    laws |= named
            out += [(law, no) for law in sorted(laws)]
        return list(dict.fromkeys(out))
