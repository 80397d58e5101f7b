"""``include:`` in experiment files: merge order, overrides, stage-level includes and the errors."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lexlab.workbench import config, runner
from testdata import FIXTURES

NB = str(FIXTURES / "notebooks" / "ok.ipynb")


def _write(path: Path, spec: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_including_file_overrides_params_key_by_key_and_stages_by_name(tmp_path):
    _write(tmp_path / "base" / "recipe.yaml", {
        "name": "recipe", "experiment": "e1", "params": {"seed": 0, "lr": 0.1},
        "stages": [{"name": "a", "notebook": NB, "params": {"x": 1, "y": 2}},
                   {"name": "b", "notebook": NB, "params": {"x": 3}}],
        "grid": {"seed": [0, 1]}})
    top = _write(tmp_path / "exp.yaml", {
        "include": "base/recipe.yaml", "name": "exp", "params": {"lr": 0.2},
        "stages": [{"name": "b", "params": {"x": 4}}, {"name": "c", "notebook": NB}],
        "grid": {"a.x": [5]}})
    spec = config.load_yaml_with_includes(top)
    assert spec["name"] == "exp" and spec["experiment"] == "e1"       # other keys: this file's, else inherited
    assert spec["params"] == {"seed": 0, "lr": 0.2}                   # params merge key by key
    assert spec["grid"] == {"a.x": [5]}                               # grid is replaced as a whole
    assert [(s["name"], s.get("params")) for s in spec["stages"]] == [
        ("a", {"x": 1, "y": 2}), ("b", {"x": 4}), ("c", None)]        # merged in place, new stages appended
    exp = runner.load_experiment(top)
    assert [s.name for s in exp.stages] == ["a", "b", "c"] and exp.stages[1].notebook == Path(NB).resolve()


def test_several_includes_apply_in_order_and_nest(tmp_path):
    _write(tmp_path / "one.yaml", {"params": {"a": 1, "b": 1, "c": 1}, "stages": [{"notebook": NB}]})
    _write(tmp_path / "two.yaml", {"include": "one.yaml", "params": {"b": 2, "c": 2}})
    _write(tmp_path / "three.yaml", {"params": {"c": 3}})
    top = _write(tmp_path / "exp.yaml", {"include": ["two.yaml", "three.yaml"], "params": {"d": 4}})
    spec = config.load_yaml_with_includes(top)
    assert spec["params"] == {"a": 1, "b": 2, "c": 3, "d": 4}
    assert [config.stage_name(s) for s in spec["stages"]] == ["ok"]   # unnamed stage: the notebook's name


def test_stage_include_starts_a_stage_from_a_stage_file(tmp_path):
    _write(tmp_path / "recipes" / "base.yaml", {"notebook": NB, "params": {"lr": 0.1, "steps": 10}})
    _write(tmp_path / "recipes" / "train.yaml", {"include": "base.yaml", "params": {"steps": 800}})
    top = _write(tmp_path / "exp.yaml", {"stages": [
        {"name": "s1", "include": "recipes/train.yaml", "params": {"lr": 0.3}},
        {"name": "s2", "include": "recipes/train.yaml"}]})
    exp = runner.load_experiment(top)
    assert [(s.name, s.params) for s in exp.stages] == [("s1", {"lr": 0.3, "steps": 800}),
                                                         ("s2", {"lr": 0.1, "steps": 800})]


@pytest.mark.parametrize("where", ["top", "stage"])
def test_missing_include_names_the_file(tmp_path, where):
    spec = ({"include": "nope.yaml", "stages": [{"notebook": NB}]} if where == "top" else
            {"stages": [{"name": "s", "include": "nope.yaml"}]})
    top = _write(tmp_path / "exp.yaml", spec)
    with pytest.raises(runner.ExperimentError, match=r"exp\.yaml: include 'nope\.yaml': no such file .*nope\.yaml"):
        runner.load_experiment(top)


def test_include_cycle_is_an_error_naming_the_files(tmp_path):
    _write(tmp_path / "a.yaml", {"include": "b.yaml", "stages": [{"notebook": NB}]})
    _write(tmp_path / "b.yaml", {"include": "a.yaml"})
    with pytest.raises(config.IncludeError, match=r"b\.yaml: include 'a\.yaml' makes a cycle: .*a\.yaml -> .*b\.yaml"):
        config.load_yaml_with_includes(tmp_path / "a.yaml")
    _write(tmp_path / "self.yaml", {"include": "self.yaml"})
    with pytest.raises(config.IncludeError, match="cycle"):
        config.load_yaml_with_includes(tmp_path / "self.yaml")


@pytest.mark.parametrize("spec, message", [
    ({"include": 3}, "field 'include' must be a path or a list of paths"),
    ({"include": ["x.yaml", ""]}, "field 'include' must be a path or a list of paths"),
])
def test_malformed_include_field(tmp_path, spec, message):
    top = _write(tmp_path / "exp.yaml", spec)
    with pytest.raises(config.IncludeError, match=message):
        config.load_yaml_with_includes(top)


def test_included_file_that_is_not_a_mapping(tmp_path):
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    top = _write(tmp_path / "exp.yaml", {"include": "list.yaml"})
    with pytest.raises(config.IncludeError, match=r"list\.yaml: top level must be a mapping"):
        config.load_yaml_with_includes(top)
