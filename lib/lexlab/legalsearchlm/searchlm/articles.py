"""Applied articles as first-class legal elements, and where a candidate states them.

Issue #23's measurement: what decides LEGAR relevance is the *substantive article* a case applies (same charge
and a shared substantive article), and a case states it best in its **head** — the 판시사항 a Supreme Court
decision opens with ("[1] 형법 제347조 제1항의 사기죄에서 …"), the first ``head_chars`` characters of the
candidate text. The same article is written many ways ("특정경제범죄 가중처벌 등에 관한 법률(… 개정되기 전의
것) 제3조 제1항", "특정경제범죄가중처벌등에관한법률 제3조"), so an FM-index match of one written form finds a
fraction of the cases that state it: of the 7,456 (case, applied article) pairs of the project's corpus, 638 are
found by the extractor's literal form, 5,587 by the citation scanner (`lexlab.data.references`).

`ArticleIndex` keeps, per candidate, the normalised substantive article keys its text states (the benchmark's
own scanner and rule: `bench.provisions`) and which of them its head states. A generated span that reads as an
article (`article_key`) is then matched by its key — every case stating that article, however written — a
statement in the head counting ``1 + head_weight`` times (`article_scores`); `feedback_articles` adds the articles
the heads of the best cases so far state, and `with_articles` puts these on the span scores. Matching by the key
and the feedback are our additions to the paper's literal span matching; the spans are still generated under the
FM-index constraint. The oracle of this design: ``benchmarks/searchlm_article_oracle.py``.

Training targets (`article_elements`): each case's applied articles in the words it writes them, so that the
model learns to name, from the facts its masked window shows, the article that decides relevance.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from lexlab.legalsearchlm.bench.crime_categories import LAW_ALIASES, canonical_law
from lexlab.legalsearchlm.bench.provisions import (
    CONSTITUTION,
    PENAL_CODE,
    PROCEDURAL_LAWS,
    _extract,
    article_law,
    is_substantive,
    normalize_article,
)
from lexlab.legalsearchlm.searchlm.elements import Element, _trim_front, normalize_text

HEAD_CHARS = 600  # the 판시사항 of a Supreme Court decision fits in about this many characters


# A law named as the offence ("공직선거법위반", "정보통신망이용촉진및정보보호등에관한법률 위반"): its name
# stands alone, without the words before it that prose puts in front of "<law> 제N조".
_NAMED_AS_OFFENCE = re.compile(r"([가-힣·ㆍ]{2,40}(?:법률|법|령|규칙))\s?위반")
_FIXED_LAWS = frozenset({*LAW_ALIASES, *LAW_ALIASES.values(), *PROCEDURAL_LAWS, *CONSTITUTION, PENAL_CODE})


def law_names(texts: Iterable[str], min_docs: int = 2) -> frozenset[str]:
    """Law names a corpus uses: those it names as an offence in at least ``min_docs`` texts, plus the aliases,
    procedure laws, the constitution and 형법 the benchmark knows."""
    counts: Counter = Counter()
    for t in texts:
        counts.update({canonical_law(m.group(1)) for m in _NAMED_AS_OFFENCE.finditer(t)})
    return frozenset({law for law, c in counts.items() if c >= min_docs} | _FIXED_LAWS)


def stated_articles(text: str, laws: frozenset[str] = _FIXED_LAWS) -> list[str]:
    """The substantive article keys a text states, first-mentioned first (the benchmark's citation scanner).

    In prose the scanner takes the words before "제N조" for the law's name ("생략한 채 형사소송법 제364조",
    "그러나 정보통신망법 제48조"): a name that ends with a known law (``laws``) is that law, and a name that ends
    with another key's law for the same article is dropped."""
    keys = dict.fromkeys(_known_law(a, laws) for a in _extract(text, True, None))
    keys = [a for a in keys if is_substantive(a) and len(article_law(a) or "") > 1]
    return [a for a in keys if not any(b != a and _article_number(b) == _article_number(a)
                                       and _ends_with_law(article_law(a), article_law(b)) for b in keys)]


