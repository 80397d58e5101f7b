"""A Korean CaseHOLD: which holding of an earlier Supreme Court decision does this reasoning cite?

Korean decisions restate the holding they rely on and then cite it: "… 거래행위는 유효하다 할 것이다(대법원 1995. 4.
11. 선고 94다33903 판결 등 참조)." Each such sentence of a decision's 이유 gives one question:

- **context**: the 이유 around the sentence, the holding replaced by ``[판시]``, the citation kept (as in CaseHOLD,
  the reader knows which case is cited, not what it held);
- **options**: the right holding and ``n_options − 1`` holdings cited in *other* decisions, drawn first from
  decisions with the same charge (제목), then from decisions sharing a cited article, then from any decision (how
  many came from each is kept per item: ``hard_distractors``). A candidate is never the same precedent (a shared
  cited case number) nor a near-copy of the right holding (``near_duplicate`` n-gram containment either way);
- **leak check**: an item is dropped when the right holding still occurs in its context — a decision that states
  the same holding twice (in 8-character n-grams, ``leak_threshold`` of the holding found in the context).

Questions come from decisions of the evaluation split (``lexlab.data.splits.case_split``), at most one per decision
(the first qualifying sentence); distractor holdings from dev and test decisions only: a model trained on the
train split prefers text it has seen, so train-split distractors would push it below chance.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from lexlab.data.splits import case_split
from lexlab.data.text import clean_markup
from lexlab.judging.reference import CASE_NO, contained, grams

MASK = "[판시]"
PROMPT = "다음 판결 이유에서 {mask} 자리에 들어갈, 인용된 대법원 판례의 법리는 무엇인가?\n\n{context}\n\n법리: "
_CITATION = re.compile(r"\((?:대법원|같은 취지의 대법원)[^()]{0,400}?(?:판결|결정)(?:\s?등)?\s?(?:참조|취지 참조)\)")
# a sentence ends at "다." (not "다."' closing a quotation: "…한다.'고 규정"), a newline, an item marker, or a full
# stop after a non-digit (dates are written "2013. 3. 22.")
_BOUNDARY = re.compile(r"다\.(?![\"”’'」])\s*|\n|\[\d+\]\s*|(?<!\d)[.]\s+")
_LEAD = re.compile(r"^\s*(?:[가-하\d]{1,2}[.)]\s*|\(\d+\)\s*)+")  # "다) ", "2. ", "(1) " item markers
LEAK_NGRAM = 8


@dataclass
class Holding:
    case_id: str
    text: str            # the proposition before the citation (the answer)
    citation: str        # "(대법원 … 참조)"
    cited: frozenset     # case numbers in the citation
    start: int           # where the holding starts in the cleaned 이유
    end: int             # where the citation ends

    @cached_property
    def grams(self) -> set[str]:
        return grams(self.text, 3)


@dataclass
class CaseHoldItem:
    id: str
    case_id: str
    context: str
    options: list[str]
    label: int
    cited: list[str]
    leak: float                          # share of the holding's 8-grams found in the context (kept items: low)
    hard_distractors: int = 0            # distractors from the same charge or a shared cited article
    meta: dict = field(default_factory=dict)


def find_holdings(case_id: str, reasoning: str, min_chars: int = 40, max_chars: int = 500) -> list[Holding]:
    """The sentences of a decision's (cleaned) 이유 that restate a precedent's holding and cite it."""
    out = []
    for m in _CITATION.finditer(reasoning):
        offset = max(0, m.start() - max_chars - 200)  # a longer sentence is refused anyway: look back no further
        head = reasoning[offset:m.start()]
        starts = [b.end() for b in _BOUNDARY.finditer(head)]
        start = offset + (starts[-1] if starts else 0)
        text = _LEAD.sub("", reasoning[start:m.start()]).strip()
        if min_chars <= len(text) <= max_chars and text.count("(") == text.count(")") and "참조" not in text:
            out.append(Holding(case_id, text, m.group(0), frozenset(_cases(m.group(0))), start, m.end()))
    return out


def _cases(text: str) -> set[str]:
    return {re.sub(r"\s", "", c) for c in CASE_NO.findall(text)}


def context_of(reasoning: str, h: Holding, before: int, after: int) -> str:
    """The 이유 around a holding, the holding masked: ``before`` characters before it, ``after`` after its
    citation (cut to whole sentences where possible)."""
    pre = reasoning[max(0, h.start - before):h.start]
    cut = pre.find("다.")
    pre = pre[cut + 2:] if h.start > before and 0 <= cut < len(pre) // 2 else pre
    post = reasoning[h.end:h.end + after]
    return f"{pre.strip()} {MASK}{h.citation} {post.strip()}".strip()


def leak_score(holding: str, context: str) -> float:
    """Share of the holding's distinct 8-character n-grams that occur in the context: high = the answer leaks."""
    return contained(holding, grams(context, LEAK_NGRAM), LEAK_NGRAM)


