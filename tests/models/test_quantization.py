"""QLoRA: refused with a clear message where no CUDA device is present; the memory arithmetic behind the README."""
from __future__ import annotations

import pytest
import torch

from lexlab.legalmidm.train import ITConfig, run_it
from lexlab.models import quantization


def test_qlora_needs_lora():
    with pytest.raises(ValueError, match="set lora: true"):
        ITConfig(qlora=True, lora=False)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without CUDA")
def test_qlora_is_refused_without_cuda_before_anything_loads(tmp_path):
    cfg = ITConfig(qlora=True, model=str(tmp_path / "never-read"), report_to="none")
    with pytest.raises(quantization.QuantizationUnavailable, match="needs a CUDA GPU"):
        run_it(cfg, [{"question": "q", "answer": "a"}], [])
    assert not list(tmp_path.iterdir())  # nothing was written


def test_bnb_config_is_the_qlora_papers_setting():
    cfg = quantization.bnb_config(bf16=True)
    assert cfg.load_in_4bit and cfg.bnb_4bit_quant_type == "nf4" and cfg.bnb_4bit_use_double_quant
    assert cfg.bnb_4bit_compute_dtype == torch.bfloat16


def test_training_memory_from_parameter_counts():
    n = 8e9
    assert quantization.training_memory_gb(n, "full") == pytest.approx(128.0)
    assert quantization.training_memory_gb(n, "lora", adapter_params=0) == pytest.approx(16.0)
    assert quantization.training_memory_gb(n, "qlora", adapter_params=0) == pytest.approx(4.127)
    # Llama-3-8B shape, r=16 on all seven linear maps: 42M adapter parameters (peft reports 41,943,040)
    lora = quantization.lora_params(hidden=4096, intermediate=14336, layers=32, r=16, kv_dim=1024)
    assert lora == 41_943_040
    with pytest.raises(ValueError, match="method"):
        quantization.training_memory_gb(n, "8bit")
