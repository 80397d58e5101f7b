"""A decision's outcome (the label) and its instance, both read from what the snapshot holds.

The outcome comes from the 주문 only: any reversal (파기, in whole or in part) is ``파기``; otherwise a dismissed
appeal (상고/항소/재항고 기각) is ``상고기각``; everything else (a first-instance sentence, 각하, 이송 …) is
``other``. The instance (상고심 / 항소심 / 제1심) is what a user asking about a case knows before it is decided,
so questions state it; it comes from the court and the case number's code letters, never from the 주문.
"""
from __future__ import annotations

import re

LABELS = ("상고기각", "파기", "other")
NOT_FOUND = "not found"
INSTANCES = ("상고심", "항소심", "제1심")

_CODE = re.compile(r"\d{2,4}\s*([가-힣]+)\s*\d")
_APPELLATE_CODES = ("노", "나", "누", "르", "라", "구나")


def outcome_of(order: str | None) -> str:
    """``파기`` | ``상고기각`` | ``other`` from a decision's 주문."""
    text = order or ""
    if "파기" in text:
        return "파기"
    if "기각" in text:
        return "상고기각"
    return "other"


def instance_of(case_id: str, court: str) -> str:
    """``상고심`` for the Supreme Court, ``항소심`` for an appeal code (노, 나, 누 …), else ``제1심``."""
    if "대법원" in (court or ""):
        return "상고심"
    m = _CODE.search(case_id or "")
    if m and m.group(1) in _APPELLATE_CODES:
        return "항소심"
    return "제1심"
