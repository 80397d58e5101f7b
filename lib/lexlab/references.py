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
_FILLERS = re.compile(r"^(?:각|및|또는|와|과|그리고|본문|단서|전단|후단|전문|후문|각호|각목|등|중|의|내지|부터|까지|~|-|·|\s)*$")
_RANGE = re.compile(r"^\s*(?:내지|부터|~|∼|-|－)\s*$")

_TOKEN = re.compile(
    r"(?P<art>(?P<je>제\s?)?(?P<an>\d+)\s?조(?:\s?의\s?(?P<asub>\d+))?(?![\d원])"
    r"|제\s?(?P<dash>\d+-\d+)\s?조(?:\s?의\s?(?P<dsub>\d+))?)"
    r"|(?P<para>제\s?(?P<pn>\d+)\s?항)"
    r"|(?P<item>제\s?(?P<inum>\d+)\s?호(?:\s?의\s?(?P<isub>\d+))?)"
)
_OLD_PAREN = re.compile(r"전의\s?것|폐지|개정\s?전|구법")
_ALIAS = re.compile(r"이하\s*[‘'\"“「]([^’'\"”」]{1,30})[’'\"”」]\s*(?:이?라|로)")
_ENUM = re.compile(r"^(?:\s*(?:[가-하]\.|\d+\.|\d+\)|\(\d+\)|[①-⑳]|[●○■□▶◆◇ㆍ·\-–]|각(?=\s)|및(?=\s)|또는(?=\s)))+\s*")
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


def _article_label(num: str, sub: str | None) -> str:
    return f"제{num}조" + (f"의{sub}" if sub else "")


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
    """State of one left-to-right pass: the current law, article, paragraph, item."""

    def __init__(self, free_text: bool, known_laws: set[str] | None):
        self.free_text = free_text
        self.known = known_laws
        self.law: str | None = None
        self.is_old = False
        self.art: str | None = None
        self.art_num: tuple[int, int | None] | None = None
        self.para: str | None = None
        self.item: str | None = None
        self.pending = False
        self.refs: list[StatuteRef] = []
        self.aliases: dict[str, tuple[str, bool]] = {}
        self.buchik = False

    def emit(self) -> None:
        if self.pending and self.law and self.art:
            art = ("부칙 " + self.art) if self.buchik else self.art
            self.refs.append(StatuteRef(self.law, art, self.para, self.item, self.is_old))
        self.pending = False

    def law_from_chunk(self, chunk: str) -> str | None | bool:
        """Resolve the words before a "제N조": a law name, the previous law (True), or None (no law: reset)."""
        piece = re.split(r"[,/:;\n]|\s이고\s|\s하고\s", chunk)[-1]
        piece = _ENUM.sub("", piece).strip()
        piece = re.sub(r"^(?:각|및|또는|그리고)\s+", "", piece)
        key = normalise_law(piece)
        if not key or _FILLERS.match(piece):
            return True
        is_old = False
        for prefix in ("구", "현행", "개정전", "개정된"):
            if piece.startswith(prefix + " ") or (prefix != "구" and key.startswith(prefix)):
                is_old = prefix in ("구", "개정전")
                piece = piece[len(prefix):].strip()
                key = normalise_law(piece)
                break
        if key.startswith("구") and len(key) > 2 and not self._looks_like_law("구" + key[1:]) is False:
            # "구증권거래법" written without the space
            if self._looks_like_law(key[1:]) and (self.known is None or key not in self.known):
                is_old, key = True, key[1:]
                piece = key
        if key in _SAME_LAW:
            self.is_old = self.is_old or is_old
            return True
        m = re.match(r"^(?:같은|동|위)\s?법\s?(시행령|시행규칙)$", piece)
        if m and self.law:
            base = re.sub(r"(시행령|시행규칙)$", "", self.law)
            self.is_old = is_old
            return base + m.group(1)
        if key in self.aliases:
            target, alias_old = self.aliases[key]
            self.is_old = alias_old or is_old
            return target
        if key.endswith("부칙"):
            law_part = key[: -len("부칙")]
            self.buchik = True
            if law_part and self._looks_like_law(law_part):
                self.is_old = is_old
                return law_part
            return True
        name = self._law_suffix_match(key)
        if name is None:
            if len(key) <= 4 and self.law:
                return True
            return None
        self.is_old = is_old
        return name

    def _looks_like_law(self, key: str) -> bool:
        return key.endswith(_LAW_SUFFIXES) and len(key) >= 2

    def _law_suffix_match(self, key: str) -> str | None:
        """The law name in a phrase: the whole phrase, or (free text) its longest known/law-like tail."""
        if self.known:
            best = None
            for n in range(min(len(key), 60), 1, -1):
                if key[-n:] in self.known:
                    best = key[-n:]
                    break
            if best:
                return best
        if not self._looks_like_law(key):
            return None
        if not self.free_text:
            return key if len(key) <= 80 else None
        # Free text: a law name is short and the phrase before it is prose. Without a gazetteer, accept the
        # phrase only when it is plausibly just a name.
        return key if len(key) <= 40 else None


