"""Stage 09's config: SearchLMConfig's defaults, the variant decides what trains, the model goes under work/."""
from __future__ import annotations

import dataclasses

import pytest

from lexlab.legalsearchlm.searchlm.config import TrainSearchLMConfig
from lexlab.legalsearchlm.searchlm.train import SearchLMConfig
from lexlab.workbench import paths
from lexlab.workbench.config import config_defaults, config_from_dict


def test_training_defaults_come_from_searchlm_config():
    stage, train = config_defaults(TrainSearchLMConfig), config_defaults(SearchLMConfig)
    assert {k: stage[k] for k in ("max_steps", "batch_size", "learning_rate", "max_elements", "target_max_df")} == \
        {k: train[k] for k in ("max_steps", "batch_size", "learning_rate", "max_elements", "target_max_df")}


def test_the_variant_sets_what_trains_and_what_is_logged():
    cfg = config_from_dict(TrainSearchLMConfig, {"variant": "ood"})
    assert (cfg.targets, cfg.first_token_aware, cfg.train_category) == ("legal", True, "지식재산")
    assert cfg.extra_meta == {"variant": "ood", "train_category": "지식재산"}
    naive = TrainSearchLMConfig(variant="naive")
    assert naive.targets == "naive" and dataclasses.replace(naive, train_ids=["a"]).extra_meta == naive.extra_meta
    custom = TrainSearchLMConfig(variant="custom", targets="naive", first_token_aware=False)
    assert (custom.targets, custom.first_token_aware) == ("naive", False)
    with pytest.raises(ValueError, match="unknown variant"):
        TrainSearchLMConfig(variant="colbert")


def test_model_and_corpus_paths(tmp_path):
    cfg = TrainSearchLMConfig(model_name="m1", extractor="llm", llm_model="x")
    assert cfg.model_dir() == paths.work_dir("retrieval", "m1")
    assert cfg.corpus_file() == paths.work_dir("legar", "legar") / "corpus.jsonl"
    assert cfg.llm == {"model": "x", "base_url": None}
    assert TrainSearchLMConfig(out_dir=str(tmp_path)).model_dir() == tmp_path
    with pytest.raises(ValueError, match="leads outside the work directory"):
        TrainSearchLMConfig(model_name="../../x").model_dir()


def test_the_model_is_registered_under_the_variant_unless_an_alias_is_given():
    assert TrainSearchLMConfig().register_as == "lexlab-legalsearchlm"
    assert TrainSearchLMConfig().register_alias == "legal"
    assert TrainSearchLMConfig(variant="naive").register_alias == "naive"
    assert TrainSearchLMConfig(variant="naive", register_alias="demo").register_alias == "demo"
    for bad in ("latest", "v3", "a/b"):
        with pytest.raises(ValueError, match="register_alias"):
            TrainSearchLMConfig(register_alias=bad)