def _ends_with_law(name: str, law: str) -> bool:
    """Is ``name`` a phrase ending in ``law`` (or in an alias of it: "그러나정보통신망법")?"""
    return name != law and any(canonical_law(name[i:]) == law for i in range(1, len(name) - 1))


def _known_law(key: str, laws: frozenset[str]) -> str:
    """``key`` with the words before a known law's name cut off ("생략한채형사소송법 제364조" → 형사소송법)."""
    law = article_law(key) or ""
    if law in laws:
        return key
    for i in range(1, len(law) - 1):
        if law[i:] in laws:
            return f"{canonical_law(law[i:])} {_article_number(key)}"
    return key


def article_key(span: str, laws: frozenset[str] = _FIXED_LAWS) -> str | None:
    """The substantive article a generated span names ("형법 제347조 제1항" → "형법 제347조"), else None."""
    keys = stated_articles(span, laws)
    if len(keys) == 1:
        return keys[0]
    key = normalize_article(span)
    return key if key and is_substantive(key) else None


def _article_number(key: str) -> str:
    return key.rsplit(" ", 1)[1]


def written_form(text: str, key: str) -> str | None:
    """How ``text`` (normalised) writes article ``key``: the law name as written (its fewest words), then
    "제N조(의M)" — the first mention with the name right before the number (no amendment parenthetical between
    them), else None."""
    num, law = _article_number(key), article_law(key)
    if not law or len(law) < 2:
        return None
    for m in re.finditer(re.escape(num) + r"(?![\d의])", text):
        words = text[max(0, m.start() - 80):m.start()].split()
        for i in reversed(range(len(words))):
            name = words[i:]
            if canonical_law(" ".join(name)) == law and "(" not in "".join(name) and _trim_front(name) == name:
                return " ".join([*name, num])
    return None


def article_elements(text: str, head_chars: int = HEAD_CHARS, max_articles: int = 4,
                     laws: frozenset[str] = _FIXED_LAWS) -> list[Element]:
    """The case's applied articles as targets, in the words the case writes them: the articles of known laws
    (``laws``: `law_names`) its head states first, then the others it states, most-mentioned first (kind
    ``article``). An unknown law's name is often a phrase ("하거나 청소년보호법"): left out."""
    text = normalize_text(text)
    head = [a for a in stated_articles(text[:head_chars], laws) if article_law(a) in laws]
    body = [a for a in stated_articles(text, laws) if article_law(a) in laws]
    order = sorted(dict.fromkeys([*head, *body]), key=lambda a: (a not in head, -text.count(_article_number(a))))
    out = []
    for key in order:
        form = written_form(text, key)
        if form and all(form != e.text for e in out):
            out.append(Element(form, "article", float(max_articles - len(out))))
        if len(out) == max_articles:
            break
    return out


def corpus_article_elements(texts: Sequence[str], max_articles: int = 4) -> list[list[Element]]:
    """`article_elements` of every text, the law names read from the whole corpus (`law_names`)."""
    laws = law_names(texts)
    return [article_elements(t, max_articles=max_articles, laws=laws) for t in texts]


