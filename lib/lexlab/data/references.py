"""Statute citations in Korean legal text, turned into (law, article, paragraph) references.

Court decisions cite provisions in a compressed house style: "[1] 형법 제347조 제1항, 제2항, 같은 법 제30조 /
구 증권거래법(2007. 8. 3. 법률 제8635호로 폐지되기 전의 것) 제188조의4". A bare "제2항" continues the last
article, a bare "제30조" the last law, "같은 법"/"동법" names the last law again, "구" (or a parenthetical
"…개정되기 전의 것") marks a repealed version of the same-named law. The retrieval benchmark compares cases at
article level, so everything downstream depends on resolving these the same way every time; that is why the
scanner below is one small state machine rather than a pile of regexes.

Law names are compared without spaces: the corpus writes both "정보통신망 이용촉진 및 정보보호 등에 관한 법률"
and "정보통신망이용촉진및정보보호등에관한법률" for the same act. ``normalise_law`` is that key; ``canonical_law``
also expands well-known short names ("자본시장법"), and every returned reference carries the canonical name.
"""
from __future__ import annotations

import re
from typing import Iterable, NamedTuple


class StatuteRef(NamedTuple):
    """One cited provision. ``paragraph``/``item`` are "제1항"/"제2호" or None; ``is_old``: a repealed version."""

    law: str
    article: str
    paragraph: str | None = None
    item: str | None = None
    is_old: bool = False

    @property
    def key(self) -> str:
        return article_key(self.law, self.article)


# Endings that make a phrase a name of a law or regulation. Checked on the space-free form.
_LAW_SUFFIXES = ("법", "법률", "령", "규칙", "규정", "세칙", "조례", "협약", "협정", "조약", "지침", "기준",
                 "고시", "규약", "요령", "훈령", "예규")
_SAME_LAW = {"같은법", "동법", "위법", "이법", "같은법률", "위법률", "동법률", "법"}
_GENERIC = {"법", "법률", "규정", "규칙", "시행령", "시행규칙", "세칙", "령", "기준", "지침", "고시"}
_COMMON_ACTS = {"상법", "민법", "형법", "헌법", "저작권법", "상표법", "특허법", "근로기준법", "증권거래법", "관세법",
                "소득세법", "법인세법", "민사소송법", "형사소송법", "부정경쟁방지법", "디자인보호법", "의장법", "실용신안법",
                "국세기본법", "조세범처벌법", "외국환관리법", "변호사법", "의료법", "약사법"}
_SAME_ARTICLE = {"같은조", "동조", "위조"}
# Words between citations that do not start a new law ("제140조 본문, 단서 제1호", "제1항 및 제2항").
_FILLERS = re.compile(r"^(?:각|및|또는|와|과|그리고|본문|단서|전단|후단|전문|후문|각호|각목|등|중|의|내지|부터|까지|~|∼|-|·|,|/|\s)*$")
_SAME_DECREE = {"같은영", "동영", "같은령", "동령", "같은시행령", "동시행령", "같은법시행령", "동법시행령", "위법시행령"}
_SAME_RULE = {"같은규칙", "동규칙", "같은시행규칙", "동시행규칙", "같은법시행규칙", "동법시행규칙", "위법시행규칙"}
# Prose words that cannot be part of a law name; a particle-final word ends the search for a name's start.
_PROSE_WORDS = {"피고인", "피고인들", "각", "위", "이", "그", "사건", "또는", "판시", "범죄사실", "해당법조",
                "선택", "점", "모두", "포괄하여", "따라", "의하여", "적용", "규정", "조항", "이하"}
_PARTICLE_END = re.compile(r"(?:은|는|을|를|가|에서|으로|로|로서|로써|에게|하여|하고|하며|였다|한다|이다|된|고|며|서|도|만)$")
_RANGE = re.compile(r"^\s*(?:내지|부터|~|∼|-|－)\s*$")

