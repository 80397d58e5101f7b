"""Tokenizers and models: a tiny Llama trained from scratch on CPU, or any Hugging Face checkpoint.

No weights can be downloaded here, so the default model is built from a config with a tokenizer trained on our
own corpus. Everything downstream takes ``model_name_or_path``: "tiny" for that CPU model ("tiny-t5": its
encoder-decoder counterpart, where a stage takes one), or any local directory / hub id for users with GPUs.
There is deliberately no demo-only code path.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Iterable, Sequence

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    PreTrainedTokenizerFast,
    T5Config,
    T5ForConditionalGeneration,
)

from lexlab.models.naming import resolve_model
from lexlab.workbench import paths

TINY_MODELS = ("tiny", "tiny-t5")  # built from a config by `build_model`, never loaded

SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", "<unk>", "<|system|>", "<|user|>", "<|assistant|>"]

# One chat template for every model we train ourselves; HF checkpoints keep their own.
CHAT_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'system' %}<|system|>{{ m['content'] }}\n"
    "{% elif m['role'] == 'user' %}<|user|>{{ m['content'] }}\n"
    "{% else %}<|assistant|>{{ m['content'] }}</s>\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def train_tokenizer(
    texts: Iterable[str], vocab_size: int = 8000, out_dir: str | Path | None = None, min_frequency: int = 2
) -> PreTrainedTokenizerFast:
    """Byte-level BPE on our corpus, so Hangul gets real merges instead of byte soup and nothing is ever <unk>."""
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator((t for t in texts if t), trainer=trainer)
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        additional_special_tokens=SPECIAL_TOKENS[4:],
        padding_side="left",  # decoder-only generation pads on the left; saved with the tokenizer
    )
    fast.chat_template = CHAT_TEMPLATE
    if out_dir is not None:
        fast.save_pretrained(str(out_dir))
    return fast


def tiny_llama_config(tokenizer: PreTrainedTokenizerFast, **overrides) -> LlamaConfig:
    """About 1–4M parameters: big enough to learn legal phrasing in minutes on 2 CPU cores, small enough to do so."""
    cfg = dict(
        vocab_size=len(tokenizer),
        hidden_size=128,
        intermediate_size=384,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=1024,
        rms_norm_eps=1e-5,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    cfg.update(overrides)
    return LlamaConfig(**cfg)


def tiny_t5_config(tokenizer: PreTrainedTokenizerFast, **overrides) -> T5Config:
    """The encoder-decoder counterpart of ``tiny_llama_config`` (as the paper's mT5 is of a decoder-only LM): two
    encoder and two decoder layers of width 128, about as many parameters as the tiny Llama; no dropout, like it.
    The decoder starts from the tokenizer's BOS."""
    start = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.pad_token_id
    cfg = dict(
        vocab_size=len(tokenizer),
        d_model=128,
        d_kv=32,
        d_ff=512,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        dropout_rate=0.0,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.bos_token_id,
        decoder_start_token_id=start,
    )
    cfg.update(overrides)
    return T5Config(**cfg)


def build_model(
    model_name_or_path: str, tokenizer: PreTrainedTokenizerFast | None = None, seed: int = 0, **config_overrides
) -> PreTrainedModel:
    """"tiny" → a freshly initialised Llama sized by ``tiny_llama_config``, "tiny-t5" → a T5 sized by
    ``tiny_t5_config``; anything else → from_pretrained (a seq2seq or a causal LM, as its config says)."""
    if model_name_or_path in TINY_MODELS:
        if tokenizer is None:
            raise ValueError(f"model {model_name_or_path!r} needs the tokenizer it will be trained with "
                             "(train_tokenizer)")
        torch.manual_seed(seed)
        if model_name_or_path == "tiny-t5":
            return T5ForConditionalGeneration(tiny_t5_config(tokenizer, **config_overrides))
        return LlamaForCausalLM(tiny_llama_config(tokenizer, **config_overrides))
    return auto_model_class(model_name_or_path).from_pretrained(model_name_or_path)


def auto_model_class(path: str | Path):
    """``AutoModelForSeq2SeqLM`` for an encoder-decoder checkpoint (T5, BART, ...), ``AutoModelForCausalLM``
    otherwise -- read from the checkpoint's ``config.is_encoder_decoder``."""
    config = AutoConfig.from_pretrained(str(path))
    return AutoModelForSeq2SeqLM if getattr(config, "is_encoder_decoder", False) else AutoModelForCausalLM


def load_tokenizer(path: str | Path) -> PreTrainedTokenizerFast:
    """A saved or hub tokenizer; one without a pad token pads with its end-of-sequence token."""
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def ensure_chat_template(tokenizer) -> None:
    """Base (non-chat) checkpoints have no template; give them ours with their own end-of-sequence token."""
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = CHAT_TEMPLATE.replace("</s>", tokenizer.eos_token or "</s>")


def is_adapter_dir(path: str | Path) -> bool:
    return (Path(path) / "adapter_config.json").exists()


def load_model_and_tokenizer(path: str | Path, merge_adapter: bool = False):
    """Load a causal or seq2seq LM (`auto_model_class`) and its tokenizer from a dir or hub id; a peft adapter
    dir brings its base model along.

    The adapter's tokenizer is preferred because training may have added tokens (chat roles) to the base's.
    """
    path = str(path)
    tokenizer = load_tokenizer(path)
    if is_adapter_dir(path):
        from peft import PeftModel

        base_path = json.loads((Path(path) / "adapter_config.json").read_text())["base_model_name_or_path"]
        base = auto_model_class(base_path).from_pretrained(base_path)
        if base.get_input_embeddings().num_embeddings != len(tokenizer):
            base.resize_token_embeddings(len(tokenizer))
        model = PeftModel.from_pretrained(base, path)
        if merge_adapter:
            model = model.merge_and_unload()
    else:
        model = auto_model_class(path).from_pretrained(path)
    model.eval()
    return model, tokenizer


def count_parameters(model: torch.nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def load_model(spec: str | Path, merge_adapter: bool = False):
    """(model, tokenizer, resolved path) for anything ``resolve_model`` accepts except "tiny"."""
    path = str(spec) if str(spec) in TINY_MODELS else resolve_model(spec)
    if path in TINY_MODELS:
        raise ValueError(f"{path!r} is built for training (build_model), not loaded; give a trained model")
    model, tokenizer = load_model_and_tokenizer(path, merge_adapter=merge_adapter)
    return model, tokenizer, Path(path)


def cached_tokenizer(texts: Sequence[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """``train_tokenizer`` once per (corpus, vocabulary size), cached under ``work/tokenizers/<digest>``.

    Ablation siblings over the same data share it, a resumed run gets exactly the tokenizer its checkpoint was
    trained with, and concurrent processes (accelerate ranks, sibling runs) publish atomically: the first to
    finish wins and the others load its copy.
    """
    digest = hashlib.sha256()
    for t in texts:
        digest.update(t.encode("utf-8"))
        digest.update(b"\0")
    digest.update(str(vocab_size).encode())
    out = paths.work_dir("tokenizers") / digest.hexdigest()[:16]
    if (out / "tokenizer.json").exists():
        return AutoTokenizer.from_pretrained(str(out))
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    tok = train_tokenizer(texts, vocab_size=vocab_size, out_dir=tmp)
    if out.exists():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.replace(out)
    return tok