def parse_references(text: str, *, free_text: bool = False, known_laws: Iterable[str] | None = None,
                     dedupe: bool = True) -> list[StatuteRef]:
    """All statute references in ``text`` (a 참조조문 value, or prose with ``free_text=True``).

    ``known_laws`` (space-free names, see ``normalise_law``) lets prose extraction cut a law name out of a
    longer phrase; without it, prose accepts only short law-like phrases right before "제N조".
    """
    if not text:
        return []
    scanner = _Scanner(free_text, set(map(normalise_law, known_laws)) if known_laws else None)
    cleaned, old_marks = _strip_parens(_clean(text), scanner.aliases)
    pos = 0
    prev_kind = None
    for m in _TOKEN.finditer(cleaned):
        chunk = cleaned[pos:m.start()]
        alias_marks = re.findall(r"\x00(-?\d+)\x00", chunk)
        chunk_plain = re.sub(r"\x00-?\d+\x00", " ", chunk)
        old_here = any(scanner_pos_between(op, pos, m.start()) for op in old_marks)
        pos = m.end()
        if m.group("art"):
            if not m.group("je") and not m.group("dash") and normalise_law(chunk_plain) and not re.fullmatch(
                    r"[\s,]*", chunk_plain) and not _looks_lawlike_tail(chunk_plain):
                prev_kind = None
                continue  # "30조" without 제 is an article only right after a law name or a comma
            if m.group("dash"):
                num, sub, label = None, m.group("dsub"), f"제{m.group('dash')}조" + (
                    f"의{m.group('dsub')}" if m.group("dsub") else "")
            else:
                num, sub = int(m.group("an")), m.group("asub")
                label = _article_label(m.group("an"), sub)
            resolved = scanner.law_from_chunk(chunk_plain)
            # An alias definition sits between the law name and the article: remember what it points at.
            if resolved is None:
                scanner.emit()
                scanner.law, scanner.art, scanner.pending = None, None, False
                prev_kind = None
                continue
            is_range = (_RANGE.match(chunk_plain) is not None and prev_kind == "art" and resolved is True
                        and scanner.art_num and num is not None and sub is None and scanner.art_num[1] is None)
            scanner.emit()
            if resolved is not True:
                scanner.law = resolved
                scanner.buchik = scanner.buchik and normalise_law(chunk_plain).endswith("부칙")
                if not normalise_law(chunk_plain).endswith("부칙"):
                    scanner.buchik = False
            if old_here:
                scanner.is_old = True
            if alias_marks:
                for key, (target, alias_old) in list(scanner.aliases.items()):
                    if target == "__prev__":
                        scanner.aliases[key] = (scanner.law or "", alias_old or scanner.is_old)
            if is_range:
                start = scanner.art_num[0] + 1
                if 0 < num - start <= 50:
                    for n in range(start, num):
                        scanner.art, scanner.para, scanner.item, scanner.pending = f"제{n}조", None, None, True
                        scanner.emit()
            scanner.art = label
            scanner.art_num = (num, int(sub) if sub else None) if num is not None else None
            scanner.para = scanner.item = None
            scanner.pending = True
            prev_kind = "art"
        elif m.group("para"):
            key = normalise_law(chunk_plain)
            if scanner.art is None or (key and not _FILLERS.match(chunk_plain) and key not in _SAME_ARTICLE):
                prev_kind = None
                continue
            n = int(m.group("pn"))
            if _RANGE.match(chunk_plain) and prev_kind == "para" and scanner.para:
                start = int(re.sub(r"\D", "", scanner.para)) + 1
                scanner.emit()
                for k in range(start, n) if 0 < n - start <= 30 else ():
                    scanner.para, scanner.item, scanner.pending = f"제{k}항", None, True
                    scanner.emit()
            if scanner.pending and (scanner.para is not None or scanner.item is not None):
                scanner.emit()
            scanner.para, scanner.item, scanner.pending = f"제{n}항", None, True
            prev_kind = "para"
        else:  # item
            key = normalise_law(chunk_plain)
            if scanner.art is None or (key and not _FILLERS.match(chunk_plain)):
                prev_kind = None
                continue
            label = f"제{m.group('inum')}호" + (f"의{m.group('isub')}" if m.group("isub") else "")
            if scanner.pending and scanner.item is not None:
                scanner.emit()
            scanner.item, scanner.pending = label, True
            prev_kind = "item"
    scanner.emit()
    refs = scanner.refs
    if dedupe:
        seen: set = set()
        refs = [r for r in refs if not (r in seen or seen.add(r))]
    return refs


def scanner_pos_between(p: int, lo: int, hi: int) -> bool:
    return lo <= p <= hi


def _looks_lawlike_tail(chunk: str) -> bool:
    return normalise_law(chunk).endswith(_LAW_SUFFIXES)


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