_TOKEN = re.compile(
    r"(?P<art>(?P<je>제\s?)?(?P<an>\d+)\s?조(?:\s?의\s?(?P<asub>\d+))?(?![\d원])"
    r"|제\s?(?P<dash>\d+-\d+)\s?조(?:\s?의\s?(?P<dsub>\d+))?)"
    r"|(?P<para>제\s?(?P<pn>\d+)\s?항)"
    r"|(?P<item>제\s?(?P<inum>\d+)\s?호(?:\s?의\s?(?P<isub>\d+))?)"
)
_OLD_PAREN = re.compile(r"전의\s?것|폐지|개정\s?전|구법")
_ALIAS = re.compile(r"이하\s*[‘'\"“「]([^’'\"”」]{1,30})[’'\"”」]\s*(?:이?라|로)")
# Enumerators and bullets before a law name ("가.", "1.", "ㅇ", "●", "각 ").
_ENUM = re.compile(r"^(?:\s*(?:[가-하]\.|\d+\.|\d+\)|\(\d+\)|[①-⑳]|[●○■□▶◆◇ㆍ·\-–ㅇ※*▷►◎•∙➀-➉]"
                   r"|각(?=\s)|및(?=\s)|또는(?=\s)))+\s*")
_FULLWIDTH = str.maketrans({"［": "[", "］": "]", "（": "(", "）": ")", "，": ",", "／": "/", "：": ":",
                            "\u00a0": " ", "\u3000": " ", "ㆍ": "·"})


# Short names (법제처 약칭 and the FSC's house abbreviations) → the full name's key, so "자본시장법 제176조" in an
# interpretation and "자본시장과 금융투자업에 관한 법률 제176조" in a judgment are one article. Only names that are
# unambiguous; context-bound ones ("법", "감독규정", "특별법") are left as written.
LAW_ALIASES = {
    "자본시장법": "자본시장과금융투자업에관한법률", "자통법": "자본시장과금융투자업에관한법률",
    "자본시장통합법": "자본시장과금융투자업에관한법률",
    "대부업법": "대부업등의등록및금융이용자보호에관한법률",
    "신용정보법": "신용정보의이용및보호에관한법률",
    "지배구조법": "금융회사의지배구조에관한법률", "금융회사지배구조법": "금융회사의지배구조에관한법률",
    "금융실명법": "금융실명거래및비밀보장에관한법률", "실명법": "금융실명거래및비밀보장에관한법률",
    "여전법": "여신전문금융업법",
    "금산법": "금융산업의구조개선에관한법률",
    "화보법": "화재로인한재해보상과보험가입에관한법률",
    "특정금융정보법": "특정금융거래정보의보고및이용등에관한법률", "특금법": "특정금융거래정보의보고및이용등에관한법률",
    "외부감사법": "주식회사등의외부감사에관한법률", "외감법": "주식회사등의외부감사에관한법률",
    "신협법": "신용협동조합법",
    "정보통신망법": "정보통신망이용촉진및정보보호등에관한법률",
    "전금법": "전자금융거래법",
    "금소법": "금융소비자보호에관한법률", "금융소비자보호법": "금융소비자보호에관한법률",
    "특경법": "특정경제범죄가중처벌등에관한법률", "특정경제범죄법": "특정경제범죄가중처벌등에관한법률",
    "특가법": "특정범죄가중처벌등에관한법률", "특정범죄가중법": "특정범죄가중처벌등에관한법률",
    "폭처법": "폭력행위등처벌에관한법률", "폭력행위처벌법": "폭력행위등처벌에관한법률",
    "영업비밀보호법": "부정경쟁방지및영업비밀보호에관한법률",
    "산업기술보호법": "산업기술의유출방지및보호에관한법률",
    "공정거래법": "독점규제및공정거래에관한법률",
    "표시광고법": "표시·광고의공정화에관한법률",
    "전자상거래법": "전자상거래등에서의소비자보호에관한법률",
    "방문판매법": "방문판매등에관한법률",
    "가맹사업법": "가맹사업거래의공정화에관한법률",
    "하도급법": "하도급거래공정화에관한법률",
    "도시정비법": "도시및주거환경정비법",
    "성폭력처벌법": "성폭력범죄의처벌등에관한특례법",
    "청소년성보호법": "아동·청소년의성보호에관한법률",
    "부패재산몰수법": "부패재산의몰수및회복에관한특례법",
    "범죄수익은닉규제법": "범죄수익은닉의규제및처벌등에관한법률",
    "채권추심법": "채권의공정한추심에관한법률",
    "노동조합법": "노동조합및노동관계조정법", "노조법": "노동조합및노동관계조정법",
    "기간제법": "기간제및단시간근로자보호등에관한법률",
    "산안법": "산업안전보건법",
    "중대재해처벌법": "중대재해처벌등에관한법률",
    "전자문서법": "전자문서및전자거래기본법",
}