class ArticleIndex:
    """Per candidate: the substantive articles its text states, and those its head (first ``head_chars``) states."""

    def __init__(self, head: Sequence[Sequence[str]], body: Sequence[Sequence[str]], head_chars: int = HEAD_CHARS,
                 laws: frozenset[str] = _FIXED_LAWS):
        self.head_chars = head_chars
        self.laws = laws  # the corpus's law names (`law_names`): how a generated span's article is read
        self.head = [list(h) for h in head]
        self.body = [list(dict.fromkeys([*h, *b])) for h, b in zip(head, body)]
        self.n_docs = len(self.body)
        self._docs: dict[str, tuple[list[int], list[int]]] = {}  # key → (docs stating it, 1 if in the head)
        for d, (h, b) in enumerate(zip(self.head, self.body)):
            for a in b:
                docs, in_head = self._docs.setdefault(a, ([], []))
                docs.append(d)
                in_head.append(int(a in h))

    @classmethod
    def from_texts(cls, texts: Sequence[str], head_chars: int = HEAD_CHARS, progress: bool = False):
        from tqdm.auto import tqdm

        laws = law_names(texts)
        head, body = [], []
        for t in tqdm(list(texts), desc="articles", leave=False, disable=not progress):
            t = normalize_text(t)
            head.append(stated_articles(t[:head_chars], laws))
            body.append(stated_articles(t, laws))
        return cls(head, body, head_chars, laws)

    def df(self, key: str) -> int:
        return len(self._docs.get(key, ((), ()))[0])

    def idf(self, key: str) -> float:
        return float(np.log((self.n_docs + 1) / (self.df(key) + 0.5)))

    def hits(self, key: str, head_weight: float) -> tuple[np.ndarray, np.ndarray]:
        """(cases stating ``key``, 1 + head_weight where the head states it, else 1)."""
        docs, in_head = self._docs.get(key, ([], []))
        return np.asarray(docs, dtype=np.int64), 1.0 + head_weight * np.asarray(in_head, dtype=float)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"head_chars": self.head_chars, "laws": sorted(self.laws),
                                          "head": self.head, "body": self.body}, ensure_ascii=False),
                              encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "ArticleIndex":
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(raw["head"], raw["body"], raw["head_chars"], frozenset(raw["laws"]))


def article_scores(keys: Mapping[str, float], index: ArticleIndex, head_weight: float) -> np.ndarray:
    """Every case's score from weighted article keys: sum of weight x (1 + head_weight if its head states it)."""
    scores = np.zeros(index.n_docs)
    for key, w in keys.items():
        docs, mult = index.hits(key, head_weight)
        if len(docs) and w > 0:
            scores[docs] += w * mult
    return scores


def span_articles(spans: Sequence, decode, index: ArticleIndex, top: int = 0) -> dict[str, float]:
    """The articles generated spans name, each weighted by its idf x the model's probability of its best span
    (``decode``: token ids → text); ``top`` > 0 keeps only the most probable ``top`` of them."""
    best: dict[str, float] = {}
    for s in spans:
        key = article_key(decode(list(s.tokens)), index.laws)
        if key and index.df(key):
            best[key] = max(best.get(key, 0.0), float(np.exp(s.logprob)))
    kept = sorted(best, key=best.get, reverse=True)[: top or None]
    return {key: best[key] * index.idf(key) for key in kept}


def feedback_articles(scores: np.ndarray, index: ArticleIndex, depth: int) -> dict[str, float]:
    """Pseudo-relevance feedback over articles (our addition): the articles the heads of the ``depth``
    best-scoring cases state (a case without one: its text's), each voted for by the case's score and weighted by
    idf — the articles the cases the spans found agree on."""
    votes: dict[str, float] = {}
    top = np.argsort(-scores, kind="stable")[:depth]
    for d in top[scores[top] > 0]:
        for key in index.head[d] or index.body[d]:
            votes[key] = votes.get(key, 0.0) + float(scores[d])
    return {key: v * index.idf(key) for key, v in votes.items()}


def with_articles(scores: np.ndarray, keys: Mapping[str, float], index: ArticleIndex, article_weight: float,
                  head_weight: float, feedback_depth: int = 0, feedback_weight: float = 0.0) -> np.ndarray:
    """The span scores plus the article match of ``keys`` (`span_articles`), then plus the feedback articles of
    the ``feedback_depth`` best cases so far; each part normalised per query (`scoring.add_normalised`)."""
    from lexlab.legalsearchlm.searchlm.scoring import add_normalised

    if article_weight > 0 and keys:
        scores = add_normalised(scores, article_scores(keys, index, head_weight), article_weight)
    if feedback_depth > 0 and feedback_weight > 0:
        fb = feedback_articles(scores, index, feedback_depth)
        scores = add_normalised(scores, article_scores(fb, index, head_weight), feedback_weight)
    return scores
