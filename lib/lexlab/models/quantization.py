"""QLoRA: the base model loaded in 4 bits (bitsandbytes NF4, double quantisation, bf16 compute) under a LoRA
adapter, switched on by ``ITConfig.qlora``. bitsandbytes' 4-bit kernels need a CUDA device: without one (or
without the package) the switch is refused before anything is loaded, with a message that says so.

Memory (``training_memory_gb``) is *computed from parameter counts* for what scales with the model — weights,
gradients and optimizer states — and leaves out activations, the KV cache and the CUDA context, which depend on
batch size and sequence length (gradient checkpointing shrinks activations). Per parameter:

- full fine-tuning, bf16 mixed precision with AdamW: 2 (bf16 weights) + 2 (grads) + 4 (fp32 master copy)
  + 8 (two fp32 Adam moments) = 16 bytes;
- LoRA: 2 bytes (frozen bf16 weights) + 16 bytes per *trainable* adapter parameter;
- QLoRA: 0.5 bytes (NF4) + ~0.016 bytes of quantisation constants with double quantisation (0.127 bits/param,
  Dettmers et al. 2023, §2) + 16 bytes per adapter parameter.

The paper's own figure, quoted as such: QLoRA "reduces the average memory requirements of finetuning a 65B
parameter model from >780GB of GPU memory to <48GB" (Dettmers et al., 2023, "QLoRA: Efficient Finetuning of
Quantized LLMs", abstract).
"""
from __future__ import annotations

from typing import Literal

Method = Literal["full", "lora", "qlora"]
BYTES_PER_PARAM = {"full": 16.0, "lora": 2.0, "qlora": 0.5 + 0.127 / 8}
ADAPTER_BYTES_PER_PARAM = 16.0


class QuantizationUnavailable(RuntimeError):
    """4-bit loading was asked for where it cannot work (no CUDA device, or bitsandbytes not installed)."""


def check_available() -> None:
    """Raise ``QuantizationUnavailable`` unless a CUDA device and bitsandbytes are present."""
    import torch

    if not torch.cuda.is_available():
        raise QuantizationUnavailable(
            "qlora=true needs a CUDA GPU: bitsandbytes' 4-bit (NF4) kernels run on CUDA only, and this machine "
            "has none (torch.cuda.is_available() is False). Use LoRA (qlora=false, lora=true) here, or run on a GPU.")
    try:
        import bitsandbytes  # noqa: F401
    except ImportError as exc:
        raise QuantizationUnavailable(
            "qlora=true needs the bitsandbytes package: pip install 'lexlab[gpu]' (or pip install bitsandbytes)"
        ) from exc


def bnb_config(bf16: bool = True):
    """The QLoRA paper's setting: NF4 weights, double quantisation, bf16 (or fp16) compute."""
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                              bnb_4bit_compute_dtype=torch.bfloat16 if bf16 else torch.float16)


def load_4bit(path: str, bf16: bool = True, gradient_checkpointing: bool = True):
    """A checkpoint loaded in 4 bits on the local GPU, prepared for k-bit training (norms in fp32, inputs
    requiring grads); refused with a clear message where that cannot work."""
    check_available()
    from peft import prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(path, quantization_config=bnb_config(bf16),
                                                 device_map={"": 0})
    return prepare_model_for_kbit_training(model, use_gradient_checkpointing=gradient_checkpointing)


def training_memory_gb(n_params: float, method: Method, adapter_params: float = 0.0) -> float:
    """GB (1e9 bytes) of weights + gradients + optimizer states; see the module docstring for what is left out."""
    if method not in BYTES_PER_PARAM:
        raise ValueError(f"method must be one of {sorted(BYTES_PER_PARAM)}, got {method!r}")
    adapters = 0.0 if method == "full" else adapter_params * ADAPTER_BYTES_PER_PARAM
    return (n_params * BYTES_PER_PARAM[method] + adapters) / 1e9


def lora_params(hidden: int, intermediate: int, layers: int, r: int, kv_dim: int | None = None) -> int:
    """Trainable parameters of rank-``r`` LoRA on all seven linear maps of a Llama-shaped decoder layer."""
    kv = kv_dim or hidden
    shapes = [(hidden, hidden), (hidden, kv), (hidden, kv), (hidden, hidden),
              (hidden, intermediate), (hidden, intermediate), (intermediate, hidden)]
    return layers * sum(r * (i + o) for i, o in shapes)