def canonical_law(name: str) -> str:
    """``normalise_law`` plus abbreviation expansion ("자본시장법 시행령" → "자본시장과…법률시행령")."""
    key = normalise_law(name)
    if key in LAW_ALIASES:
        return LAW_ALIASES[key]
    m = re.match(r"^(.+?)(시행령|시행규칙)$", key)
    if m and m.group(1) in LAW_ALIASES:
        return LAW_ALIASES[m.group(1)] + m.group(2)
    return key


def normalise_law(name: str) -> str:
    """The comparison key of a law name: no spaces, middle dots unified, brackets and 「」 stripped."""
    name = name.translate(_FULLWIDTH)
    name = re.sub(r"[「」『』《》<>\"'“”‘’]", "", name)
    return re.sub(r"\s+", "", name).strip()


def article_key(law: str, article: str) -> str:
    """"형법 제347조" — the string stored in the snapshot's ref_articles column and compared across cases."""
    article = re.sub(r"\s+", "", article)
    return f"{canonical_law(law)} {article}"


def _strip_parens(text: str) -> str:
    """Drop bracketed asides (case references, "(사기의 점)", "[별표 3]", "(현행 … 참조)").

    Each top-level group becomes a space, except that a group which marks the law before it as a repealed
    version ("…개정되기 전의 것", "…폐지") leaves the marker \x01, and one that defines an alias
    ("이하 ‘정보통신망법’이라 한다") leaves \x02alias\x02, so the scanner can apply both to the law it just read.
    """
    out: list[str] = []
    depth = 0
    group: list[str] = []
    pairs = {"(": ")", "[": "]", "{": "}", "【": "】", "〔": "〕"}
    closers = set(pairs.values())
    for ch in text:
        if ch in pairs:
            depth += 1
            if depth == 1:
                group = []
                continue
        elif ch in closers and depth > 0:
            depth -= 1
            if depth == 0:
                content = "".join(group)
                marks = " "
                if _OLD_PAREN.search(content) and not re.search(r"시행된\s?것", content):
                    marks += "\x01 "
                m = _ALIAS.search(content)
                if m:
                    marks += f"\x02{normalise_law(m.group(1))}\x02 "
                out.append(marks)
                continue
        if depth > 0:
            group.append(ch)
        else:
            out.append(ch)
    if depth > 0:  # unbalanced: keep what was swallowed rather than lose citations
        out.append(" " + "".join(group))
    return "".join(out)


def _clean(text: str) -> str:
    text = text.translate(_FULLWIDTH)
    text = re.sub(r"<br\s*/?>", " / ", text, flags=re.I)
    text = re.sub(r"</?[a-zA-Z][^>]*>", " ", text)
    return text


def _split_markers(raw_chunk: str) -> tuple[str, bool, list[str]]:
    """The text before a token as (its law-name part, whether it marks an old version, aliases it defines)."""
    old_mark = "\x01" in raw_chunk
    aliases = re.findall(r"\x02([^\x02]*)\x02", raw_chunk)
    # the law name is what precedes the first marker ("법률(…전의 것) 제5조" → "법률")
    chunk = re.split(r"[\x01\x02]", raw_chunk)[0] if (old_mark or aliases) else raw_chunk
    return chunk, old_mark, aliases


def _article_label(m: re.Match) -> tuple[int | None, str]:
    """(plain article number, None for 의/dash articles; label "제N조" or "제N조의M") of an article token."""
    if m.group("dash"):
        return None, f"제{m.group('dash')}조" + (f"의{m.group('dsub')}" if m.group("dsub") else "")
    sub = m.group("asub")
    return (None if sub else int(m.group("an"))), f"제{m.group('an')}조" + (f"의{sub}" if sub else "")


