"""Any retriever of the project's registry (``lexlab.legalsearchlm.retrieval``) over the statute index.

The method is a registry name (``bm25`` default, ``dense``, ``searchlm``, or one registered later such as a hybrid):
``RetrieverConfig.method`` is passed to ``get_retriever`` unchanged, so a new method plugs in without a change here.
What this module adds is statute-specific: the document text (law name and title repeated ``law_weight`` /
``title_weight`` times before the article text), the on-disk cache of the built index under
``work/ask/<index source>/<method>-<options digest>/`` (a file lock keeps two processes from building it at once),
a retrieval *confidence* per question that the "not found" decision is calibrated on, and the routing of
everyday-language questions through the term map mined from criminal decisions (below).

Confidence (``confidence``): ``top`` is the best article's score; ``normalized`` (default) divides it by the square
root of the number of distinct query terms once interrogative filler words are dropped. A raw BM25 score grows with
the question's length, so a threshold fitted on long dev questions turns away short ones ("음주운전 처벌은?");
the normalised score keeps the short questions while catching a little less on the dev set (notebook 11 reports
both). Dividing by the question's best attainable score was tried too and did worse (it favours questions with a
few rare matching terms, which is what an off-topic question looks like).

Lay questions (``lay_weight`` > 0, default): a question that names no law and whose ``normalized`` confidence is
below ``lay_below`` is one the statute text does not answer in its own words ("친구 지갑에서 몰래 돈을 꺼내 쓰면
처벌받나요?"); its candidates are fused (RRF, ``lay_weight``) with the articles the lay term map ranks for it
(``lexlab.ask.lay``). Other questions keep the retriever's order. The fused hits keep the question's top score, so
the confidence and the "not found" decision are those of the retriever alone.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Sequence, get_args

from lexlab.workbench.progress import item_bar as tqdm

from lexlab.ask.statute_index import StatuteIndex
from lexlab.workbench import paths
from lexlab.workbench.config import check_non_negative, check_positive

Confidence = Literal["normalized", "top"]
CONFIDENCE = get_args(Confidence)
DEFAULT_BM25 = {"tokenizer": "word+char2", "k1": 1.2, "b": 0.75}
# Words that make a sentence a question but say nothing about its subject ("어떤 처벌을 받나요?" → "처벌").
_QUESTION_WORDS = re.compile(
    r"(?:^|\s)(?:어떤|어떻게|어떠한|무엇|무엇을|무엇인가요|무엇인가|무엇이|누가|언제|어디|왜|얼마나|얼마|"
    r"알려주세요|알려\s?주세요|궁금합니다|궁금해요|있나요|있습니까|없나요|하나요|합니까|되나요|됩니까|받나요|받습니까|"
    r"인가요|입니까|건가요|할까요|될까요|해야|하나|되는지|하는지|여부|경우|질문|문의)(?=[\s?.!]|$)")


def strip_question_words(text: str) -> str:
    """The question without interrogative filler words (see ``_QUESTION_WORDS``)."""
    return re.sub(r"\s+", " ", _QUESTION_WORDS.sub(" ", text)).strip() or text


@dataclass
class RetrieverConfig:
    method: str = "bm25"
    options: dict[str, Any] = field(default_factory=dict)   # the method's own options (bm25: tokenizer, k1, b)
    title_weight: int = 3
    law_weight: int = 2
    law_first: bool = True        # articles of the laws the question names go first among the candidates
    pool: int = 50                # candidates re-ordered by ``law_first``
    strip_question_words: bool = True  # drop interrogative filler words from the query
    named_articles_first: bool = True  # an article the question names ("신용정보법 제27조") goes first
    # Lay questions (lexlab.ask.lay): the term map's article ranking fused in by RRF with this weight (0: off) …
    lay_weight: float = 1.5
    # … for questions that name no law and whose confidence (``normalized``) is below this: a question the statute
    # text already answers well keeps the retriever's order. All four chosen on the dev questions by the rules of
    # benchmarks/lay_questions_dev_grid.py (results/lay_questions_dev_grid.json).
    lay_below: float = 3.5
    lay_rrf_k: float = 10.0
    # A routed question's confidence: max(the retriever's, this × the map's best article score); 0: the retriever's.
    lay_confidence: float = 1.5

    def __post_init__(self):
        if not self.method:
            raise ValueError("retriever method is empty")
        check_non_negative(self, "title_weight", "law_weight", "pool", "lay_weight", "lay_below", "lay_confidence")
        check_positive(self, "lay_rrf_k")
        if self.method == "bm25":
            self.options = {**DEFAULT_BM25, **self.options}

    def key(self, drop: tuple[str, ...] = ()) -> str:
        fields = {name: v for name, v in asdict(self).items() if name not in drop}
        blob = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
        return f"{self.method}-{hashlib.sha1(blob.encode()).hexdigest()[:10]}"

    def index_key(self) -> str:
        """The key of the built index: the lay routing happens at query time and does not change it."""
        return self.key(drop=("lay_weight", "lay_below", "lay_rrf_k", "lay_confidence"))


@dataclass
class Hit:
    doc_id: str
    law: str
    article: str
    title: str
    score: float
    rank: int


class StatuteRetriever:
    """A registry retriever indexed on ``index`` (built once and cached), answering questions with ``Hit``s."""

    def __init__(self, index: StatuteIndex, config: RetrieverConfig | None = None, progress: bool = True,
                 cache: bool = True, lay_map=None):
        self.index = index
        self.config = config or RetrieverConfig()
        self.progress = progress
        self.retriever = self._load_or_build(cache)
        from lexlab.ask.law_names import LawNames

        self.law_names = LawNames(index.laws)
        self.lay = self._lay_router(lay_map)

    def _lay_router(self, lay_map):
        """The lay router over ``lay_map`` (a ``TermMap``), else over the snapshot's mined map; None when off or
        when there is nothing to mine (an index from the statute package)."""
        if self.config.lay_weight <= 0:
            return None
        from lexlab.ask.lay import LayRouter, load_term_map

        lay_map = lay_map if lay_map is not None else load_term_map(self.index, progress=self.progress)
        return LayRouter(lay_map, self.index) if lay_map is not None else None

    # -- building ------------------------------------------------------------------------------------------------
    def _load_or_build(self, cache: bool):
        from filelock import FileLock

        from lexlab.legalsearchlm.retrieval import saved_index

        if not cache:
            return self._build(None)
        index_dir = paths.work_dir("ask", self.index.source) / self.config.index_key()
        r = saved_index(self.config.method, index_dir)  # built already: no lock (the work dir may be read-only)
        if r is not None:
            return r
        with FileLock(str(index_dir) + ".lock"):
            r = saved_index(self.config.method, index_dir)
            return r if r is not None else self._build(index_dir)

    def _build(self, index_dir):
        from lexlab.legalsearchlm.retrieval import get_retriever

        corpus = self.index.corpus(self.config.title_weight, self.config.law_weight)
        r = get_retriever(self.config.method, **self.config.options)
        desc = f"statute index ({self.config.method}, {len(corpus)} articles)"
        if hasattr(r, "tokenize") and hasattr(r, "index_tokens"):  # BM25: tokenise with a progress bar
            r.doc_ids = [d["id"] for d in corpus]
            toks = [r.tokenize([d["text"]])[0] for d in tqdm(corpus, desc=desc, disable=not self.progress)]
            r.index_tokens(toks)
        else:
            if self.progress:
                print(f"{desc}: indexing…", file=sys.stderr, flush=True)
            r.index(corpus)
        if index_dir is not None:
            r.save(index_dir)
        return r

    # -- searching -----------------------------------------------------------------------------------------------
    def search(self, questions: Sequence[str], k: int = 5) -> list[list[Hit]]:
        clean = strip_question_words if self.config.strip_question_words else (lambda t: t)
        queries = [{"id": f"q{i}", "text": clean(q)} for i, q in enumerate(questions)]
        run = self.retriever.search(queries, k=max(k, self.config.pool) if self.config.law_first else k)
        out = []
        for q, question in zip(queries, questions):
            run[q["id"]] = self._reorder(question, self._with_lay(question, run.get(q["id"], [])))[:k]
            hits = []
            for rank, (did, score) in enumerate(run.get(q["id"], []), start=1):
                if did not in self.index.articles.index:
                    continue  # never hand on an id the statute index does not hold
                row = self.index.articles.loc[did]
                hits.append(Hit(did, str(row["law"]), str(row["article"]), str(row["title"] or ""), float(score), rank))
            out.append(hits)
        return out

    def _with_lay(self, question: str, hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """``hits`` fused with the lay router's ranking (RRF) when the question is a lay one: it names no law and
        its confidence is below ``lay_below``. The fused hits carry the question's confidence (the retriever's, or
        ``lay_confidence`` × the router's best score when higher) as the top score, the rest scaled by fused score."""
        if self.lay is None or self.law_names.mentions(question)[0]:
            return hits
        scale = math.sqrt(self._n_terms(question))  # normalized confidence = top score / scale
        confidence = hits[0][1] / scale if hits else 0.0
        if confidence >= self.config.lay_below:
            return hits
        from lexlab.legalsearchlm.retrieval.hybrid import fuse

        routed = self.lay.rank(question, self.config.pool)
        if not routed:
            return hits
        fused = fuse([hits, routed], [1.0, self.config.lay_weight], "rrf", self.config.lay_rrf_k)
        top = max(confidence, self.config.lay_confidence * routed[0][1]) * scale
        return [(d, top * s / fused[0][1]) for d, s in fused]

    def _n_terms(self, question: str) -> int:
        """Distinct query terms once filler words are dropped (methods without a tokenizer: words), at least 1."""
        q = strip_question_words(question)
        terms = self.retriever.tokenize([q])[0] if hasattr(self.retriever, "tokenize") else q.split()
        return max(1, len(set(terms)))

    def _reorder(self, question: str, hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Articles of the laws the question names first (stable), and before them the articles it names."""
        arts = self.index.articles
        if self.config.law_first:
            named, _ = self.law_names.mentions(question)
            if named:
                hits = sorted(hits, key=lambda h: h[0] not in arts.index or arts.at[h[0], "law"] not in named)
        if self.config.named_articles_first:
            ids = [d for d in (self.index.lookup(law, no) for law, no in self.law_names.articles(question)) if d]
            if ids:
                scores = dict(hits)
                top = hits[0][1] if hits else 0.0
                named = set(ids)
                hits = [(d, scores.get(d, top)) for d in ids] + [h for h in hits if h[0] not in named]
        return hits

    def confidence(self, questions: Sequence[str], hits: Sequence[Sequence[Hit]], kind: str = "normalized"
                   ) -> list[float]:
        """Per question: the best article's score (``top``), or that score / sqrt(number of distinct query terms)
        (``normalized``; methods without a tokenizer count words). 0 with no hit."""
        if kind not in CONFIDENCE:
            raise ValueError(f"confidence must be one of {CONFIDENCE}, not {kind!r}")
        out = []
        for q, h in zip(questions, hits):
            top = h[0].score if h else 0.0
            out.append(float(top / math.sqrt(self._n_terms(q)) if kind == "normalized" else top))
        return out
