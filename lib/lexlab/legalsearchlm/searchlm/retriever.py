"""LegalSearchLM: generate legal elements of the query case, constrained to the corpus, and rank the cases
that contain them.

Pipeline (notebook 09 trains, notebook 10 indexes and searches):

1. `lexlab.legalsearchlm.searchlm.train.train_searchlm` — self-supervised fine-tuning (its own module). Every
   corpus case becomes training examples ``(a window of the case text with statute names, article numbers and
   charges masked) → a few of its own legal elements, each ended by EOS``
   (:mod:`lexlab.legalsearchlm.searchlm.elements`; the window holds the first of them where the masked text shows
   it). The masking makes the
   training input look like a LEGAR query, whose text has exactly those things masked, so the model learns to
   *infer* provisions and charges from facts rather than to copy them. No relevance label is used. Model:
   "tiny" (a Llama built from a config with a tokenizer trained on the corpus; CPU, minutes) or any HF
   causal-LM path (GPU).

Here:

2. `SearchLMRetriever.index` — the corpus, whitespace-normalised and tokenized with the model's tokenizer,
   goes into an FM-index (:mod:`lexlab.legalsearchlm.searchlm.fm_index`).
3. `SearchLMRetriever.search` — constrained beam search (:func:`lexlab.legalsearchlm.searchlm.decoding.generate_spans`):
   every beam is a span that occurs in the corpus. First-token-aware decoding bars span starts that are not
   the beginning of an informative word (dates, numbers, places, party labels, mid-word pieces).
4. Ranking (SEAL-style): the cases that contain the generated spans, each span weighted by how much more
   likely the model makes it than the corpus does, saturated by how often a case holds it and normalised by the
   case's length (:mod:`lexlab.legalsearchlm.searchlm.scoring`); plus (our addition, issue #23) the cases that
   state an article a generated span names, however they write it, a statement in the case's head weighing
   most (:mod:`lexlab.legalsearchlm.searchlm.articles`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from lexlab.legalsearchlm.retrieval import Retriever, register
from lexlab.legalsearchlm.retrieval.base import show_progress
from lexlab.legalsearchlm.bench.masking import mask_like_query
from lexlab.legalsearchlm.searchlm.prompt import prompt_ids
from lexlab.legalsearchlm.searchlm.elements import is_informative_word, normalize_text
from lexlab.legalsearchlm.searchlm.articles import HEAD_CHARS, ArticleIndex, span_articles, with_articles
from lexlab.legalsearchlm.searchlm.scoring import SPAN_B, SPAN_K1, span_scores, top_k


# The article match and its feedback, chosen on the 335 dev queries with the default model
# (benchmarks/searchlm_article_grid.py → benchmarks/results/searchlm_article_grid_dev.json): dev P@5 0.211 with
# spans alone, 0.232 + articles (weight 1, head x4), 0.239 + feedback from the 5 best cases.
ARTICLE_WEIGHT = 0.5
HEAD_WEIGHT = 3.0
ARTICLE_TOP = 0
FEEDBACK_DEPTH = 5
FEEDBACK_WEIGHT = 1.0


# --- first-token-aware decoding --------------------------------------------------------------------------------
def first_token_banned_ids(tokenizer) -> list[int]:
    """Token ids a span may not start with: anything that is not the start of an informative word.

    A token qualifies only if it begins a word (a leading space in the corpus text) and that word-piece passes
    `is_informative_word` — so no mid-word pieces, digits, dates, punctuation, masks or party labels.
    """
    banned = []
    specials = set(tokenizer.all_special_ids)
    for i in range(len(tokenizer)):
        if i in specials:
            banned.append(i)
            continue
        s = tokenizer.decode([i])
        if not s.startswith(" ") or not is_informative_word(s.strip()):
            banned.append(i)
    return banned


# --- the retriever ---------------------------------------------------------------------------------------------
def search_defaults() -> dict:
    """The decoding and ranking options of `SearchLMRetriever` at their defaults. A saved index keeps the options
    it was built with; updating a loaded one with these makes it search as a new one would."""
    import inspect

    params = inspect.signature(SearchLMRetriever.__init__).parameters.values()
    return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty and p.name != "model"}


@register("searchlm")
class SearchLMRetriever(Retriever):
    """Generative retrieval over an FM-index. Options (all JSON-able, saved with the index):

    model: trained model dir (train_searchlm's ``final``) or any HF causal-LM path;
    num_beams / max_new_tokens / min_span_length: decoding; first_token_aware: bar uninformative span starts;
    max_input_tokens: query window; max_span_count: spans more frequent than this are not located;
    query_windows: how many consecutive windows of a long query to decode (spans are pooled);
    first_token_from_query: (our addition, not in the paper; off by default) a span may only start on an
    informative word-start token that occurs in the query — anchors decoding on the query when the model is
    too weakly trained to condition on it by itself (see the notebook 10 results);
    span_k1 / span_b: saturation and length normalisation of the case scores (0 / any: SEAL's plain sum; see
    :mod:`lexlab.legalsearchlm.searchlm.scoring`);
    article_weight: weight of the article match against the span match (both normalised per query; 0: spans
    only, the paper's ranking); head_weight: a case's head (first head_chars characters) stating the article
    counts 1 + head_weight times; article_top: only the model's most probable ``article_top`` articles (0: all);
    feedback_depth / feedback_weight: add the articles the heads of the best ``feedback_depth`` cases state
    (pseudo-relevance feedback, our addition; 0: off).
    """

    def __init__(self, model: str | None = None, num_beams: int = 10, max_new_tokens: int = 8,
                 min_span_length: int = 2, first_token_aware: bool = True, max_input_tokens: int = 160,
                 max_span_count: int = 50000, query_windows: int = 3, batch_size: int = 4, mask_query: bool = True,
                 first_token_from_query: bool = False, span_k1: float = SPAN_K1, span_b: float = SPAN_B,
                 article_weight: float = ARTICLE_WEIGHT, head_weight: float = HEAD_WEIGHT,
                 head_chars: int = HEAD_CHARS, article_top: int = ARTICLE_TOP, feedback_depth: int = FEEDBACK_DEPTH,
                 feedback_weight: float = FEEDBACK_WEIGHT, **kw):
        super().__init__(model=model, num_beams=int(num_beams), max_new_tokens=int(max_new_tokens),
                         min_span_length=int(min_span_length), first_token_aware=bool(first_token_aware),
                         max_input_tokens=int(max_input_tokens), max_span_count=int(max_span_count),
                         query_windows=int(query_windows), batch_size=int(batch_size), mask_query=bool(mask_query),
                         first_token_from_query=bool(first_token_from_query), span_k1=float(span_k1),
                         span_b=float(span_b), article_weight=float(article_weight), head_weight=float(head_weight),
                         head_chars=int(head_chars), article_top=int(article_top),
                         feedback_depth=int(feedback_depth), feedback_weight=float(feedback_weight), **kw)
        self.fm = None
        self.articles = None
        self._lm = None
        self._tok = None
        self._banned = None
        self.last_spans: dict[str, list] = {}

    # -- model ------------------------------------------------------------------------------------------------
    def _load_model(self):
        if self._lm is None:
            if not self.options.get("model"):
                raise ValueError("searchlm needs a model: train one with train_searchlm (or `--model PATH`)")
            from lexlab.models.hf import load_model_and_tokenizer

            self._lm, self._tok = load_model_and_tokenizer(self.options["model"])
            self._lm.eval()
            if self._tok.eos_token_id is None:
                raise ValueError(f"{self.options['model']}: the tokenizer has no EOS token to end spans with")
        return self._lm, self._tok

    # -- index ------------------------------------------------------------------------------------------------
    def _index(self, texts, records) -> None:
        from tqdm.auto import tqdm

        from lexlab.legalsearchlm.searchlm.fm_index import FMIndex

        _, tok = self._load_model()
        docs = []
        for i in tqdm(range(0, len(texts), 64), desc="tokenize corpus", leave=False,
                      disable=not show_progress()):
            batch = [normalize_text(t) for t in texts[i:i + 64]]
            docs.extend(tok(batch, add_special_tokens=False)["input_ids"])
        empty = [self.doc_ids[i] for i, d in enumerate(docs) if not d]
        if empty:
            raise ValueError(f"documents with no tokens after normalisation: {empty[:5]}")
        self.fm = FMIndex.from_documents(docs, vocab_size=len(tok))
        self.articles = ArticleIndex.from_texts(texts, self.options["head_chars"], progress=show_progress())

    def _save(self, path: Path) -> None:
        self.fm.save(str(path / "corpus.fmi"))
        self.articles.save(path / "articles.json")

    def _load(self, path: Path) -> None:
        from lexlab.legalsearchlm.searchlm.fm_index import FMIndex

        self.fm = FMIndex.load(str(path / "corpus.fmi"))
        # An index saved before issue #23 has no article index: it ranks by spans alone.
        self.articles = ArticleIndex.load(path / "articles.json") if (path / "articles.json").exists() else None

    # -- search -----------------------------------------------------------------------------------------------
    def generate(self, texts: Sequence[str]) -> list[list]:
        """Constrained spans per query text (pooled over ``query_windows`` windows, best log-prob kept)."""
        import torch

        from lexlab.legalsearchlm.searchlm.decoding import generate_spans

        lm, tok = self._load_model()
        o = self.options
        if o["first_token_aware"] and self._banned is None:
            self._banned = first_token_banned_ids(tok)
        prompts: list[tuple[int, list[int]]] = []
        for qi, t in enumerate(texts):
            t = mask_like_query(t) if o["mask_query"] else t
            ids = tok(normalize_text(t), add_special_tokens=False)["input_ids"] or [tok.eos_token_id]
            W = o["max_input_tokens"]
            for w in range(o["query_windows"]):
                piece = ids[w * W:(w + 1) * W]
                if not piece and w:
                    break
                prompts.append((qi, prompt_ids(tok, piece, W)))
        pooled: list[dict] = [dict() for _ in texts]
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        device = next(lm.parameters()).device
        anchored = o.get("first_token_from_query", False)
        if anchored and self._banned is None:
            self._banned = first_token_banned_ids(tok)
        if anchored and getattr(self, "_banned_set", None) is None:
            self._banned_set = set(self._banned)
        for b in range(0, len(prompts), o["batch_size"]):
            chunk = prompts[b:b + o["batch_size"]]
            allowed = None
            if anchored:  # one first-token set per prompt: the query's own informative tokens
                allowed = [sorted({t for t in p if t not in self._banned_set}) or None for _, p in chunk]
            n = max(len(p) for _, p in chunk)
            ids = torch.full((len(chunk), n), pad, dtype=torch.long)
            att = torch.zeros((len(chunk), n), dtype=torch.long)
            for i, (_, p) in enumerate(chunk):
                # left padding: the prompt ends where generation starts; an encoder input is padded on the right
                at = 0 if lm.config.is_encoder_decoder else n - len(p)
                ids[i, at:at + len(p)] = torch.tensor(p)
                att[i, at:at + len(p)] = 1
            spans = generate_spans(
                lm, self.fm, ids.to(device), att.to(device), num_beams=o["num_beams"],
                max_new_tokens=o["max_new_tokens"], min_span_length=o["min_span_length"],
                first_token_banned=self._banned if o["first_token_aware"] else None, first_token_allowed=allowed,
                eos_token_id=tok.eos_token_id, pad_token_id=pad, tokenizer=tok, length_penalty=0.0,
            )
            for (qi, _), ss in zip(chunk, spans):
                for s in ss:
                    if s.tokens not in pooled[qi] or pooled[qi][s.tokens].logprob < s.logprob:
                        pooled[qi][s.tokens] = s
        return [sorted(p.values(), key=lambda s: -s.logprob) for p in pooled]

    def _search(self, texts, ks, queries):
        from tqdm.auto import tqdm

        out = []
        bs = max(1, self.options["batch_size"])
        for i in tqdm(range(0, len(texts), bs), desc="searchlm", leave=False,
                      disable=len(texts) <= bs or not show_progress()):
            spans = self.generate(texts[i:i + bs])
            for q, ss, k in zip(queries[i:i + bs], spans, ks[i:i + bs]):
                self.last_spans[str(q["id"])] = ss
                out.append(top_k(self.rank(ss), self.doc_ids, k))
        return out

    def rank(self, spans: Sequence):
        """Every case's score for one query's spans: the span match, plus the article match (class docstring)."""
        o = self.options
        scores = span_scores(self.fm, spans, o["max_span_count"], o["span_k1"], o["span_b"])
        if self.articles is None:
            return scores
        keys = {}
        if o["article_weight"] > 0:  # reading each span's article costs a citation scan: only when it counts
            keys = span_articles(spans, self._tok.decode, self.articles, o["article_top"])
        return with_articles(scores, keys, self.articles, o["article_weight"], o["head_weight"],
                             o["feedback_depth"], o["feedback_weight"])