class _Scanner:
    """State of one left-to-right pass: the current law, article, paragraph, item, and what was emitted."""

    def __init__(self, free_text: bool, known_laws: set[str] | None):
        self.free_text = free_text
        self.known = known_laws
        self.law: str | None = None
        self.is_old = False
        self.buchik = False  # articles of the law's 부칙 (supplementary provisions)
        self.art: str | None = None
        self.art_num: int | None = None  # plain article number, for ranges; None for 의/dash articles
        self.para: str | None = None
        self.item: str | None = None
        self.pending = False
        self.refs: list[StatuteRef] = []
        self.aliases: dict[str, tuple[str, bool]] = {}
        self.prev: str | None = None  # kind of the last token taken ("art", "para", "item"), for ranges

    def emit(self) -> None:
        if self.pending and self.law and self.art:
            art = ("부칙 " + self.art) if self.buchik else self.art
            self.refs.append(StatuteRef(self.law, art, self.para, self.item, self.is_old))
        self.pending = False

    def reset(self) -> None:
        self.emit()
        self.law = self.art = self.para = self.item = None
        self.art_num = None

    def on_article(self, m: re.Match, chunk: str, old_mark: bool, aliases: list[str]) -> None:
        """A "제N조" token: resolve its law from ``chunk``, expand a range "제3조 내지 제5조", make it current."""
        if not m.group("je") and not m.group("dash"):
            tail = normalise_law(chunk)
            if tail and not tail.endswith(_LAW_SUFFIXES) and not _FILLERS.match(chunk):
                self.prev = None
                return  # "30조" without 제 is an article only right after a law name or a comma
        num, label = _article_label(m)
        resolved = self.resolve_law(chunk)
        if resolved is None:
            self.reset()
            self.prev = None
            return
        is_range = (resolved is True and self.prev == "art" and _RANGE.match(chunk) is not None
                    and self.art_num is not None and num is not None)
        self.emit()
        if resolved is not True:
            self.law, self.is_old, self.buchik = resolved
        if old_mark:
            self.is_old = True
        for alias in aliases:
            if self.law:
                self.aliases[alias] = (self.law, self.is_old)
        if is_range and 0 < num - self.art_num <= 50:
            for n in range(self.art_num + 1, num):
                self.art, self.para, self.item, self.pending = f"제{n}조", None, None, True
                self.emit()
        self.art, self.art_num, self.para, self.item, self.pending = label, num, None, None, True
        self.prev = "art"

    def on_paragraph(self, m: re.Match, chunk: str) -> None:
        """A "제N항" token of the current article (a range "제1항 내지 제3항" expanded)."""
        key = normalise_law(chunk)
        if self.art is None or (key and not _FILLERS.match(chunk) and key not in _SAME_ARTICLE):
            self.prev = None
            return
        n = int(m.group("pn"))
        if self.prev == "para" and self.para and _RANGE.match(chunk):
            start = int(re.sub(r"\D", "", self.para)) + 1
            self.emit()
            for k in range(start, n) if 0 < n - start <= 30 else ():
                self.para, self.item, self.pending = f"제{k}항", None, True
                self.emit()
        if self.pending and (self.para is not None or self.item is not None):
            self.emit()
        self.para, self.item, self.pending = f"제{n}항", None, True
        self.prev = "para"

    def on_item(self, m: re.Match, chunk: str) -> None:
        """A "제N호" token of the current article or paragraph."""
        key = normalise_law(chunk)
        if self.art is None or (key and not _FILLERS.match(chunk)):
            self.prev = None
            return
        label = f"제{m.group('inum')}호" + (f"의{m.group('isub')}" if m.group("isub") else "")
        if self.pending and self.item is not None:
            self.emit()
        self.item, self.pending = label, True
        self.prev = "item"

    def resolve_law(self, chunk: str) -> tuple[str, bool, bool] | bool | None:
        """What the words before a "제N조" say about its law.

        True: same law as before. None: prose, not a law (the article is not a citation we can place).
        Otherwise (law, is_old, is_buchik).
        """
        piece = re.split(r"[,/:;\n]", chunk)[-1]
        piece = _ENUM.sub("", piece).strip()
        if not normalise_law(piece) or _FILLERS.match(piece):
            return True
        is_old = False
        m = re.match(r"^(구|현행)\s+", piece)
        if m:
            is_old = m.group(1) == "구"
            piece = piece[m.end():]
        key = normalise_law(piece)
        # "구상법", "구저작권법": 구 written without its space. Only for well-known acts (or a gazetteer's
        # names): 구강보건법 is a real act whose name starts with 구.
        if not is_old and key.startswith("구") and (key[1:] in _COMMON_ACTS or (self.known and key[1:] in self.known
                                                                             and key not in self.known)):
            is_old, key, piece = True, key[1:], piece[1:].strip()
        buchik = False
        if key.endswith("부칙"):
            buchik, key = True, key[: -len("부칙")]
            if not key:
                return (self.law, self.is_old, True) if self.law else None
        if key in _SAME_LAW:
            if not self.law:
                return None
            # "같은 법" after "X법 시행령" means the act X법 itself
            return re.sub(r"(시행령|시행규칙)$", "", self.law) or self.law, self.is_old or is_old, buchik
        if key in _SAME_DECREE or key in _SAME_RULE:
            if not self.law:
                return None
            base = re.sub(r"(시행령|시행규칙)$", "", self.law)
            return base + ("시행령" if key in _SAME_DECREE else "시행규칙"), is_old, buchik
        if key in self.aliases:
            target, alias_old = self.aliases[key]
            return target, alias_old or is_old, buchik
        name = self._law_name(piece)
        if name is None:
            return True if (len(key) <= 2 and self.law) else None
        return name, is_old, buchik

    def _law_name(self, piece: str) -> str | None:
        """The law name in a phrase: the whole phrase (a 참조조문 list), or in prose its tail that names a law."""
        key = normalise_law(piece)
        if key in _GENERIC:
            return None
        if self.known:
            for n in range(min(len(key), 60), 1, -1):
                if key[-n:] in self.known:
                    return key[-n:]
        if not (key.endswith(_LAW_SUFFIXES) and len(key) >= 2):
            return None
        if not self.free_text:
            return key if len(key) <= 80 else None
        # Prose: walk back from the law-final word while the words could still belong to a name.
        words = piece.split()
        start = len(words) - 1
        while start > 0:
            w = words[start - 1]
            if w in _PROSE_WORDS or _PARTICLE_END.search(w) or re.search(r"[\d.]", w):
                break
            start -= 1
        key = normalise_law(" ".join(words[start:]))
        if words[start] in _PROSE_WORDS or len(key) > 45:
            return None
        return key if key.endswith(_LAW_SUFFIXES) else None


