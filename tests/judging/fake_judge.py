"""A judge for the fake OpenAI-compatible server (tests/fake_llm.py): it reads the candidates out of the prompt,
prefers the longer one and scores by length — consistent across orders, and length-biased on purpose."""
from __future__ import annotations

import json
import re

from lexlab.judging.rubric import load_rubric

NAMES = load_rubric("case_summary").names


def answers(body: dict) -> tuple[str, str]:
    """The candidate texts in a judge prompt (pointwise: one and ""; pairwise: A and B)."""
    text = body["messages"][-1]["content"]
    if "[답안 A]" in text:
        a = re.search(r"\[답안 A\]\n(.*?)\n\n\[답안 B\]", text, re.S).group(1)
        b = re.search(r"\[답안 B\]\n(.*?)\n\n위 기준", text, re.S).group(1)
        return a, b
    match = re.search(r"\[평가할 답안\]\n(.*?)\n\nJSON", text, re.S)
    return (match.group(1) if match else ""), ""


def longer_wins(body: dict) -> tuple[int, str]:
    a, b = answers(body)
    if "[답안 A]" in body["messages"][-1]["content"]:
        return 200, json.dumps({"winner": "A" if len(a) > len(b) else "B", "reason": "더 자세하다"}, ensure_ascii=False)
    if "판결요지를 작성하시오" in body["messages"][-1]["content"]:  # asked as a summariser (api_models)
        return 200, "요약: 원심판결에는 법리오해의 잘못이 있다."
    score = 4 if len(a) > 20 else 2
    return 200, json.dumps({"scores": {n: score for n in NAMES}, "reasons": {n: "길이로 판단" for n in NAMES}},
                           ensure_ascii=False)
