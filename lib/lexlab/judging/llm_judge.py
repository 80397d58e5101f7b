"""LLM-as-judge through the project's one OpenAI-compatible client (``lexlab.models.llm_client``): cached on disk
(a re-run pays for nothing twice), key read from the environment inside the client, tokens and cost counted.

- **Pointwise**: the judge reads the source, one candidate and the rubric (every anchor verbatim) and returns one
  score and one reason per criterion; the answer is validated with the rubric's pydantic model (a score outside
  the scale or a missing criterion is re-asked, then reported as that item's error).
- **Pairwise A/B**: every pair is asked in both orders. The two answers are mapped back to the candidates; when
  they agree that is the verdict, when they disagree the verdict is a tie (the judge preferred a *slot*, not an
  answer). Both raw answers and both reasons are kept, so position bias can be measured on them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal, Sequence

import pydantic

from lexlab.judging.rubric import Rubric
from lexlab.models.llm_client import LLMClient

SYSTEM = ("당신은 한국 법원 판결을 검토하는 숙련된 법률가입니다. 주어진 평가 기준(rubric)의 각 점수 설명에 따라 "
          "엄격하게 채점하고, 판단 이유를 한두 문장으로 적으십시오. 답은 JSON 객체 하나로만 하십시오.")


class PairAnswer(pydantic.BaseModel):
    winner: Literal["A", "B", "tie"]
    reason: str


@dataclass
class PairVerdict:
    """One pair of candidates ``x`` and ``y`` judged in both orders (``ab``: x shown as A; ``ba``: y shown as A)."""

    item_id: str
    x: str
    y: str
    ab: str           # the judge's raw answer with x first: "A" (x), "B" (y) or "tie"
    ba: str           # the raw answer with y first: "A" (y), "B" (x) or "tie"
    winner: str       # x, y or "tie" after combining both orders
    consistent: bool  # both orders named the same candidate (or both said tie)
    reason_ab: str = ""
    reason_ba: str = ""


def endpoint_configured(base_url: str, key_env: str) -> tuple[bool, str]:
    """Whether a judge can be asked: an endpoint (given, or ``OPENAI_BASE_URL``) and its key variable set. The
    note says what is missing, so a CPU run says plainly why the judge was skipped."""
    if not (base_url or os.environ.get("OPENAI_BASE_URL")):
        return False, "no judge endpoint configured (set judge_base_url or OPENAI_BASE_URL): judge skipped"
    if not os.environ.get(key_env):
        return False, f"environment variable {key_env} is not set: judge skipped"
    return True, "judge endpoint configured"


def combine_orders(ab: str, ba: str, x: str, y: str) -> tuple[str, bool]:
    """The verdict of a pair asked in both orders: the candidate both orders named; a tie when they disagree."""
    first = {"A": x, "B": y}.get(ab, "tie")
    second = {"A": y, "B": x}.get(ba, "tie")
    return (first if first == second else "tie"), first == second


def _rubric_text(rubric: Rubric) -> str:
    lines = [f"평가 기준: {rubric.name} — {rubric.description}"]
    for c in rubric.criteria:
        lines.append(f"- {c.name}: {c.question}")
        lines.extend(f"    {p}점: {a}" for p, a in c.anchors.items())
    return "\n".join(lines)


def pointwise_messages(rubric: Rubric, source: str, candidate: str) -> list[dict]:
    keys = ", ".join(f'"{n}"' for n in rubric.names)
    user = (f"{_rubric_text(rubric)}\n\n[원문]\n{source}\n\n[평가할 답안]\n{candidate}\n\n"
            f'JSON으로 답하시오: {{"scores": {{{keys}: 정수}}, "reasons": {{{keys}: 문자열}}}}')
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def pair_messages(rubric: Rubric, source: str, first: str, second: str) -> list[dict]:
    user = (f"{_rubric_text(rubric)}\n\n[원문]\n{source}\n\n[답안 A]\n{first}\n\n[답안 B]\n{second}\n\n"
            "위 기준 전체에 비추어 더 나은 답안은? 길이가 아니라 내용으로 판단하시오. "
            'JSON으로 답하시오: {"winner": "A" | "B" | "tie", "reason": 문자열}')
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def _validator(model: type[pydantic.BaseModel]):
    def validate(obj: dict) -> None:
        model.model_validate(obj)  # pydantic's ValidationError is a ValueError: the client re-asks
    return validate


def grade(client: LLMClient, rubric: Rubric, items: Sequence[dict]) -> list[dict]:
    """Pointwise grades of ``items`` (dicts with ``item_id``, ``variant``, ``source``, ``text``): one row per
    item with a score and a reason per criterion, or ``error`` when the judge gave no valid answer."""
    model = rubric.answer_model()
    answers = client.map_json([pointwise_messages(rubric, it["source"], it["text"]) for it in items],
                              validate=_validator(model), desc="judge: grade")
    rows = []
    for it, ans in zip(items, answers):
        row = {"item_id": it["item_id"], "variant": it["variant"], "error": ""}
        if isinstance(ans, Exception):
            row["error"] = str(ans)
        else:
            parsed = model.model_validate(ans)
            row.update({c: getattr(parsed.scores, c) for c in rubric.names})
            row.update({f"reason.{c}": getattr(parsed.reasons, c) for c in rubric.names})
        rows.append(row)
    return rows


def compare(client: LLMClient, rubric: Rubric, pairs: Sequence[dict]) -> list[PairVerdict | Exception]:
    """Pairwise verdicts for ``pairs`` (dicts with ``item_id``, ``source``, ``x``, ``y``, ``text_x``,
    ``text_y``), each asked in both orders."""
    batch = []
    for p in pairs:
        batch.append(pair_messages(rubric, p["source"], p["text_x"], p["text_y"]))
        batch.append(pair_messages(rubric, p["source"], p["text_y"], p["text_x"]))
    answers = client.map_json(batch, validate=_validator(PairAnswer), desc="judge: pairs")
    out: list[PairVerdict | Exception] = []
    for p, ab, ba in zip(pairs, answers[0::2], answers[1::2]):
        bad = ab if isinstance(ab, Exception) else ba if isinstance(ba, Exception) else None
        if bad is not None:
            out.append(bad)
            continue
        ab, ba = PairAnswer.model_validate(ab), PairAnswer.model_validate(ba)
        winner, consistent = combine_orders(ab.winner, ba.winner, p["x"], p["y"])
        out.append(PairVerdict(p["item_id"], p["x"], p["y"], ab.winner, ba.winner, winner, consistent,
                               ab.reason, ba.reason))
    return out