def parse_references(text: str, *, free_text: bool = False, known_laws: Iterable[str] | None = None,
                     dedupe: bool = True) -> list[StatuteRef]:
    """All statute references in ``text`` (a 참조조문 value, or prose with ``free_text=True``).

    ``known_laws`` (names, compared via ``normalise_law``) lets prose extraction cut a law name out of a longer
    phrase; without it, prose accepts only short law-like phrases right before "제N조".
    """
    if not text:
        return []
    sc = _Scanner(free_text, {normalise_law(k) for k in known_laws} if known_laws else None)
    cleaned = _strip_parens(_clean(text))
    pos = 0
    for m in _TOKEN.finditer(cleaned):
        chunk, old_mark, aliases = _split_markers(cleaned[pos:m.start()])
        pos = m.end()
        if m.group("art"):
            sc.on_article(m, chunk, old_mark, aliases)
        elif m.group("para"):
            sc.on_paragraph(m, chunk)
        else:
            sc.on_item(m, chunk)
    sc.emit()
    refs = [r._replace(law=canonical_law(r.law)) for r in sc.refs]
    if dedupe:
        seen: set = set()
        refs = [r for r in refs if not (r in seen or seen.add(r))]
    return refs


def article_keys(refs: Iterable[StatuteRef]) -> list[str]:
    """Distinct article keys in first-seen order (paragraphs and items folded into their article)."""
    out: list[str] = []
    seen: set[str] = set()
    for r in refs:
        k = r.key
        if k not in seen:
            seen.add(k)
            out.append(k)
    return out


def extract_citations(text: str, known_laws: Iterable[str] | None = None) -> list[StatuteRef]:
    """Citations in prose, e.g. a lower court's "법령의 적용" part ("각 형법 제347조 제1항, 제30조(사기의 점)")."""
    return parse_references(text, free_text=True, known_laws=known_laws)
