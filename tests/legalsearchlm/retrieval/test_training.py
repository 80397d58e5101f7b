"""The table of self-supervised trainers behind ``train_model`` (training itself runs in test_cli's slow tests)."""
from __future__ import annotations

import pytest

from lexlab.legalsearchlm.retrieval.training import TRAINERS, trainer_for, train_model


def test_each_method_with_a_model_has_its_config_and_trainer():
    from lexlab.legalsearchlm.retrieval.dense_train import DenseConfig, train_dense
    from lexlab.legalsearchlm.searchlm.train import SearchLMConfig, train_searchlm

    assert set(TRAINERS) == {"dense", "searchlm"}
    assert trainer_for("dense") == (DenseConfig, train_dense)
    assert trainer_for("searchlm") == (SearchLMConfig, train_searchlm)


def test_no_trainer_for_bm25_and_bad_options_fail_before_training(tmp_path):
    with pytest.raises(ValueError, match="no self-supervised trainer for 'bm25'"):
        train_model("bm25", [], tmp_path)
    with pytest.raises(ValueError, match="unknown DenseConfig field"):
        train_model("dense", [], tmp_path, save_every=10)
