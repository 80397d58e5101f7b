"""Config checks and ``-p key=value`` overrides (``lexlab.workbench.config``); includes are in test_includes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

from lexlab import cli
from lexlab.workbench import config


@dataclass
class _Cfg:
    mode: Literal["a", "b"] = "a"
    steps: int = 1
    decay: float = 0.0
    share: float = 0.5


def test_checks_name_the_config_and_field():
    cfg = _Cfg()
    config.check_choices(cfg)
    config.check_positive(cfg, "steps")
    config.check_non_negative(cfg, "decay")
    config.check_fraction(cfg, "share")
    with pytest.raises(ValueError, match=r"_Cfg\.mode must be one of \('a', 'b'\), got 'c'"):
        config.check_choices(_Cfg(mode="c"))
    with pytest.raises(ValueError, match=r"_Cfg\.steps must be positive, got 0"):
        config.check_positive(_Cfg(steps=0), "steps")
    with pytest.raises(ValueError, match=r"_Cfg\.decay must be 0 or more, got -1"):
        config.check_non_negative(_Cfg(decay=-1), "decay")
    with pytest.raises(ValueError, match=r"_Cfg\.share must be in \[0, 1\], got 1\.5"):
        config.check_fraction(_Cfg(share=1.5), "share")


def test_overrides_are_typed():
    assert config.parse_overrides(["seed=3", "format=no_ref", "lr=1e-3", "it.lora=true"]) == {
        "seed": 3, "format": "no_ref", "lr": 0.001, "it.lora": True}
    assert config.parse_overrides(None) == {} and config.parse_overrides(["x="]) == {"x": ""}


def test_malformed_override_is_an_error_and_exit_2(capsys):
    with pytest.raises(config.OverrideError, match=r"-p 'seed': expected key=value"):
        config.parse_overrides(["seed"])
    assert cli.main(["run", "experiments/none.yaml", "-p", "seed"]) == 2
    assert "expected key=value" in capsys.readouterr().err


def test_merge_experiment_merges_params_and_stages():
    base = {"name": "a", "params": {"x": 1, "y": 1}, "stages": [{"name": "s", "params": {"p": 1}}]}
    top = {"name": "b", "params": {"y": 2}, "stages": [{"name": "s", "params": {"q": 2}}, {"name": "t"}]}
    assert config.merge_experiment(base, top) == {
        "name": "b", "params": {"x": 1, "y": 2},
        "stages": [{"name": "s", "params": {"p": 1, "q": 2}}, {"name": "t"}]}
