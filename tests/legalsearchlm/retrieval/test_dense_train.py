"""The dense encoder's training config (training itself runs in test_cli's dense test)."""
from __future__ import annotations

import pytest

from lexlab.legalsearchlm.retrieval.dense_train import DenseConfig
from lexlab.workbench.config import config_from_dict


def test_dense_config_reads_cli_strings_and_checks_values(tmp_path):
    cfg = config_from_dict(DenseConfig, {"out_dir": str(tmp_path), "batch_size": "8", "temperature": "0.1"})
    assert (cfg.batch_size, cfg.temperature, cfg.max_steps, cfg.lr_scheduler_type) == (8, 0.1, 300, "linear")
    assert cfg.model_dir() == tmp_path
    with pytest.raises(ValueError, match="temperature must be positive"):
        DenseConfig(out_dir=str(tmp_path), temperature=0)
    with pytest.raises(ValueError, match="out_dir is required"):
        DenseConfig()
    with pytest.raises(ValueError, match="unknown DenseConfig field"):
        config_from_dict(DenseConfig, {"out_dir": str(tmp_path), "save_every": 10})
