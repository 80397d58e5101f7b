"""The three instruction formats of the LegalMidm data ablation, and how an item becomes training tokens.

The paper asks where the statute reference belongs: nowhere (``no_ref``: Q ⇒ A), after the answer so the model
learns to cite (``ref_in_output``: Q ⇒ A + Ref), or in the prompt so the model learns to read it
(``ref_in_input``: Q + Ref ⇒ A). That choice is one string parameter here, so an ablation grid can sweep it.

Rendering goes through the tokenizer's chat template (ours from ``lexlab.models.hf`` or a hub model's own), with
an optional system prompt. We split every conversation into a *prompt* (everything up to the assistant's turn)
and a *completion*, because instruction tuning should learn to answer, not to reproduce questions: the prompt's
tokens get label -100 and drop out of the loss.
"""
from __future__ import annotations

import re
import typing
from typing import Any, Literal, Mapping

Format = Literal["no_ref", "ref_in_output", "ref_in_input"]
FORMATS: tuple[str, ...] = typing.get_args(Format)

# Korean glue text; kept here so a reader sees exactly what the model sees.
REF_OUTPUT_HEADER = "근거 조문: "
REF_INPUT_HEADER = "참고 조문:\n"
QUESTION_HEADER = "질문: "

# Statute articles can run to thousands of characters; a reference longer than this is cut (with "…") so the
# question and answer still fit into a tiny model's context. Set to 0 to keep references whole.
MAX_REF_CHARS = 1200

IGNORE_INDEX = -100  # what HF losses skip

# The FSC law interpretations arrive with a line break after almost every phrase (an artefact of the HTML they were
# scraped from). Evaluation reads them with those breaks made spaces (``lexlab.legalmidm.tasks.flat``); training must do the
# same, or a tenth of the answer tokens are "\n" and a small model learns to emit line breaks instead of answers.
HARD_WRAPPED_SOURCES = ("interpretation",)
_LINE_BREAKS = re.compile(r"\s*\n\s*")


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown training format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return fmt


def _clip(text: str, max_chars: int) -> str:
    text = text.strip()
    if max_chars and len(text) > max_chars:
        return text[: max_chars - 1].rstrip() + "…"
    return text


def to_messages(
    item: Mapping[str, Any],
    fmt: str,
    system_prompt: str | None = None,
    max_ref_chars: int = MAX_REF_CHARS,
) -> list[dict[str, str]]:
    """One QA item → chat messages in the chosen format.

    Items without a reference (general-text instructions built from press releases, a user's own instructions)
    have nothing to place, so every format renders them as Q ⇒ A; the format only changes legal items.
    """
    check_format(fmt)
    for field in ("question", "answer"):
        value = item.get(field)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"item {item.get('id', '?')!r}: field {field!r} is missing or empty")
    question, answer = item["question"].strip(), item["answer"].strip()
    if item.get("source") in HARD_WRAPPED_SOURCES:
        question, answer = _LINE_BREAKS.sub(" ", question), _LINE_BREAKS.sub(" ", answer)
    reference = _clip(str(item.get("reference") or ""), max_ref_chars)

    if reference and fmt == "ref_in_input":
        user = f"{REF_INPUT_HEADER}{reference}\n\n{QUESTION_HEADER}{question}"
    else:
        user = question
    if reference and fmt == "ref_in_output":
        assistant = f"{answer}\n\n{REF_OUTPUT_HEADER}{reference}"
    else:
        assistant = answer

    messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return messages


def render(
    item: Mapping[str, Any],
    fmt: str,
    tokenizer,
    system_prompt: str | None = None,
    max_ref_chars: int = MAX_REF_CHARS,
) -> dict[str, str]:
    """Item → ``{"prompt", "completion"}`` strings through the tokenizer's chat template.

    The completion is the rendered conversation minus the rendered generation prompt, so it carries whatever
    end-of-turn marker the template appends — the model must learn to stop, and that marker is in the loss.
    """
    messages = to_messages(item, fmt, system_prompt, max_ref_chars)
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError(
            "the tokenizer has no chat template; use one from lexlab.models.hf.train_tokenizer or a chat/instruct "
            "checkpoint, or set tokenizer.chat_template"
        )
    from lexlab.models.families import apply_chat_template  # folds the system turn where a template has none

    prompt = apply_chat_template(tokenizer, messages[:-1], add_generation_prompt=True)
    full = apply_chat_template(tokenizer, messages)
    if not full.startswith(prompt):
        raise ValueError(
            "the chat template does not render the conversation as generation prompt + answer (it rewrites "
            "earlier turns), so the prompt cannot be masked from the loss; use another template"
        )
    return {"prompt": prompt, "completion": full[len(prompt):]}


def tokenize_pair(tokenizer, prompt: str, completion: str, max_length: int) -> dict[str, list[int]]:
    """Prompt and completion → ``input_ids`` / ``attention_mask`` / ``labels`` with the prompt masked.

    The two halves are tokenized separately (no merge across the boundary), so the mask falls exactly on the
    prompt. Sequences longer than ``max_length`` lose their tail; a result whose completion was cut away entirely
    has no label left and is reported by ``n_target_tokens == 0`` so the caller can drop it.
    """
    p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    c_ids = tokenizer(completion, add_special_tokens=False)["input_ids"]
    input_ids = (p_ids + c_ids)[:max_length]
    labels = ([IGNORE_INDEX] * len(p_ids) + c_ids)[:max_length]
    return {
        "input_ids": input_ids,
        "attention_mask": [1] * len(input_ids),
        "labels": labels,
        "n_target_tokens": sum(1 for t in labels if t != IGNORE_INDEX),
    }


def encode(
    item: Mapping[str, Any],
    fmt: str,
    tokenizer,
    max_length: int,
    system_prompt: str | None = None,
    max_ref_chars: int = MAX_REF_CHARS,
) -> dict[str, list[int]]:
    """``render`` then ``tokenize_pair``: the whole path from a QA item to a training example."""
    pair = render(item, fmt, tokenizer, system_prompt, max_ref_chars)
    return tokenize_pair(tokenizer, pair["prompt"], pair["completion"], max_length)
