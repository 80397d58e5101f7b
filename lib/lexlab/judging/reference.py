"""Reference-based checks that need no judge, so a CPU run still says something about substance.

- **holding coverage**: the 판결요지 is cut into its holdings ([1], [2] … and their sentences); a holding sentence
  is covered when one sentence of the summary contains at least ``threshold`` of its distinct character n-grams
  (spacing and quotes ignored). Coverage = covered holding sentences / all. ROUGE-L rewards any long common
  subsequence, so boilerplate ("원심판결 이유를 기록에 비추어 살펴보면 …") earns ROUGE-L without stating a holding;
  coverage does not.
- **invented numbers**: quantities with units, fractions and article/paragraph references ("5천만원", "3년",
  "제38조") in the summary that the decision (이유, 판결요지, 주문) never states, read by the law-QA verifier's
  ``quantities`` (value-normalised: "5천만원" = "50,000,000원"). This module's one import from ``legalmidm``.
- **citation correctness**: statutes ("형법 제347조") and precedent case numbers ("2008도1234") the summary cites,
  each correct when the decision cites it (참조조문 / 참조판례 or its 이유).
- **ROUGE-L** over characters (the project's ``rougeL_char``), so the checks stand beside the score they correct.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rouge_score import rouge_scorer
from rouge_score.tokenizers import Tokenizer

from lexlab.data.references import article_keys, extract_citations
from lexlab.legalmidm.qa.verify import quantities  # the one allowed cross-import (see the module docstring)

_ITEM = re.compile(r"\[\d+\]")
_SENT_END = re.compile(r"(?<=다\.)\s*|(?<=[.?!])\s+(?=[^\d\s])|\n+")
_SQUASH = re.compile(r"[\s\"'“”‘’「」『』《》〈〉·ㆍ,()]+")
# a case number: year, the court's case-type mark (도 criminal appeal, 다 civil appeal, 고단 criminal first
# instance …), serial — not any "number, Hangul, number" ("2019년 3월" is a date)
_CASE_MARKS = ("고단|고합|고정|가합|가단|가소|구합|구단|카합|카단|헌마|헌바|헌가|초기|도|다|두|누|노|나|마|므|르|후|허|모|"
               "오|재|그|스|브")
CASE_NO = re.compile(rf"(?<!\d)\d{{2,4}}\s?(?:{_CASE_MARKS})\s?\d{{1,6}}(?!\d)")


class _CharTokens(Tokenizer):
    def tokenize(self, text: str) -> list[str]:
        return re.findall(r"\w", (text or "").lower())


_ROUGE = rouge_scorer.RougeScorer(["rougeL"], tokenizer=_CharTokens())


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 over word characters: the same number stage 06 logs as ``rougeL_char``."""
    return _ROUGE.score(reference or "", prediction or "")["rougeL"].fmeasure


def split_sentences(text: str) -> list[str]:
    """Sentences of legal prose: cut after "다." and other sentence ends, at [n] item markers and newlines."""
    parts = []
    for chunk in _ITEM.split(text or ""):
        parts.extend(p.strip() for p in _SENT_END.split(chunk))
    return [p for p in parts if len(_SQUASH.sub("", p)) >= 5]


def grams(text: str, n: int) -> set[str]:
    s = _SQUASH.sub("", text or "")
    return {s[i:i + n] for i in range(len(s) - n + 1)} if len(s) >= n else ({s} if s else set())


def contained(needle: str, haystack_grams: set[str], n: int) -> float:
    """Share of ``needle``'s distinct character n-grams found in ``haystack_grams``."""
    g = grams(needle, n)
    return len(g & haystack_grams) / len(g) if g else 0.0


def holding_coverage(summary: str, reference: str, threshold: float = 0.5, n: int = 3) -> tuple[float, int]:
    """(share of the 판결요지's holding sentences some summary sentence covers, number of holding sentences)."""
    holdings = split_sentences(reference)
    if not holdings:
        return float("nan"), 0
    sentence_grams = [grams(s, n) for s in split_sentences(summary)]
    covered = sum(any(contained(h, g, n) >= threshold for g in sentence_grams) for h in holdings)
    return covered / len(holdings), len(holdings)


def invented_numbers(summary: str, decision_text: str) -> list[str]:
    """The summary's quantities and references that the decision's text does not state, as readable strings."""
    known = quantities(decision_text)
    return sorted(f"{v:g}{u}" if isinstance(v, float) else f"{v}{u}" for v, u in quantities(summary) - known)


def _case_numbers(text: str) -> set[str]:
    return {re.sub(r"\s", "", m) for m in CASE_NO.findall(text or "")}


def _statute(key: str) -> str:
    """An article key compared loosely: spaces and a leading "구" (the former version of a law) dropped."""
    key = re.sub(r"\s", "", key)
    return key[1:] if key.startswith("구") else key


def wrong_citations(summary: str, cited_articles: list[str], decision_text: str) -> tuple[int, list[str]]:
    """(citations in the summary, those the decision does not cite): statutes by article key (a law name cut
    short on either side still matches: prose extraction may read "공정화에관한법률" for the full name),
    precedents by case number."""
    statutes = article_keys(extract_citations(summary))
    known = {_statute(k) for k in [*cited_articles, *article_keys(extract_citations(decision_text))]}
    wrong = [s for s in statutes
             if not any(k.endswith(_statute(s)) or _statute(s).endswith(k) for k in known)]
    cases = _case_numbers(summary)
    return len(statutes) + len(cases), wrong + sorted(cases - _case_numbers(decision_text))


@dataclass
class Checks:
    rouge_l: float
    holding_coverage: float
    n_holdings: int
    invented_numbers: list[str]
    n_citations: int
    wrong_citations: list[str]


def check(summary: str, reference: str, decision_text: str, cited_articles: list[str], threshold: float = 0.5,
          n: int = 3) -> Checks:
    """Every reference-based check of one summary. ``decision_text`` is the decision as the summariser could
    read it plus its 판결요지, 주문 and 참조판례 (what a number or citation may truthfully come from)."""
    coverage, n_holdings = holding_coverage(summary, reference, threshold, n)
    n_cites, wrong = wrong_citations(summary, cited_articles, decision_text)
    return Checks(rouge_l(summary, reference), coverage, n_holdings, invented_numbers(summary, decision_text),
                  n_cites, wrong)
