"""How LEGAR-style queries hide what a retriever must infer: statute names, article numbers, charges, case numbers.

The one place for the mask tokens and the article-number pattern: the benchmark's query builder
(:mod:`lexlab.legalsearchlm.bench.case_text`) masks with the names it knows from the case's labels, and
`mask_like_query` masks any text the same way without labels (LegalSearchLM training inputs and queries).
"""
from __future__ import annotations

import re

MASK_LAW = "[법령]"
MASK_CHARGE = "[죄명]"
MASK_CASE = "[사건번호]"
MASK_ARTICLE = "제○조"

_LAW_WORD = re.compile(r"(?:구\s)?[가-힣A-Za-z·ㆍ]{2,40}(?:법률|시행령|시행규칙|법)(?=[\s,.)(·]|$|위반|상|의|에|을|이|과|와|은|는)")
ARTICLE_NUMBER = re.compile(r"제\s?\d+\s?조(?:\s?의\s?\d+)?(?:\s?제\s?\d+\s?[항호](?:\s?의\s?\d+)?)*")
_CHARGE_WORD = re.compile(r"(?<![가-힣])[가-힣]{2,20}죄(?![가-힣]{2})")
_NOT_CHARGE = ("무죄", "유죄", "범죄", "여죄")


def mask_articles(text: str) -> str:
    """Article numbers ("제347조 제1항", "제188조의4") become ``MASK_ARTICLE``."""
    return ARTICLE_NUMBER.sub(MASK_ARTICLE, text)


def mask_like_query(text: str) -> str:
    """Mask statute names, article numbers and charges the way LEGAR queries are masked (no labels needed)."""
    text = mask_articles(text)
    text = _LAW_WORD.sub(MASK_LAW, text)
    text = _CHARGE_WORD.sub(lambda m: m.group(0) if m.group(0).endswith(_NOT_CHARGE) else MASK_CHARGE, text)
    return text
