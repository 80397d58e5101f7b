"""Stages 01-07 and 11 take their parameters from one config dataclass: the parameters cell is CONFIG + params
(a -p override reaching the config and the logged params: tests/legalmidm/qa/test_generate.py), a typo or a value the dataclass refuses stops the run
before any run exists, and no experiment file restates a default."""
from __future__ import annotations

import dataclasses

import jupytext
import pytest
import yaml

from lexlab import cli
from lexlab.workbench import config, preflight
from testdata import ROOT

STAGES = {
    "01_prepare_corpus": "lexlab.data.config:PrepareConfig",
    "02_generate_law_qa": "lexlab.legalmidm.qa.config:LawQAConfig",
    "03_continual_pretraining": "lexlab.legalmidm.train.config:CPTConfig",
    "04_instruction_tuning": "lexlab.legalmidm.train.config:ITConfig",
    "05_system_prompt": "lexlab.legalmidm.config:SystemPromptConfig",
    "06_evaluate": "lexlab.legalmidm.config:EvaluateConfig",
    "07_compare": "lexlab.legalmidm.config:CompareConfig",
    "11_evaluate_ask": "lexlab.ask.config:EvaluateAskConfig",
}


@pytest.mark.parametrize("stem, spec", STAGES.items())
def test_parameters_cell_is_config_and_params_and_the_body_never_retypes_a_field(stem, spec):
    cells = jupytext.read(ROOT / "notebooks" / "src" / f"{stem}.py").cells
    i = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    lines = cells[i].source.splitlines()
    assert [ln.split("=")[0].strip() for ln in lines] == ["CONFIG", "params"] and spec in lines[0]
    assert preflight.notebook_parameters(ROOT / "notebooks" / f"{stem}.ipynb") == \
        config.config_defaults(config.load_config_class(spec))
    body = "\n".join(c.source for c in cells[i + 1:] if c.cell_type == "code")
    assert "stage_config(CONFIG, params)" in body
    for name in (f.name for f in dataclasses.fields(config.load_config_class(spec))):
        assert f"{name}={name}" not in body.replace(" ", "") and f'"{name}":{name}' not in body.replace(" ", "")


def _compare_exp(tmp_path, params=None):
    spec = {"name": "cfg07", "experiment": "test-stage-configs", "stages": [
        {"name": "compare", "notebook": str(ROOT / "notebooks" / "07_compare.ipynb"),
         "params": {"scope": "experiment", "experiment": "test-stage-configs-empty", **(params or {})}}]}
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


@pytest.mark.parametrize("override, message", [
    ("rouge_tokenizr=char", "'rouge_tokenizr' is not a parameter of any stage (compare); did you mean 'rouge_tokenizer'?"),
    ("ablations=format", "CompareConfig.ablations: ['format'] is not factor:reference_level"),
])
def test_a_typo_or_a_refused_value_stops_stage_07_before_any_run(tmp_path, override, message, capsys):
    assert cli.main(["run", str(_compare_exp(tmp_path)), "--no-progress", "-p", override]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("cls, values, message", [
    ("lexlab.legalmidm.train.config:ITConfig", {"format": "ref_in_middle"}, "ITConfig.format must be one of"),
    ("lexlab.legalmidm.config:EvaluateConfig", {"baselines": "untrained,oracle"}, "unknown ['oracle']"),
    ("lexlab.legalmidm.config:SystemPromptConfig", {}, "SystemPromptConfig.model is empty"),
    ("lexlab.legalmidm.qa.config:LawQAConfig", {"kinds": "penalty,riddle"}, "unknown kind(s) ['riddle']"),
    ("lexlab.ask.config:EvaluateAskConfig", {"heldout_fraction": 1.5}, "heldout_fraction must be in [0, 1]"),
    ("lexlab.data.config:PrepareConfig", {"on_error": "ignore"}, "PrepareConfig.on_error must be one of"),
])
def test_each_stage_config_refuses_what_its_stage_cannot_run(cls, values, message):
    with pytest.raises(ValueError) as err:
        config.stage_config(cls, values, quiet=True)
    assert message in str(err.value)


def test_it_resolves_its_system_prompt_name_in_the_library():
    from lexlab.legalmidm.system_prompt import CANDIDATES

    cfg = config.stage_config("lexlab.legalmidm.train.config:ITConfig", {"system_prompt": "legal_advisor"}, quiet=True)
    assert cfg.system_prompt == "legal_advisor" and cfg.system_prompt_text == CANDIDATES["legal_advisor"]
    assert config.stage_config("lexlab.legalmidm.train.config:ITConfig", {}, quiet=True).system_prompt_text == ""


def test_the_general_fraction_default_is_said_once():
    from lexlab.legalmidm.mixing import DEFAULT_GENERAL_FRACTION
    from lexlab.legalmidm.train.config import CPTConfig, ITConfig

    assert CPTConfig().general_fraction == ITConfig().general_fraction == DEFAULT_GENERAL_FRACTION
    written = [p for p in (ROOT / "experiments").rglob("*.yaml") if "general_fraction: 0.2" in p.read_text()]
    assert written == []
