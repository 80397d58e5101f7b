"""A causal LM (a path, a name under work/models/, or ``run:RUN_ID``) answers from the retrieved articles in the
Q+Ref⇒A format it was trained on (``ref_in_input``). The references it relies on are those its answer names
("형법 제347조"), else the first; an answer saying the references do not hold the answer (``NO_ANSWER``) is
"not found"."""
from __future__ import annotations

from typing import Sequence

from lexlab.ask.generators import NO_ANSWER, Generation, Generator, Reference, mentioned, qref_messages


class HFGenerator(Generator):
    name = "hf"

    def __init__(self, spec: str, max_new_tokens: int = 128, batch_size: int = 4, system: str | None = None):
        from lexlab.legalmidm.evaluate import GenerationSettings
        from lexlab.models.hf import load_model

        self.spec = spec
        self.model, self.tokenizer, self.path = load_model(spec)
        self.model.eval()
        self.settings = GenerationSettings(max_new_tokens=max_new_tokens, batch_size=batch_size)
        self.system = system

    def params(self) -> dict:
        return {"generator": self.spec, "generator_path": str(self.path)}

    def generate(self, questions: Sequence[str], references: Sequence[Sequence[Reference]]) -> list[Generation]:
        from lexlab.legalmidm.evaluate import generate as lm_generate
        from lexlab.models.families import apply_chat_template  # folds the system turn where a template has none

        prompts = []
        for q, refs in zip(questions, references):
            msgs = qref_messages(q, refs, self.system)
            if getattr(self.tokenizer, "chat_template", None):
                prompts.append(apply_chat_template(self.tokenizer, msgs, add_generation_prompt=True))
            else:
                prompts.append("\n\n".join(m["content"] for m in msgs) + "\n\n답변: ")
        texts, _ = lm_generate(self.model, self.tokenizer, prompts, self.settings, desc="ask")
        out = []
        for text, refs in zip(texts, references):
            answerable = bool(text.strip()) and not NO_ANSWER.search(text)
            out.append(Generation(text.strip(), mentioned(text, refs) or ([0] if refs and answerable else []),
                                  answerable, raw=text))
        return out
