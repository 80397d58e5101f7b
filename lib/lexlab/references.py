"""Statute citations in Korean legal text, turned into (law, article, paragraph) references.

Court decisions cite provisions in a compressed house style: "[1] 형법 제347조 제1항, 제2항, 같은 법 제30조 /
구 증권거래법(2007. 8. 3. 법률 제8635호로 폐지되기 전의 것) 제188조의4". A bare "제2항" continues the last
article, a bare "제30조" the last law, "같은 법"/"동법" names the last law again, "구" (or a parenthetical
"…개정되기 전의 것") marks a repealed version of the same-named law. The retrieval benchmark compares cases at
article level, so everything downstream depends on resolving these the same way every time; that is why the
scanner below is one small state machine rather than a pile of regexes.

Law names are compared without spaces: the corpus writes both "정보통신망 이용촉진 및 정보보호 등에 관한 법률"
and "정보통신망이용촉진및정보보호등에관한법률" for the same act. ``normalise_law`` is that key.
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
_ENUM = re.compile(r"^(?:\s*(?:[가-하]\.|\d+\.|\d+\)|\(\d+\)|[①-⑳]|[●○■□▶◆◇ㆍ·\-–ㅇ※*▷►◎•∙➀-➉]|각(?=\s)|및(?=\s)|또는(?=\s)))+\s*")
_FULLWIDTH = str.maketrans({"［": "[", "］": "]", "（": "(", "）": ")", "，": ",", "／": "/", "：": ":",
                            "\u00a0": " ", "\u3000": " ", "ㆍ": "·"})


def normalise_law(name: str) -> str:
    """The comparison key of a law name: no spaces, middle dots unified, brackets and 「」 stripped."""
    name = name.translate(_FULLWIDTH)
    name = re.sub(r"[「」『』《》<>\"'“”‘’]", "", name)
    return re.sub(r"\s+", "", name).strip()


def article_key(law: str, article: str) -> str:
    """"형법 제347조" — the string stored in the snapshot's ref_articles column and compared across cases."""
    article = re.sub(r"\s+", "", article)
    return f"{normalise_law(law)} {article}"



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

    def emit(self) -> None:
        if self.pending and self.law and self.art:
            art = ("부칙 " + self.art) if self.buchik else self.art
            self.refs.append(StatuteRef(self.law, art, self.para, self.item, self.is_old))
        self.pending = False

    def reset(self) -> None:
        self.emit()
        self.law = self.art = self.para = self.item = None
        self.art_num = None

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
    prev_kind = None
    for m in _TOKEN.finditer(cleaned):
        raw_chunk = cleaned[pos:m.start()]
        pos = m.end()
        old_mark = "\x01" in raw_chunk
        aliases = re.findall(r"\x02([^\x02]*)\x02", raw_chunk)
        # the law name is what precedes the first marker ("법률(…전의 것) 제5조" → "법률")
        chunk = re.split(r"[\x01\x02]", raw_chunk)[0] if ("\x01" in raw_chunk or aliases) else raw_chunk
        if m.group("art"):
            if not m.group("je") and not m.group("dash"):
                tail = normalise_law(chunk)
                if tail and not tail.endswith(_LAW_SUFFIXES) and not _FILLERS.match(chunk):
                    prev_kind = None
                    continue  # "30조" without 제 is an article only right after a law name or a comma
            if m.group("dash"):
                num, label = None, f"제{m.group('dash')}조" + (f"의{m.group('dsub')}" if m.group("dsub") else "")
            else:
                sub = m.group("asub")
                num = None if sub else int(m.group("an"))
                label = f"제{m.group('an')}조" + (f"의{sub}" if sub else "")
            resolved = sc.resolve_law(chunk)
            if resolved is None:
                sc.reset()
                prev_kind = None
                continue
            is_range = (resolved is True and prev_kind == "art" and _RANGE.match(chunk) is not None
                        and sc.art_num is not None and num is not None)
            sc.emit()
            if resolved is not True:
                sc.law, sc.is_old, sc.buchik = resolved
            if old_mark:
                sc.is_old = True
            for alias in aliases:
                if sc.law:
                    sc.aliases[alias] = (sc.law, sc.is_old)
            if is_range and 0 < num - sc.art_num <= 50:
                for n in range(sc.art_num + 1, num):
                    sc.art, sc.para, sc.item, sc.pending = f"제{n}조", None, None, True
                    sc.emit()
            sc.art, sc.art_num, sc.para, sc.item, sc.pending = label, num, None, None, True
            prev_kind = "art"
        elif m.group("para"):
            key = normalise_law(chunk)
            if sc.art is None or (key and not _FILLERS.match(chunk) and key not in _SAME_ARTICLE):
                prev_kind = None
                continue
            n = int(m.group("pn"))
            if prev_kind == "para" and sc.para and _RANGE.match(chunk):
                start = int(re.sub(r"\D", "", sc.para)) + 1
                sc.emit()
                for k in range(start, n) if 0 < n - start <= 30 else ():
                    sc.para, sc.item, sc.pending = f"제{k}항", None, True
                    sc.emit()
            if sc.pending and (sc.para is not None or sc.item is not None):
                sc.emit()
            sc.para, sc.item, sc.pending = f"제{n}항", None, True
            prev_kind = "para"
        else:  # item
            key = normalise_law(chunk)
            if sc.art is None or (key and not _FILLERS.match(chunk)):
                prev_kind = None
                continue
            label = f"제{m.group('inum')}호" + (f"의{m.group('isub')}" if m.group("isub") else "")
            if sc.pending and sc.item is not None:
                sc.emit()
            sc.item, sc.pending = label, True
            prev_kind = "item"
    sc.emit()
    refs = sc.refs
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
