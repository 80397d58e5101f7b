"""Fault: training diverges. A learning rate of inf left every weight NaN and the run FINISHED with a finite-looking
train_loss; now a non-finite float parameter is refused up front, and a loss or weight that becomes NaN/inf fails
the training (no final/ model is saved)."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from lexlab.legalmidm import train
from lexlab.models.trainer import NonFiniteTraining
from lexlab.workbench.config import config_from_dict

LEGAL = [{"id": f"s{i}", "text": f"형법 제{i}조(처벌) 사람을 기망하여 재물의 교부를 받은 자는 {i}년 이하의 징역에 처한다."}
         for i in range(1, 31)]
TINY = dict(report_to="none", per_device_train_batch_size=2, tokenizer_vocab_size=200, tiny_hidden_size=16,
            tiny_layers=1, tiny_heads=2, tiny_intermediate_size=32, logging_steps=1, warmup_steps=0,
            torch_threads=1, block_size=16, max_steps=4, save_steps=4, cpt_mix="legal", progress=False)


@pytest.mark.parametrize("value", [".inf", "inf", "nan", float("inf")])
def test_a_non_finite_learning_rate_is_refused_up_front(value):
    with pytest.raises(ValueError, match="learning_rate.*(not a finite number|cannot read)"):
        config_from_dict(train.CPTConfig, {"learning_rate": value})


def test_a_diverging_training_fails_and_saves_no_model():
    cfg = train.CPTConfig(run_name="t_diverge", learning_rate=1e30, **TINY)
    with pytest.raises(NonFiniteTraining, match="lower the learning rate"):
        train.run_cpt(cfg, LEGAL, [])
    assert not (Path(cfg.model_dir()) / "final").exists()


def test_a_sane_training_still_passes():
    res = train.run_cpt(train.CPTConfig(run_name="t_sane", learning_rate=5e-3, **TINY), LEGAL, [])
    assert all(math.isfinite(v) for v in res.losses().values()) and Path(res.final_dir).exists()
