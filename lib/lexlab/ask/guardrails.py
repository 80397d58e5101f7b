"""Checks every answer passes before it is shown.

- Numbers: each number with a unit, period, penalty or article reference the answer states ("5년", "2천만원",
  "100분의 5", "제38조") must occur, by value and unit, in an article the answer cites — the law-QA verifier's own
  extraction (``lexlab.legalmidm.qa.verify.quantities``). An answer that fails is flagged ``number_not_in_citation``
  and, unless ``withhold=False``, replaced by the cited text (flag ``withheld``).
- Notice: every answer ends with ``NOTICE``, one line saying this is legal information, not legal advice.
"""
from __future__ import annotations

from typing import Sequence

from lexlab.legalmidm.qa.verify import quantities

NOTICE = "※ 이 답변은 법령 정보 안내이며 법률 자문이 아닙니다. 구체적인 사안은 변호사 등 전문가와 상담하세요."


def _show(q) -> str:
    v, u = q
    if isinstance(v, float):
        return f"{int(v)}{u}" if v.is_integer() else f"{v:g}{u}"
    return f"{v}{u}"


def unsupported_numbers(answer: str, cited_texts: Sequence[str]) -> list[str]:
    """The answer's quantities that no cited text states (sorted, printable)."""
    stated = set()
    for t in cited_texts:
        stated |= quantities(t)
    return sorted(_show(q) for q in quantities(answer) - stated)


def check(answer: str, cited_texts: Sequence[str], fallback: str, withhold: bool = True) -> tuple[str, list[str]]:
    """(answer to show, flags). ``fallback`` is the cited text shown in place of a withheld answer."""
    bad = unsupported_numbers(answer, cited_texts)
    if not bad:
        return answer, []
    flags = [f"number_not_in_citation:{','.join(bad)}"]
    if withhold:
        return fallback, flags + ["withheld"]
    return answer, flags


def with_notice(answer: str) -> str:
    return f"{answer.rstrip()}\n{NOTICE}" if answer.strip() else NOTICE


def without_notice(answer: str) -> str:
    return answer.replace(NOTICE, "").rstrip()
