"""Stage 15's config: the defaults are the dataclass's, bad values are refused before any run."""
from __future__ import annotations

import pytest

from lexlab.judging.config import JudgeConfig
from lexlab.workbench import preflight
from lexlab.workbench.config import config_defaults, stage_config
from testdata import ROOT


def test_notebook_parameters_are_the_dataclass_fields():
    assert preflight.notebook_parameters(ROOT / "notebooks" / "15_judge.ipynb") == config_defaults(JudgeConfig)


def test_overrides_are_read_from_strings():
    cfg = stage_config(JudgeConfig, {"variants": "lead", "models": "", "n_summaries": "5"}, quiet=True)
    assert cfg.variants == ["lead"] and cfg.models == [] and cfg.n_summaries == 5


@pytest.mark.parametrize("values, message", [
    ({"variants": ["lead", "oracle"]}, "unknown summariser(s) ['oracle']"),
    ({"judge": "maybe"}, "JudgeConfig.judge must be one of"),
    ({"casehold_options": 1}, "at least 2"),
    ({"coverage_threshold": 1.5}, "coverage_threshold must be in [0, 1]"),
    ({"n_summaries": -1}, "n_summaries must be 0 or more"),
])
def test_bad_values_are_refused(values, message):
    with pytest.raises(ValueError) as err:
        JudgeConfig(**values)
    assert message in str(err.value)
