"""Legal elements: the spans a LegalSearchLM model learns to generate for a case.

LegalSearchLM does not ask its model for a document id; it asks for *legal elements* of the case — the provisions
applied, the crime, the legally decisive facts — as spans that literally occur in the corpus, so that the
FM-index can map each generated span to the cases that contain it. Training is self-supervised: each corpus case
is paired with elements extracted from its own text, and no relevance label is ever used.

Three target kinds, so the paper's ablations are one parameter (``targets``):

* ``legal`` (default) — elements found by `extract_elements` (offline, rules below) or by an LLM
  (`LLMElementExtractor`, cached through :mod:`lexlab.models.llm_client`, answers kept only where they occur verbatim);
* ``naive`` — random word spans of the same case ("naive identifiers"): same count and similar length, no legal
  selection;
* first-token-aware on/off (``first_token_aware``) — on: every target starts on a legally informative word, never
  on a date, number, place, party label or function word (they are trimmed off the front); off: the span is
  kept with the clause context it was found in, which typically starts on such words.

Offline extraction rules (in priority order, most frequent in the case first):

1. statute mentions — ``근로기준법 제36조``, ``구 증권거래법 제188조의4 제1항`` (a law name ending in 법/법률/령/규칙
   followed by an article);
2. charges — words ending in 죄 (``업무상배임죄``, ``사기죄``) other than 무죄/유죄/범죄/여죄;
3. legal concepts — word n-grams (2–4 words) built around a legal stem (침해, 배임, 기망, 영업비밀, 임금 ...)
   that occur at least twice in the case.

Case text normally starts with 판시사항 (LEGAR documents are 판시사항 + 이유); rules 1–3 run over the whole text,
with a bonus for spans inside the first ``head_chars`` characters, where the case's own summary sits.
All spans are aligned to whole words so they tokenize the same standalone as in context.
"""
from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, Sequence

# --- normalisation ---------------------------------------------------------------------------------------------
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """One space between words, as the FM-index sees documents: newlines would otherwise change BPE tokens."""
    return _SPACE.sub(" ", text or "").strip()


# --- what counts as legally informative ------------------------------------------------------------------------
_STATUTE = re.compile(
    r"(?:구\s)?[가-힣A-Za-z·ㆍ]{2,40}(?:법|법률|시행령|시행규칙|규칙|령)"
    r"(?:\s(?:시행령|시행규칙))?\s제\d+조(?:의\d+)?(?:\s제\d+항)?(?:\s제\d+호)?"
)
_CHARGE = re.compile(r"[가-힣]{1,20}죄")
_NOT_CHARGE = {"무죄", "유죄", "범죄", "여죄", "죄", "사죄", "면죄", "단죄", "속죄", "원죄"}

# Stems of legal concepts common across Korean criminal and regulatory law. They pick candidate spans; whether a
# span is kept depends on its frequency in the case, so the list needs to be broad rather than exhaustive.
LEGAL_STEMS = (
    "위반", "침해", "배임", "횡령", "편취", "기망", "사기", "누설", "취득", "사용", "부정", "허위", "위계", "위력",
    "방해", "명예훼손", "모욕", "고의", "과실", "공모", "공동정범", "방조", "교사", "미수", "영업비밀", "저작권",
    "저작물", "복제", "상표", "특허", "디자인", "임금", "퇴직금", "근로자", "사용자", "해고", "부당노동행위",
    "쟁의행위", "개인정보", "정보통신망", "비밀", "미공개", "시세조종", "부정거래", "내부자", "공시", "증권",
    "투자", "자금", "외국환", "신고", "허가", "등록", "관세", "조세", "포탈", "뇌물", "수수", "공여", "청탁",
    "알선", "공무", "직권남용", "위증", "무고", "문서", "위조", "변조", "행사", "업무상", "주의의무", "안전조치",
    "산업재해", "치사", "치상", "상해", "폭행", "협박", "강요", "공갈", "절도", "강도", "손괴", "도박", "음란",
    "성폭력", "추행", "카드", "대출", "여신", "불공정", "담합", "거래", "광고", "표시", "정당행위", "위법성",
    "책임", "구성요건", "의무", "권리", "행위", "손해", "이익", "재산상", "대가", "계약", "업무",
)
_STEM_RE = re.compile("|".join(sorted(map(re.escape, LEGAL_STEMS), key=len, reverse=True)))

