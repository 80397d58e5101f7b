"""The three training formats: where the reference goes, what the loss sees, and how bad items fail."""
from __future__ import annotations

import pytest

from lexlab.legalmidm import formats
from lexlab.models import hf as modeling

ITEM = {
    "id": "q1",
    "question": "사기죄의 법정형은 무엇인가?",
    "answer": "10년 이하의 징역 또는 2천만원 이하의 벌금이다.",
    "reference": "형법 제347조(사기) ① 사람을 기망하여 재물의 교부를 받거나 재산상의 이익을 취득한 자는 "
                 "10년 이하의 징역 또는 2천만원 이하의 벌금에 처한다.",
}

CORPUS = [
    "형법 제347조(사기) 사람을 기망하여 재물의 교부를 받은 자는 10년 이하의 징역에 처한다.",
    "도로교통법 제44조(술에 취한 상태에서의 운전 금지) 누구든지 술에 취한 상태에서 운전하여서는 아니 된다.",
    "질문에 답하세요. 법정형은 무엇인가? 징역 또는 벌금이다. 근거 조문 참고 조문",
] * 20


@pytest.fixture(scope="module")
def tokenizer():
    return modeling.train_tokenizer(CORPUS, vocab_size=400)


def _roles(messages):
    return {m["role"]: m["content"] for m in messages}


def test_no_ref_leaves_the_reference_out():
    m = _roles(formats.to_messages(ITEM, "no_ref"))
    assert m["user"] == ITEM["question"]
    assert m["assistant"] == ITEM["answer"]
    assert "제347조" not in m["user"] + m["assistant"]


def test_ref_in_output_puts_the_reference_after_the_answer():
    m = _roles(formats.to_messages(ITEM, "ref_in_output"))
    assert m["user"] == ITEM["question"]
    assert m["assistant"].startswith(ITEM["answer"])
    assert m["assistant"].endswith(ITEM["reference"])
    assert formats.REF_OUTPUT_HEADER in m["assistant"]


def test_ref_in_input_puts_the_reference_in_the_prompt():
    m = _roles(formats.to_messages(ITEM, "ref_in_input"))
    assert ITEM["reference"] in m["user"] and m["user"].endswith(ITEM["question"])
    assert m["assistant"] == ITEM["answer"]


def test_items_without_reference_render_the_same_in_every_format():
    item = {**ITEM, "reference": ""}
    rendered = {f: formats.to_messages(item, f) for f in formats.FORMATS}
    assert rendered["no_ref"] == rendered["ref_in_output"] == rendered["ref_in_input"]


def test_system_prompt_is_optional():
    assert [m["role"] for m in formats.to_messages(ITEM, "no_ref")] == ["user", "assistant"]
    with_sys = formats.to_messages(ITEM, "no_ref", system_prompt="당신은 법률 전문가입니다.")
    assert with_sys[0] == {"role": "system", "content": "당신은 법률 전문가입니다."}


def test_long_references_are_clipped():
    item = {**ITEM, "reference": "가" * 5000}
    m = _roles(formats.to_messages(item, "ref_in_input", max_ref_chars=100))
    assert "가" * 99 + "…" in m["user"] and "가" * 100 not in m["user"]
    whole = _roles(formats.to_messages(item, "ref_in_input", max_ref_chars=0))
    assert "가" * 5000 in whole["user"]


def test_bad_items_and_formats_fail_clearly():
    with pytest.raises(ValueError, match="unknown training format"):
        formats.to_messages(ITEM, "ref_everywhere")
    with pytest.raises(ValueError, match="'answer'"):
        formats.to_messages({**ITEM, "answer": "  "}, "no_ref")
    with pytest.raises(ValueError, match="'question'"):
        formats.to_messages({"id": "x", "answer": "a"}, "no_ref")


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_render_splits_the_chat_template_into_prompt_and_completion(tokenizer, fmt):
    pair = formats.render(ITEM, fmt, tokenizer, system_prompt="법률 조언자")
    messages = formats.to_messages(ITEM, fmt, system_prompt="법률 조언자")
    full = tokenizer.apply_chat_template(messages, tokenize=False)
    assert pair["prompt"] + pair["completion"] == full
    assert pair["prompt"].startswith("<|system|>법률 조언자") and pair["prompt"].endswith("<|assistant|>")
    assert pair["completion"].startswith(ITEM["answer"])
    assert pair["completion"].rstrip().endswith(tokenizer.eos_token)  # the model learns to stop
    assert (ITEM["reference"] in pair["completion"]) == (fmt == "ref_in_output")
    assert (ITEM["reference"] in pair["prompt"]) == (fmt == "ref_in_input")


def test_prompt_tokens_are_masked_from_the_loss(tokenizer):
    pair = formats.render(ITEM, "ref_in_output", tokenizer)
    enc = formats.encode(ITEM, "ref_in_output", tokenizer, max_length=4096)
    n_prompt = len(tokenizer(pair["prompt"], add_special_tokens=False)["input_ids"])
    assert enc["labels"][:n_prompt] == [formats.IGNORE_INDEX] * n_prompt
    assert enc["labels"][n_prompt:] == enc["input_ids"][n_prompt:]
    assert enc["n_target_tokens"] == len(enc["input_ids"]) - n_prompt > 0
    target = tokenizer.decode(enc["input_ids"][n_prompt:])
    assert target == pair["completion"]
    assert len(enc["attention_mask"]) == len(enc["input_ids"])


def test_truncation_can_leave_no_target(tokenizer):
    pair = formats.render(ITEM, "ref_in_input", tokenizer)
    n_prompt = len(tokenizer(pair["prompt"], add_special_tokens=False)["input_ids"])
    cut = formats.encode(ITEM, "ref_in_input", tokenizer, max_length=n_prompt)
    assert cut["n_target_tokens"] == 0 and len(cut["input_ids"]) == n_prompt
    partial = formats.encode(ITEM, "ref_in_input", tokenizer, max_length=n_prompt + 3)
    assert partial["n_target_tokens"] == 3


def test_tokenizer_without_chat_template_is_refused(tokenizer):
    bare = modeling.train_tokenizer(CORPUS, vocab_size=300)
    bare.chat_template = None
    with pytest.raises(ValueError, match="chat template"):
        formats.render(ITEM, "no_ref", bare)


def test_hard_wrapped_interpretations_are_flattened_like_evaluation_reads_them():
    wrapped = {"id": "i1", "question": "대부업자가\n 광고를 할 때\n표시할 사항은?", "answer": "상호와\n  등록번호를\n표시하여야 합니다.",
               "reference": "", "source": "interpretation"}
    msgs = formats.to_messages(wrapped, "no_ref")
    user, assistant = msgs[-2]["content"], msgs[-1]["content"]
    assert "\n" not in user and "\n" not in assistant
    assert assistant == "상호와 등록번호를 표시하여야 합니다."
    statute = dict(wrapped, source="template")  # statute text keeps its own line structure
    assert "\n" in formats.to_messages(statute, "no_ref")[-1]["content"]
