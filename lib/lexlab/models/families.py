"""The model families of the LegalMidm paper's comparison, as facts a recipe needs, and tiny stand-ins for tests.

The experiment recipes (``experiments/models/<family>.yaml``) set the Hugging Face id, LoRA target modules,
sequence length, bf16, gradient checkpointing and batch/accumulation; this module holds what code needs about a
family: its ``transformers`` model type (which decides the module names LoRA targets), its context length, whether
its chat template takes a system turn, and a chat template *of the family's form* written here (real checkpoints
bring their own template; ours is for the tiny stand-ins, so a test never downloads anything).

``build_tiny(family, texts)`` builds the family's architecture from a tiny config (random weights, the same module
names) with a byte-level BPE tokenizer trained on ``texts`` that carries the family's special tokens and template.

Checked in the installed transformers (5.24; the brief said 5.23): ``llama``, ``qwen2``, ``gemma2`` and ``exaone``
are native model types. ``exaone`` (EXAONE 3.0/3.5) is built as ``LlamaForCausalLM`` and its checkpoints' own names
(``transformer.h.N.attn.attention.q_proj``, ``mlp.c_fc_0``…) are renamed on load (``conversion_mapping.py``), so
no ``trust_remote_code`` is needed and LoRA targets the Llama names. ``exaone4`` is EXAONE 4.0. Mi:dm 2.0 is a
Llama-architecture checkpoint.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

LLAMA_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

# Templates of each family's *form* (turn markers, end-of-turn token, where the generation prompt starts).
LLAMA3_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
    "{{ m['content'] | trim }}<|eot_id|>{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)
CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
EXAONE_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'system' %}[|system|]{{ m['content'] }}[|endofturn|]\n"
    "{% elif m['role'] == 'user' %}[|user|]{{ m['content'] }}\n"
    "{% else %}[|assistant|]{{ m['content'] }}[|endofturn|]\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}[|assistant|]{% endif %}"
)
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}"
    "{% if m['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    "<start_of_turn>{{ 'model' if m['role'] == 'assistant' else m['role'] }}\n{{ m['content'] | trim }}"
    "<end_of_turn>\n{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


@dataclass(frozen=True)
class Family:
    name: str
    hf_id: str                          # the checkpoint the recipe names (one size of the family)
    model_type: str                     # transformers config model_type
    context_length: int                 # the checkpoint's max_position_embeddings
    system_role: bool                   # False: the system prompt is folded into the first user turn
    chat_template: str                  # of the family's form, for tiny stand-ins
    bos: str
    eos: str                            # the end-of-turn token generation stops on
    special_tokens: tuple[str, ...]
    lora_targets: tuple[str, ...] = LLAMA_LINEAR
    tiny_extra: Mapping[str, object] | None = None  # config keys the family needs (e.g. Gemma's softcapping)


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("midm2", "K-intelligence/Midm-2.0-Base-Instruct", "llama", 32768, True, LLAMA3_TEMPLATE,
           "<|begin_of_text|>", "<|eot_id|>", ("<|start_header_id|>", "<|end_header_id|>")),
    Family("exaone3_5", "LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct", "exaone", 32768, True, EXAONE_TEMPLATE,
           "[BOS]", "[|endofturn|]", ("[|system|]", "[|user|]", "[|assistant|]")),
    Family("qwen2_5", "Qwen/Qwen2.5-7B-Instruct", "qwen2", 32768, True, CHATML_TEMPLATE,
           "<|endoftext|>", "<|im_end|>", ("<|im_start|>",)),
    Family("llama3", "meta-llama/Llama-3.1-8B-Instruct", "llama", 131072, True, LLAMA3_TEMPLATE,
           "<|begin_of_text|>", "<|eot_id|>", ("<|start_header_id|>", "<|end_header_id|>")),
    Family("gemma2", "google/gemma-2-9b-it", "gemma2", 8192, False, GEMMA_TEMPLATE,
           "<bos>", "<end_of_turn>", ("<start_of_turn>",),
           tiny_extra={"head_dim": 16, "query_pre_attn_scalar": 16, "sliding_window": 64}),
)}


def get_family(name: str) -> Family:
    if name not in FAMILIES:
        raise KeyError(f"unknown model family {name!r}; known: {', '.join(FAMILIES)}")
    return FAMILIES[name]


def fold_system(messages: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """A system turn merged into the first user turn, for templates without a system role (Gemma 2)."""
    msgs = [dict(m) for m in messages]
    if not msgs or msgs[0].get("role") != "system":
        return msgs
    system, rest = msgs[0]["content"], msgs[1:]
    for m in rest:
        if m.get("role") == "user":
            m["content"] = f"{system}\n\n{m['content']}"
            break
    return rest


def apply_chat_template(tokenizer, messages: Sequence[Mapping[str, str]], **kwargs) -> str:
    """``tokenizer.apply_chat_template(messages, tokenize=False, ...)``; a template that rejects the system turn
    (Gemma 2 raises "System role not supported") gets it folded into the first user turn instead."""
    try:
        return tokenizer.apply_chat_template(list(messages), tokenize=False, **kwargs)
    except Exception:  # jinja2 TemplateError from the template's raise_exception
        if not messages or messages[0].get("role") != "system":
            raise
        return tokenizer.apply_chat_template(fold_system(messages), tokenize=False, **kwargs)


def tiny_config(family: Family, vocab_size: int, tokenizer=None, **overrides):
    """The family's architecture at test size (2 layers, hidden 64, GQA as the real ones use)."""
    from transformers import AutoConfig

    values = dict(vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                  **dict(family.tiny_extra or {}))
    if tokenizer is not None:
        values.update(pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                      eos_token_id=tokenizer.eos_token_id)
    values.update(overrides)
    return AutoConfig.for_model(family.model_type, **values)


def tiny_tokenizer(family: Family, texts: Sequence[str], vocab_size: int = 400):
    """Byte-level BPE on ``texts`` with the family's special tokens, end-of-turn token and chat template."""
    from lexlab.models.hf import train_tokenizer

    tok = train_tokenizer(texts, vocab_size=vocab_size, min_frequency=1)
    tok.add_special_tokens({"bos_token": family.bos, "eos_token": family.eos,
                            "additional_special_tokens": list(family.special_tokens)})
    tok.chat_template = family.chat_template
    return tok


def build_tiny(family: Family | str, texts: Sequence[str], seed: int = 0, **overrides):
    """(model, tokenizer): the family's architecture from a tiny config, random weights, with its tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM

    family = get_family(family) if isinstance(family, str) else family
    tok = tiny_tokenizer(family, texts)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(tiny_config(family, len(tok), tok, **overrides))
    return model, tok