# Words a span must not start with when first-token-aware: dates, numbers, places, party labels, function words.
_DATE_NUM = re.compile(r"^[\d.,:·~\-()\[\]%]+|^\d+[년월일시분개원명회조항호]|^제\d+")
_PLACE = re.compile(r"(특별시|광역시|[가-힣]{1,4}(?:도|시|군|구|읍|면|동|리))$")
_PUNCT_START = re.compile(r"^[^\w가-힣]")
UNINFORMATIVE_WORDS = frozenset(
    "피고인 피고인은 피고인이 피고인의 피고인을 피고인에게 피해자 피해자는 피해자가 피해자의 피해자에게 공소외 원심 원심은 "
    "원심이 원심의 원심판결 제1심 제1심은 항소 상고 검사 검사의 변호인 변호인의 이 그 위 및 또는 등 이에 그러나 따라서 "
    "한편 또한 이는 그리고 그런데 같은 해 이하 각 당시 위와 이와 그와 것 것은 것이 있다 있고 없다 하였다 한다 "
    "주식회사 회사 회사의 회사는 주소 불상 사람 사람이 다음 다음과 본다 보아 보면 살피건대 그러므로".split()
)


def is_informative_word(word: str) -> bool:
    """May a span begin with this word? (the first-token-aware rule, at word level)."""
    if not word or word in UNINFORMATIVE_WORDS or word.startswith("["):
        return False
    if _DATE_NUM.match(word) or _PUNCT_START.match(word):
        return False
    if _PLACE.search(word) and not _STEM_RE.search(word) and not word.endswith(("법", "죄")):
        return False
    return bool(re.match(r"[가-힣A-Za-z]", word))


def _trim_front(words: list[str]) -> list[str]:
    i = 0
    while i < len(words) and not is_informative_word(words[i]):
        i += 1
    return words[i:]


def _clean_word_end(word: str) -> str:
    # Drop trailing punctuation so the span ends on a word boundary in the BPE sense.
    return word.rstrip(".,;:)]}'\"·”’」』")


# --- offline extractor -----------------------------------------------------------------------------------------
@dataclass
class Element:
    text: str      # the span, whole words, as it occurs in the normalised case text
    kind: str      # statute | charge | concept | random | llm
    score: float   # priority inside its case


def _clause_context(text: str, start: int, n_words: int = 3) -> str:
    """Up to ``n_words`` words before ``start`` within the same sentence (the untrimmed, FTA-off form)."""
    left = text[max(0, start - 80):start]
    left = re.split(r"[.?!]\s", left)[-1]
    words = left.split()
    return " ".join(words[-n_words:])


def extract_elements(
    text: str,
    max_elements: int = 8,
    first_token_aware: bool = True,
    head_chars: int = 1500,
    min_words: int = 1,
) -> list[Element]:
    """Legally informative spans of one case's own text, best first (rules in the module docstring)."""
    text = normalize_text(text)
    bonus = lambda pos: 1.0 if pos < head_chars else 0.0  # noqa: E731
    candidates = itertools.chain(_statute_candidates(text, bonus), _charge_candidates(text, bonus),
                                 _concept_candidates(text, bonus))
    found: dict[str, Element] = {}
    for span, kind, score, start in candidates:
        words = _span_words(span, text, start, first_token_aware)
        if len(words) < min_words:
            continue
        s = " ".join(words)
        if s not in found:
            found[s] = Element(s, kind, score)
        else:
            found[s].score += score
    return _best_distinct(found.values(), max_elements)


Candidate = tuple[str, str, float, int]  # span, kind, score, start offset in the text


