"""The ``openai:NAME`` generator: any OpenAI-compatible model reads the retrieved precedents and answers as JSON.

Through the project's client (``lexlab.models.llm_client``: key from the environment only, cached, retried), so a
re-run pays no request twice. The model sees each precedent's case number, court, date, outcome and a passage, and
returns ``{"outcome", "answer", "citations": [{"case_no", "passage"}]}``; its citations are checked verbatim by
`predict.check_citations` like any other.
"""
from __future__ import annotations

from typing import Sequence

from lexlab.caselaw.corpus import CaseLaw, Citation
from lexlab.caselaw.outcomes import LABELS, NOT_FOUND
from lexlab.caselaw.predict import Prediction, Question

SYSTEM = ("당신은 한국 판례를 근거로 소송 결과를 예측하는 도우미입니다. 아래 선례만 근거로 질문의 사건이 어떻게 결론 났을지 답하세요. "
          f"outcome은 {', '.join(LABELS)} 또는 '{NOT_FOUND}' 중 하나입니다. citations의 passage는 선례 본문에서 그대로 옮긴 문장이어야 "
          '합니다. JSON 객체 하나로만 답하세요: {"outcome": "...", "answer": "짧은 답", '
          '"citations": [{"case_no": "...", "passage": "..."}]}')


def messages(q: Question, hits: Sequence[tuple[str, float]], caselaw: CaseLaw) -> list[dict]:
    lines = []
    for i, (c, _) in enumerate(hits, 1):
        cite = caselaw.citation(c, q.question)
        lines.append(f"[{i}] {c} ({cite.court} {cite.date}) 결론: {caselaw.outcome[c]}\n{cite.passage}")
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": "선례:\n" + "\n\n".join(lines) + f"\n\n질문: {q.question}"}]


class OpenAIOutcome:
    def __init__(self, model: str, base_url: str | None = None, workers: int = 4):
        from lexlab.models.llm_client import LLMClient

        self.client = LLMClient(base_url=base_url, model=model, params={"max_tokens": 500})
        self.workers = workers

    def predict(self, questions: Sequence[Question], hits: Sequence[Sequence[tuple[str, float]]],
                caselaw: CaseLaw) -> list[Prediction]:
        batch = [messages(q, h, caselaw) for q, h in zip(questions, hits)]
        answers = self.client.map_json(batch, schema_hint={"outcome": str}, workers=self.workers, progress=False,
                                       desc="caselaw")
        return [_parse(a, caselaw) for a in answers]


def _parse(obj, caselaw: CaseLaw) -> Prediction:
    if isinstance(obj, Exception):
        return Prediction(NOT_FOUND, "", 0.0, flags=[f"llm_error:{type(obj).__name__}"], cites=False)
    outcome = str(obj.get("outcome", NOT_FOUND))
    flags = [] if outcome in (*LABELS, NOT_FOUND) else [f"bad_outcome:{outcome}"]
    outcome = NOT_FOUND if flags else outcome
    citations = []
    for c in obj.get("citations") or []:
        if isinstance(c, dict) and str(c.get("case_no", "")) in caselaw:
            no = str(c["case_no"])
            row = caselaw.row(no)
            citations.append(Citation(no, str(row["court"]), str(row["date"]), str(c.get("passage", ""))))
        else:
            flags.append(f"citation_dropped:{c.get('case_no') if isinstance(c, dict) else c}:unknown_case")
    return Prediction(outcome, str(obj.get("answer", "")), 1.0, citations, flags)
