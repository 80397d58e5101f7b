"""An OpenAI-compatible endpoint answers from the retrieved articles (Q+Ref⇒A), as one JSON object.

It goes through the project's client (``lexlab.models.llm_client``: key from the environment, cache, retries).
The model is asked for ``{"answerable": bool, "answer": str, "references": [numbers]}``; the numbers index the
references it was shown, anything else it writes is ignored, so it cannot cite an article it was not given.
"""
from __future__ import annotations

from typing import Sequence

from lexlab.ask.generators import Generation, Generator, Reference, mentioned, qref_messages

SYSTEM = ("당신은 한국 법령 정보를 안내하는 도우미입니다. 아래 참고 조문만 근거로 질문에 한국어로 간결하게 답하세요. "
          "참고 조문으로 답할 수 없으면 answerable을 false로 하세요. 조문에 없는 숫자(금액, 기간, 형량)를 지어내지 마세요. "
          'JSON 객체 하나로만 답하세요: {"answerable": true|false, "answer": "...", "references": [근거로 쓴 참고 조문 번호]}')


TIMEOUT_S = 30.0  # seconds per request


class OpenAIGenerator(Generator):
    name = "openai"

    def __init__(self, model: str, base_url: str | None = None, api_key_env: str = "OPENAI_API_KEY",
                 max_tokens: int = 400, workers: int = 4, progress: bool = False, timeout_s: float = TIMEOUT_S,
                 max_retries: int = 1, **client_options):
        from lexlab.models.llm_client import LLMClient

        # A question waits at most (max_retries + 1) × timeout_s for the endpoint (a stalled one took 487 s)
        self.client = LLMClient(base_url=base_url, model=model, api_key_env=api_key_env, timeout_s=timeout_s,
                                max_retries=max_retries, json_retries=1, params={"max_tokens": max_tokens},
                                **client_options)
        self.workers, self.progress = workers, progress

    def params(self) -> dict:
        return {"generator": f"openai:{self.client.model}", **self.client.params()}

    def generate(self, questions: Sequence[str], references: Sequence[Sequence[Reference]]) -> list[Generation]:
        batch = [qref_messages(q, refs, SYSTEM) for q, refs in zip(questions, references)]
        answers = self.client.map_json(batch, schema_hint={"answer": str}, workers=self.workers,
                                       progress=self.progress, desc="ask")
        return [self._parse(a, refs) for a, refs in zip(answers, references)]

    @staticmethod
    def _parse(obj, refs: Sequence[Reference]) -> Generation:
        if isinstance(obj, Exception):  # an endpoint failure is an error, never "the articles do not answer"
            return Generation("", [], answerable=False, raw=f"error: {obj}", error=str(obj))
        answer = str(obj.get("answer") or "").strip()
        nums = obj.get("references") or []
        used = sorted({int(n) - 1 for n in nums if isinstance(n, (int, float, str)) and str(n).strip().isdigit()
                       and 1 <= int(n) <= len(refs)})
        answerable = obj.get("answerable", True) is not False and bool(answer)
        return Generation(answer, used or mentioned(answer, refs) or ([0] if answerable and refs else []),
                          answerable, raw=str(obj))