def _statute_candidates(text: str, bonus: Callable[[int], float]) -> Iterator[Candidate]:
    """Rule 1: statute mentions, scored by frequency (+1 inside the head)."""
    statutes: Counter = Counter()
    first_pos: dict[str, int] = {}
    for m in _STATUTE.finditer(text):
        s = m.group(0)
        if text[m.end():m.end() + 1].isalnum():  # "제36조에" etc. continues the word: cut at 조/항/호 is not a word end
            s = re.sub(r"\s제\d+[항호]$", "", s)
            if text[m.start() + len(s):m.start() + len(s) + 1].isalnum():
                continue
        statutes[s] += 1
        first_pos.setdefault(s, m.start())
    for s, c in statutes.items():
        yield s, "statute", 3.0 + c + bonus(first_pos[s]), first_pos[s]


def _charge_candidates(text: str, bonus: Callable[[int], float]) -> Iterator[Candidate]:
    """Rule 2: charges (words ending in 죄), as the whole word of their first occurrence, particle included."""
    charges: Counter = Counter()
    first_pos: dict[str, int] = {}
    for m in _CHARGE.finditer(text):
        w = m.group(0)
        if w in _NOT_CHARGE or len(w) < 3:
            continue
        if m.start() > 0 and not text[m.start() - 1].isspace():
            continue  # part of a longer word
        if text[m.end():m.end() + 1].isalnum() and not text[m.end():m.end() + 1] in "의는가를이로와에":
            continue
        charges[w] += 1
        first_pos.setdefault(w, m.start())
    for w, c in charges.items():
        # A charge followed by a particle is still a whole-word span only if we take the particle too.
        pos = first_pos[w]
        end = text.find(" ", pos)
        yield _clean_word_end(text[pos:end if end > 0 else len(text)]), "charge", 2.0 + c + bonus(pos), pos


def _concept_candidates(text: str, bonus: Callable[[int], float]) -> Iterator[Candidate]:
    """Rule 3: 2–3 word n-grams around a legal stem, within one sentence, occurring at least twice."""
    words = text.split(" ")
    offsets, o = [], 0
    for w in words:
        offsets.append(o)
        o += len(w) + 1
    grams: Counter = Counter()
    gram_pos: dict[str, int] = {}
    for i, w in enumerate(words):
        if not _STEM_RE.search(w):
            continue
        for n in (2, 3):
            for a in range(max(0, i - n + 1), i + 1):
                b = a + n
                if b > len(words):
                    continue
                piece = words[a:b]
                if any(re.search(r"[.?!]$", x) for x in piece[:-1]):
                    continue
                g = " ".join(piece)
                grams[g] += 1
                gram_pos.setdefault(g, offsets[a])
    for g, c in grams.most_common():
        if c < 2:
            break
        yield g, "concept", 0.5 * c + len(_STEM_RE.findall(g)) + bonus(gram_pos[g]), gram_pos[g]


def _span_words(span: str, text: str, start: int, first_token_aware: bool) -> list[str]:
    """The span's whole words, trimmed to an informative first word (FTA on) or with its clause context (off)."""
    words = [w for w in span.split() if w]
    if words:
        words[-1] = _clean_word_end(words[-1])
    words = [w for w in words if w]
    if first_token_aware:
        return _trim_front(words)
    ctx = _clause_context(text, start)
    return ctx.split() + words if ctx else words


def _best_distinct(elements: Iterable[Element], max_elements: int) -> list[Element]:
    """Highest scores first, skipping near-duplicates: a span whose words all lie inside a chosen one adds little."""
    out: list[Element] = []
    seen_words: list[set[str]] = []
    for e in sorted(elements, key=lambda e: -e.score):
        ws = set(e.text.split())
        if any(ws <= s for s in seen_words):
            continue
        out.append(e)
        seen_words.append(ws)
        if len(out) >= max_elements:
            break
    return out


def random_spans(text: str, n: int, rng: random.Random, min_words: int = 2, max_words: int = 5) -> list[Element]:
    """Naive identifiers: ``n`` random whole-word spans of the case (the paper's ablation)."""
    words = [w for w in normalize_text(text).split(" ") if w]
    out = []
    for _ in range(n):
        if not words:
            break
        k = rng.randint(min_words, max_words)
        a = rng.randrange(0, max(1, len(words) - k + 1))
        piece = words[a:a + k]
        piece[-1] = _clean_word_end(piece[-1])
        s = " ".join(x for x in piece if x)
        if s:
            out.append(Element(s, "random", 0.0))
    return out