def near_duplicate(a: str, b: str, threshold: float = 0.5, n: int = 5) -> bool:
    ga, gb = grams(a, n), grams(b, n)
    return bool(ga and gb) and max(len(ga & gb) / len(ga), len(ga & gb) / len(gb)) >= threshold


@dataclass(frozen=True)
class CaseFacts:
    """What distractor picking needs of a decision: its charge (제목) and the articles it cites."""

    title: str
    articles: frozenset


def _tier(c: Holding, own: CaseFacts, facts: dict[str, CaseFacts]) -> int:
    """0: same charge, 1: a shared cited article, 2: any other decision."""
    other = facts[c.case_id]
    return 0 if other.title == own.title else 1 if own.articles & other.articles else 2


def pick_distractors(h: Holding, qid: str, pool: list[Holding], facts: dict[str, CaseFacts], k: int, seed: int,
                     context: str = "", leak_threshold: float = 1.0) -> tuple[list[str], int]:
    """k distractor holdings for ``h`` (see the module docstring), and how many came from the same charge or a
    shared cited article. Within those two tiers the holdings most like the right one (character 3-gram
    Jaccard) come first (as CaseHOLD picks similar holdings); the rest follow in a seeded hash order. A holding the context itself states (the
    leak check, applied to distractors) is never one: it would be a second answer the reader can see."""
    own, target = facts[h.case_id], grams(h.text, 3)
    tiers: list[list[Holding]] = [[], [], []]
    for c in pool:
        tiers[_tier(c, own, facts)].append(c)
    def likeness(c: Holding) -> float:  # Jaccard, not the raw overlap: that favours long holdings, and the
        return -len(c.grams & target) / len(c.grams | target)  # answer then is the shortest option (seen: 39 %)

    similar = sorted(tiers[0], key=likeness) + sorted(tiers[1], key=likeness)
    chosen: list[Holding] = []
    seen = grams(context, LEAK_NGRAM)
    _take(h, similar, chosen, k, lambda c: contained(c.text, seen, LEAK_NGRAM) >= leak_threshold)
    if len(chosen) < k:  # sorted only when needed: hashing the whole pool per question is most of the cost
        _take(h, sorted(tiers[2], key=lambda c: hashlib.sha1(f"{seed}:{qid}:{c.case_id}:{c.start}".encode()).digest()),
              chosen, k, lambda c: contained(c.text, seen, LEAK_NGRAM) >= leak_threshold)
    return [c.text for c in chosen], sum(_tier(c, own, facts) < 2 for c in chosen)


def _take(h: Holding, candidates: list[Holding], chosen: list[Holding], k: int, in_context) -> None:
    """Append candidates to ``chosen`` until it holds k: never the question's own decision or precedent, one per
    decision, no near-copy of the right holding or of a chosen one, none the context states (``in_context``)."""
    for c in candidates:
        if len(chosen) == k:
            return
        if (c.case_id == h.case_id or c.cited & h.cited or any(c.case_id == o.case_id for o in chosen)
                or near_duplicate(c.text, h.text) or any(near_duplicate(c.text, o.text) for o in chosen)
                or in_context(c)):
            continue
        chosen.append(c)


def place(correct: str, distractors: list[str], qid: str) -> tuple[list[str], int]:
    """The right option at a hash-chosen position, so its place carries no signal."""
    pos = int(hashlib.sha1(f"pos:{qid}".encode()).hexdigest(), 16) % (len(distractors) + 1)
    return distractors[:pos] + [correct] + distractors[pos:], pos


def seeded_order(keys, seed: int) -> list[int]:
    """Positions of ``keys`` in a seeded hash order: a sample that does not depend on table order."""
    keyed = sorted((hashlib.sha1(f"{seed}:{k}".encode()).hexdigest(), i) for i, k in enumerate(keys))
    return [i for _, i in keyed]


@dataclass
class BuildStats:
    decisions_citing: int = 0    # decisions whose 이유 restates and cites at least one holding
    holdings: int = 0            # such sentences in dev and test decisions (the distractor pool)
    questions_considered: int = 0
    dropped_leak: int = 0
    dropped_too_few_distractors: int = 0
    items: int = 0


