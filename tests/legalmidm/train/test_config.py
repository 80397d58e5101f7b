"""The CPT and IT configs: read from YAML/papermill/CLI strings, checked on construction, and named so that MLflow
params never clash with the Trainer's."""
from __future__ import annotations

import dataclasses

import pytest
from transformers import LlamaConfig, TrainingArguments

from lexlab.legalmidm import train
from lexlab.workbench.config import config_from_dict


def test_our_param_names_never_clash_with_the_trainers():
    """MLflow refuses to change a logged param; a clash would make the Trainer's callback drop its params."""
    trainer_keys = {f.name for f in dataclasses.fields(TrainingArguments)} | set(LlamaConfig().to_dict())
    passed_through = {"run_name", "seed", "max_steps", "per_device_train_batch_size", "gradient_accumulation_steps",
                      "learning_rate", "warmup_steps", "weight_decay", "lr_scheduler_type", "logging_steps",
                      "save_steps", "save_total_limit", "bf16", "activation_checkpointing", "report_to", "use_cpu"}
    for cls in (train.CPTConfig, train.ITConfig):
        ours = {f.name for f in dataclasses.fields(cls)}
        assert (ours & trainer_keys) - passed_through == set()


def test_config_from_dict_reads_yaml_strings_and_rejects_typos():
    cfg = config_from_dict(train.ITConfig, {"learning_rate": "1e-3", "max_steps": "20", "lora": "false",
                                            "general_tasks": "title"})
    assert cfg.learning_rate == 1e-3 and cfg.max_steps == 20 and cfg.lora is False
    assert cfg.general_tasks == ["title"]
    with pytest.raises(ValueError, match="lr_typo"):
        config_from_dict(train.ITConfig, {"lr_typo": 1}, source="x.yaml")
    with pytest.raises(ValueError, match="max_steps"):
        config_from_dict(train.CPTConfig, {"max_steps": "many"})


def test_enum_like_fields_are_literals_read_from_strings_and_checked():
    cfg = config_from_dict(train.ITConfig, {"format": "no_ref", "lr_scheduler_type": "linear", "report_to": "none",
                                            "stopping_strategy": "all_exhausted"}, source="x.yaml")
    assert (cfg.format, cfg.lr_scheduler_type, cfg.report_to) == ("no_ref", "linear", "none")
    with pytest.raises(ValueError, match=r"ITConfig.format must be one of \('no_ref'"):
        config_from_dict(train.ITConfig, {"format": "ref_everywhere"})
    with pytest.raises(ValueError, match="lr_scheduler_type"):
        train.CPTConfig(lr_scheduler_type="cosine_typo")
    with pytest.raises(ValueError, match="stopping_strategy"):
        train.CPTConfig(stopping_strategy="never")
    assert train.CPTConfig(report_to="").report_to == "none"


@pytest.mark.parametrize("cls, field, value, message", [
    (train.CPTConfig, "general_fraction", 1.5, r"general_fraction must be in \[0, 1\]"),
    (train.ITConfig, "lora_dropout", -0.1, r"lora_dropout must be in \[0, 1\]"),
    (train.CPTConfig, "max_steps", 0, "max_steps must be positive"),
    (train.CPTConfig, "block_size", -1, "block_size must be positive"),
    (train.ITConfig, "per_device_train_batch_size", 0, "per_device_train_batch_size must be positive"),
    (train.CPTConfig, "warmup_steps", -1, "warmup_steps must be 0 or more"),
    (train.CPTConfig, "legal_tables", ["statutes", "gazette"], "unknown table"),
    (train.ITConfig, "general_tasks", ["translate"], "unknown task"),
])
def test_configs_refuse_values_out_of_range(cls, field, value, message):
    with pytest.raises(ValueError, match=message):
        cls(**{field: value})


@pytest.mark.parametrize("cls, factor", [(train.CPTConfig, "cpt_mix"), (train.ITConfig, "it_mix")])
def test_a_legal_only_stage_keeps_general_fraction_but_mixes_none_of_it(cls, factor):
    """``general_fraction`` is the share used when the stage mixes; the mix factor decides whether it does."""
    legal_only = config_from_dict(cls, {factor: "legal", "general_fraction": "0.2"}, source="x.yaml")
    assert getattr(legal_only, factor) == "legal" and legal_only.general_fraction == 0.2
    assert legal_only.effective_general_fraction == 0.0
    mixed = cls(general_fraction=0.3)
    assert getattr(mixed, factor) == "legal+general" and mixed.effective_general_fraction == 0.3
    assert cls(**{factor: "legal+general"}, general_fraction=0.0).effective_general_fraction == 0.0
    with pytest.raises(ValueError, match=rf"{cls.__name__}.{factor} must be one of \('legal', 'legal\+general'\)"):
        cls(**{factor: "general"})
