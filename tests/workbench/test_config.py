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


@pytest.mark.parametrize("text, value", [
    ("010", 10), ("0o10", 8), ("no", "no"), ("on", "on"), ("y", "y"), ("1e-3", 0.001), ("2024-01-01", "2024-01-01"),
    ("true", True), ("False", False), ("~", None), ("a b", "a b"), ("[1, x]", [1, "x"]),
])
def test_p_values_are_yaml_1_2_core(text, value):
    """YAML 1.1 read max_decisions=010 as 8 and snapshot_name=no as False; a date became a date object."""
    from lexlab.workbench.config import parse_overrides

    parsed = parse_overrides([f"k={text}"], quiet=True)["k"]
    assert parsed == value and type(parsed) is type(value)


def test_a_p_value_read_as_something_else_is_said(capsys):
    from lexlab.workbench.config import parse_overrides

    parse_overrides(["max_decisions=010", "name=plain", "flag=true"])
    err = capsys.readouterr().err
    assert "-p max_decisions: read '010' as int 10" in err and "name" not in err and "flag" not in err


def test_text_fields_take_numbers_and_refuse_mappings_and_bools_refuse_junk():
    from lexlab.legalsearchlm.bench.config import BenchmarkConfig
    from lexlab.workbench.config import config_from_dict

    assert config_from_dict(BenchmarkConfig, {"name": 2024}).name == "2024"
    with pytest.raises(ValueError, match="not text"):
        config_from_dict(BenchmarkConfig, {"name": {"a": "b"}})
    with pytest.raises(ValueError, match="not a finite number"):
        config_from_dict(BenchmarkConfig, {"test_fraction": float("nan")})
