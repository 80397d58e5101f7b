"""Questions about held-out decisions that do not contain their answer, and the leak check that proves it.

A question states what a user knows before the court decides: the instance (상고심/항소심/제1심), the case type and
title, the legal issue (판시사항; without one, the grounds of appeal at the start of 이유) and, where the decision
has them, the facts (범죄사실). What the court decided is taken out: the (적극)/(소극) markers of 판시사항, every
sentence with an outcome word (기각, 파기, 환송 …) or a conclusion on the lower court (정당하다, 위법하다, 이유 있다 …)
and the 주문. `leak_of` then measures what is left the way the retrieval benchmark does (an outcome word, a
marker, or the 주문 verbatim); a question that still leaks is dropped and counted, never asked.
"""
from __future__ import annotations

import re
from typing import Mapping

import pandas as pd

from lexlab.caselaw.outcomes import instance_of, outcome_of

OUTCOME_WORDS = ("기각", "파기", "환송", "이송", "각하", "인용한다")
_MARKER = re.compile(r"\([^()]{0,12}(?:적극|소극)[^()]{0,12}\)")
_CONCLUSION = re.compile(r"정당하|정당한|위법하|위법이 [없있]|위법은 [없있]|잘못이 [없있]|잘못은 [없있]|이유 [있없]|이유[있없]|"
                         r"받아들|배척|부당하다|수긍|타당하|그르")
_OUTCOME = re.compile("|".join(OUTCOME_WORDS))
_SENTENCE_END = re.compile(r"(?<=다\.)\s+|\n+")
_JUDGMENT_HEAD = re.compile(r"\n\s*(?:\d+\.|[가-하]\.)?\s*(?:이 법원의\s*|당원의\s*|당심의\s*)?판단\s*\n")
ISSUE_CHARS = 600
FACTS_CHARS = 400


def strip_outcome(text: str) -> str:
    """``text`` without (적극)/(소극) markers and without any sentence that states or implies the outcome."""
    text = _MARKER.sub("", text or "")
    kept = [s.strip() for s in _SENTENCE_END.split(text)
            if s.strip() and not _OUTCOME.search(s) and not _CONCLUSION.search(s)]
    return " ".join(kept)


def _issue(row: Mapping) -> tuple[str, str]:
    """(the legal issue's text, where it came from): 판시사항, else the grounds of appeal before the judgment."""
    if str(row.get("holdings") or "").strip():
        return strip_outcome(row["holdings"]), "holdings"
    reasoning = str(row.get("reasoning") or "")
    head = _JUDGMENT_HEAD.split(reasoning, maxsplit=1)[0]
    return strip_outcome(head), "grounds"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + " …"


def question_text(row: Mapping) -> tuple[str, str]:
    """(the question about one decision, the source of its issue part)."""
    issue, source = _issue(row)
    facts = strip_outcome(str(row.get("facts") or ""))
    head = f"{instance_of(row['case_id'], row['court'])} {row.get('case_type') or ''} 사건({row.get('title') or ''})"
    parts = [f"{head}."]
    if issue:
        parts.append(f"쟁점: {_clip(issue, ISSUE_CHARS)}")
    if facts:
        parts.append(f"사실관계: {_clip(facts, FACTS_CHARS)}")
    parts.append("이 사건은 어떻게 결론이 났는가?")
    return " ".join(parts), source if (issue or facts) else "none"


def leak_of(question: str, order: str | None) -> str | None:
    """Why ``question`` gives its answer away (an outcome word, a marker, the 주문 verbatim), or None."""
    if m := _OUTCOME.search(question):
        return f"outcome_word:{m.group(0)}"
    if _MARKER.search(question):
        return "marker"
    order_text = re.sub(r"\s+", " ", order or "").strip()
    if len(order_text) >= 5 and order_text in re.sub(r"\s+", " ", question):
        return "order_verbatim"
    return None


def build_questions(decisions: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """One question per decision with an issue or facts: columns id, question, source, outcome, instance, and
    the leak statistics ``{"asked", "leaked_dropped", "no_text", "leak_rate"}`` (leak_rate over what is asked)."""
    rows, stats = [], {"candidates": len(decisions), "no_text": 0, "leaked_dropped": 0}
    for row in decisions.to_dict("records"):
        question, source = question_text(row)
        if source == "none":
            stats["no_text"] += 1
            continue
        if leak_of(question, row.get("order")):
            stats["leaked_dropped"] += 1
            continue
        rows.append({"id": str(row["case_id"]), "question": question, "source": source,
                     "outcome": outcome_of(row.get("order")), "instance": instance_of(row["case_id"], row["court"]),
                     "case_type": row.get("case_type") or ""})
    out = pd.DataFrame(rows, columns=["id", "question", "source", "outcome", "instance", "case_type"])
    stats["asked"] = len(out)
    stats["leak_rate"] = sum(leak_of(q, o) is not None for q, o in zip(out["question"], _orders(decisions, out)))
    return out, stats


def _orders(decisions: pd.DataFrame, questions: pd.DataFrame) -> list[str]:
    order = dict(zip(decisions["case_id"].astype(str), decisions["order"].fillna("")))
    return [order[i] for i in questions["id"]]
