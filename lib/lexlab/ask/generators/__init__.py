"""Answer generators behind one registry: ``extractive`` (no model), a model (path, name or ``run:RUN_ID``), or an
OpenAI-compatible endpoint (``openai:NAME``). Each gets the question and the retrieved articles as numbered
``Reference``s and returns a ``Generation``: the answer text, which references it relies on (indices into what it
was given — so a citation can only ever be a retrieved article), and whether it judged the references to answer
the question at all. The model-backed generators read the references in the LegalMidm Q+Ref⇒A format
(``lexlab.legalmidm.formats``, ``ref_in_input``), the format a model of the format ablation was trained on.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from lexlab.legalmidm.formats import MAX_REF_CHARS, to_messages
from lexlab.legalmidm.qa.verify import strip_annotations


@dataclass
class Reference:
    doc_id: str
    law: str
    article: str
    title: str
    text: str
    paragraphs: list[str] = field(default_factory=list)

    def heading(self) -> str:
        return f"{self.law} {self.article}" + (f"({self.title})" if self.title else "")

    def body(self) -> str:
        return strip_annotations(self.text)


@dataclass
class Generation:
    answer: str
    used: list[int]                  # indices into the references the generator was given
    answerable: bool = True
    raw: str = ""                    # what the model said, before parsing
    error: str | None = None         # the endpoint failed (500, no JSON, refused, timed out): not a "not found"


class Generator:
    name = "base"

    def generate(self, questions: Sequence[str], references: Sequence[Sequence[Reference]]) -> list[Generation]:
        raise NotImplementedError

    def params(self) -> dict:
        return {"generator": self.name}


# Phrases with which a model says the references do not answer the question.
NO_ANSWER = re.compile(r"(?:찾을 수 없|답할 수 없|알 수 없|포함되어 있지 않|나와 있지 않|관련(?:된)? 조문이 없|답변할 수 없)")


def reference_block(refs: Sequence[Reference], max_chars: int = MAX_REF_CHARS) -> str:
    """The numbered references placed in the prompt, each cut to a share of the budget."""
    per = max(200, max_chars // max(1, len(refs))) if max_chars else 0
    parts = []
    for i, r in enumerate(refs, start=1):
        body = r.body()
        if per and len(body) > per:
            body = body[: per - 1].rstrip() + "…"
        parts.append(f"[{i}] {r.heading()}\n{body}")
    return "\n\n".join(parts)


def qref_messages(question: str, refs: Sequence[Reference], system: str | None = None,
                  max_chars: int = MAX_REF_CHARS) -> list[dict]:
    """Q+Ref⇒A messages (the ``ref_in_input`` format) up to the assistant's turn."""
    item = {"question": question, "answer": "-", "reference": reference_block(refs, max_chars)}
    return to_messages(item, "ref_in_input", system_prompt=system, max_ref_chars=0)[:-1]


def mentioned(answer: str, refs: Sequence[Reference]) -> list[int]:
    """Indices of references whose "<law> 제N조" (or bare "제N조" of the first law) the answer names."""
    squeezed = answer.replace(" ", "")
    out = [i for i, r in enumerate(refs) if f"{r.law}{r.article}".replace(" ", "") in squeezed]
    if not out:
        out = [i for i, r in enumerate(refs) if re.search(rf"{re.escape(r.article)}(?![의\d])", answer)]
    return out


_BUILTIN: dict[str, str] = {"extractive": "lexlab.ask.generators.extractive",
                            "openai": "lexlab.ask.generators.openai", "hf": "lexlab.ask.generators.hf"}


def get_generator(spec: str, **options) -> Generator:
    """``extractive`` | ``openai:NAME`` | anything ``lexlab.models.naming.resolve_model`` accepts (path, name, run:ID)."""
    if not spec:
        raise ValueError("generator is empty; use extractive, a model path/name, run:RUN_ID or openai:NAME")
    kind, _, arg = spec.partition(":")
    if spec == "extractive":
        return importlib.import_module(_BUILTIN["extractive"]).ExtractiveGenerator(**options)
    if kind == "openai":
        if not arg:
            raise ValueError("openai:NAME needs a model name, e.g. openai:gpt-4o-mini")
        return importlib.import_module(_BUILTIN["openai"]).OpenAIGenerator(model=arg, **options)
    return importlib.import_module(_BUILTIN["hf"]).HFGenerator(spec, **options)