def build(decisions: pd.DataFrame, split: str = "test", n_options: int = 5, before: int = 600, after: int = 300,
          leak_threshold: float = 0.2, max_items: int = 0, seed: int = 0) -> tuple[list[CaseHoldItem], BuildStats]:
    """The CaseHOLD items of ``split`` (``max_items`` > 0 keeps the first N in a seeded order) and what the
    builder saw and dropped."""
    df = decisions.assign(eval_split=case_split(decisions), reasoning_clean=decisions["reasoning"].map(clean_markup),
                          title=decisions["title"].map(clean_markup)).set_index("case_id", drop=False)
    found = {cid: find_holdings(cid, text) for cid, text in df["reasoning_clean"].items()}
    facts = {cid: CaseFacts(t, frozenset(a)) for cid, t, a in zip(df["case_id"], df["title"], df["ref_articles"])}
    # distractors never come from training decisions: a model trained on them would prefer text it has seen
    # (measured: the tiny demo models scored 0.09-0.10, below chance, with a pool drawn from every split)
    pool = [h for cid, hs in found.items() if df.at[cid, "eval_split"] != "train" for h in hs]
    stats = BuildStats(decisions_citing=sum(bool(hs) for hs in found.values()), holdings=len(pool))
    askable = [cid for cid, hs in found.items() if hs and df.at[cid, "eval_split"] == split]
    askable = [askable[i] for i in seeded_order(askable, seed)]
    items = []
    for cid in askable:
        if max_items and len(items) >= max_items:
            break
        stats.questions_considered += 1
        item = _item(found[cid][0], df, pool, facts, n_options, before, after, leak_threshold, seed)
        if isinstance(item, str):
            setattr(stats, item, getattr(stats, item) + 1)
        else:
            items.append(item)
    stats.items = len(items)
    return items, stats


def _item(h: Holding, df: pd.DataFrame, pool: list[Holding], facts: dict[str, CaseFacts], n_options: int, before: int, after: int,
          leak_threshold: float, seed: int) -> CaseHoldItem | str:
    """One question, or the name of the ``BuildStats`` counter that says why it was dropped."""
    qid = f"casehold:{h.case_id}"
    context = context_of(df.at[h.case_id, "reasoning_clean"], h, before, after)
    leak = leak_score(h.text, context)
    if leak >= leak_threshold:
        return "dropped_leak"
    wrong, hard = pick_distractors(h, qid, pool, facts, n_options - 1, seed, context, leak_threshold)
    if len(wrong) < n_options - 1:
        return "dropped_too_few_distractors"
    options, label = place(h.text, wrong, qid)
    return CaseHoldItem(qid, h.case_id, context, options, label, sorted(h.cited), leak, hard,
                        {"title": df.at[h.case_id, "title"]})


def overlap_choice(item: CaseHoldItem, n: int = 3) -> int:
    """The no-model baseline: the option sharing most character n-grams with the context (by share)."""
    context = grams(item.context, n)
    scores = [contained(o, context, n) for o in item.options]
    return max(range(len(scores)), key=lambda i: scores[i])


def length_choice(item: CaseHoldItem, longest: bool = False) -> int:
    """An artifact check, not a method: the shortest (or longest) option. Near chance when distractors are not
    told apart from the answer by their length."""
    lengths = [len(o) * (-1 if longest else 1) for o in item.options]
    return lengths.index(min(lengths))


def choose_with_model(spec: str, items: list[CaseHoldItem], max_context_tokens: int) -> list[int]:
    """A local model's answers: the option with the highest log-likelihood per character after the prompt (the
    prompt cut from the left to fit), as stage 06 scores multiple choice."""
    from lexlab.judging.candidates import pad_id, render
    from lexlab.models.generation import continuation_logprobs
    from lexlab.models.hf import load_model

    model, tokenizer, _ = load_model(spec)
    model.eval()
    rows, spans = [], []
    for item in items:
        options = [tokenizer(o, add_special_tokens=False)["input_ids"] for o in item.options]
        budget = max(16, max_context_tokens - max(len(o) for o in options))
        ctx = render(tokenizer, PROMPT.format(mask=MASK, context=item.context))[-budget:]
        spans.append((len(rows), len(options)))
        rows.extend((ctx, o) for o in options)
    scores = continuation_logprobs(model, rows, pad_id(tokenizer), desc=f"casehold: {spec}")
    out = []
    for item, (start, k) in zip(items, spans):
        norm = [scores[start + j] / max(len(item.options[j]), 1) for j in range(k)]
        out.append(max(range(k), key=lambda j: norm[j]))
    return out