# --- LLM extractor ---------------------------------------------------------------------------------------------
_LLM_SYSTEM = (
    "당신은 한국 형사 판결문에서 법적 요소(legal elements)를 뽑는 법률 전문가입니다. "
    "적용 법조(법령명과 조문), 죄명, 그리고 유무죄 판단에 결정적인 법적 쟁점과 사실을 판결문에 나온 그대로의 "
    "짧은 구절(2~8 어절)로 뽑으세요. 구절은 날짜, 숫자, 지명, 사람 이름으로 시작하면 안 됩니다."
)


class LLMElementExtractor:
    """Elements from an LLM (any OpenAI-compatible endpoint via lexlab.models.llm_client), answers cached on disk.

    Only answers that occur verbatim in the case survive: a paraphrase could never be generated under the
    FM-index constraint, so it would be a target the model is punished for not producing.
    """

    def __init__(self, client=None, max_chars: int = 4000, **client_kwargs):
        if client is None:
            from lexlab.models.llm_client import LLMClient

            client = LLMClient(**client_kwargs)
        self.client = client
        self.max_chars = max_chars

    def messages(self, text: str) -> list[dict]:
        return [
            {"role": "system", "content": _LLM_SYSTEM},
            {"role": "user", "content": "판결문:\n" + normalize_text(text)[: self.max_chars]
             + '\n\nJSON으로 답하세요: {"elements": ["구절", ...]} (최대 10개)'},
        ]

    def extract_many(self, texts: Sequence[str], first_token_aware: bool = True, max_elements: int = 8,
                     progress: bool = True, on_error: str = "skip") -> list[list[Element]]:
        answers = self.client.map_json([self.messages(t) for t in texts], schema_hint={"elements": list},
                                       progress=progress, desc="LLM elements")
        out = []
        for text, ans in zip(texts, answers):
            if isinstance(ans, Exception):
                if on_error == "raise":
                    raise ans
                out.append([])
                continue
            norm = normalize_text(text)
            els = []
            for s in ans.get("elements", []):
                s = normalize_text(str(s))
                words = s.split()
                if first_token_aware:
                    words = _trim_front(words)
                s = " ".join(words)
                if s and s in norm and s not in {e.text for e in els}:
                    els.append(Element(s, "llm", float(len(ans["elements"]) - len(els))))
            out.append(els[:max_elements])
        return out


def build_targets(
    records: Sequence[Mapping],
    targets: str = "legal",
    first_token_aware: bool = True,
    max_elements: int = 8,
    seed: int = 0,
    extractor: str = "offline",
    llm: Mapping | None = None,
    progress: bool = True,
) -> list[list[Element]]:
    """Training targets per record: ``targets`` legal | naive; ``extractor`` offline | llm (legal only).

    Records may carry their own element sources (``holdings``, ``summary``, ``facts`` fields, as in the
    snapshot); otherwise the case ``text`` is used.
    """
    from tqdm.auto import tqdm

    def source(r: Mapping) -> str:
        parts = [str(r.get(k) or "") for k in ("holdings", "summary", "facts")]
        own = " ".join(p for p in parts if p.strip())
        return own if own else r["text"]

    if targets == "naive":
        rng = random.Random(seed)
        legal = build_targets(records, "legal", first_token_aware, max_elements, seed, extractor, llm, progress)
        return [random_spans(r["text"], max(1, len(els)), rng) for r, els in zip(records, legal)]
    if targets != "legal":
        raise ValueError(f"targets must be 'legal' or 'naive', got {targets!r}")
    if extractor == "llm":
        ex = LLMElementExtractor(**dict(llm or {}))
        got = ex.extract_many([source(r) for r in records], first_token_aware, max_elements, progress)
        # Fall back to the offline rules for a case the LLM gave nothing usable for, and say how often.
        return [els or extract_elements(r["text"], max_elements, first_token_aware) for r, els in zip(records, got)]
    if extractor != "offline":
        raise ValueError(f"extractor must be 'offline' or 'llm', got {extractor!r}")
    it = tqdm(records, desc="elements", disable=not progress, leave=False)
    return [extract_elements(source(r), max_elements, first_token_aware) for r in it]
