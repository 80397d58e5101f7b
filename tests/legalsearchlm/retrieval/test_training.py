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


def test_the_default_models_key_is_the_corpus_the_method_and_what_shapes_the_model(tmp_path, monkeypatch):
    from lexlab.legalsearchlm.retrieval.training import default_model

    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path))
    base = default_model("searchlm", "abc", {"max_steps": 5})
    assert base.dir.parent == tmp_path / "retrieval" / "auto" and base.dir.name.startswith("searchlm-")
    assert base.settings["max_steps"] == 5 and base.settings["batch_size"] == 16  # defaults are part of it
    # where and how visibly it trains is not the model
    assert default_model("searchlm", "abc", {"max_steps": 5, "progress": False, "save_steps": 1}).dir == base.dir
    assert default_model("searchlm", "abc", {"max_steps": "5"}).dir == base.dir  # a CLI string, coerced
    others = [default_model("searchlm", "abd", {"max_steps": 5}), default_model("searchlm", "abc", {"max_steps": 6}),
              default_model("searchlm", "abc", {"max_steps": 5, "learning_rate": 1e-4}),
              default_model("dense", "abc", {"max_steps": 5})]
    assert len({base.dir, *(o.dir for o in others)}) == 5
    with pytest.raises(ValueError, match="unknown SearchLMConfig field"):
        default_model("searchlm", "abc", {"stepz": 5})


def test_a_half_trained_default_model_is_not_reused(tmp_path, monkeypatch):
    from lexlab.legalsearchlm.retrieval.training import default_model

    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path))
    entry = default_model("searchlm", "abc", {})
    (entry.dir / "checkpoints" / "checkpoint-200").mkdir(parents=True)
    assert entry.trained() is None  # crashed before the end: trained again, resuming from its checkpoints
    (entry.dir / "final").mkdir()
    assert entry.trained() is None  # a final/ without the record is not trusted either
    entry.record("abc", 12.3)
    from lexlab.legalsearchlm.searchlm.train import SearchLMConfig

    assert entry.trained()["steps"] == SearchLMConfig.max_steps and entry.trained()["corpus_sha256"] == "abc"
    entry.clear()
    assert not entry.dir.exists()
