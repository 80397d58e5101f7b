"""Rubrics as files (``experiments/rubrics/<name>.yaml``): criteria, one integer scale, an anchor per point.

A rubric is what a legal team writes down before grading: for each criterion a question and, for every point of
the scale, what an answer must show to earn it. The judge sees the anchors verbatim and must answer with one score
in the scale and one reason per criterion; ``answer_model`` is the pydantic model that answer is validated with.
A malformed file is a ``ParseError`` naming the file and the field (``criteria[1].anchors``), never a KeyError.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
import yaml

from lexlab.workbench import paths
from lexlab.workbench.io import ParseError

RUBRIC_DIR = paths.REPO / "experiments" / "rubrics"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Criterion:
    name: str
    question: str
    anchors: dict[int, str]  # every point of the rubric's scale → what earns it


@dataclass(frozen=True)
class Rubric:
    name: str
    description: str
    scale: tuple[int, ...]
    criteria: tuple[Criterion, ...]
    path: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.criteria]

    def answer_model(self) -> type[pydantic.BaseModel]:
        """The judge's pointwise answer: ``{"scores": {criterion: int in scale}, "reasons": {criterion: str}}``."""
        low, high = min(self.scale), max(self.scale)
        score = (int, pydantic.Field(ge=low, le=high))
        scores = pydantic.create_model(f"{self.name}_scores", **{n: score for n in self.names})
        reasons = pydantic.create_model(f"{self.name}_reasons", **{n: (str, ...) for n in self.names})
        return pydantic.create_model(f"{self.name}_answer", scores=(scores, ...), reasons=(reasons, ...))


def rubric_path(name_or_path: str) -> Path:
    """A rubric's file: a path as given, or ``experiments/rubrics/<name>.yaml``."""
    path = Path(name_or_path)
    return path if path.suffix in (".yaml", ".yml") else RUBRIC_DIR / f"{name_or_path}.yaml"


def load_rubric(name_or_path: str) -> Rubric:
    path = rubric_path(name_or_path)
    if not path.is_file():
        known = sorted(p.stem for p in RUBRIC_DIR.glob("*.yaml"))
        raise ParseError(path, "name", f"no such rubric file (rubrics in {RUBRIC_DIR}: {known})")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParseError(path, "yaml", f"not valid YAML: {exc}") from None
    return parse_rubric(raw, str(path))


def parse_rubric(raw: Any, where: str) -> Rubric:
    if not isinstance(raw, dict):
        raise ParseError(where, "rubric", f"expected a mapping, got {type(raw).__name__}")
    name = _text(raw, "name", where)
    if not _NAME.match(name):
        raise ParseError(where, "name", f"{name!r} must be lower_snake_case")
    scale = raw.get("scale")
    if (not isinstance(scale, list) or len(scale) < 2 or not all(type(p) is int for p in scale)
            or scale != list(range(scale[0], scale[0] + len(scale)))):
        raise ParseError(where, "scale", f"must be consecutive integers, at least two (e.g. [1, 2, 3, 4]), got {scale!r}")
    items = raw.get("criteria")
    if not isinstance(items, list) or not items:
        raise ParseError(where, "criteria", "must be a non-empty list")
    criteria = tuple(_criterion(item, f"criteria[{i}]", tuple(scale), where) for i, item in enumerate(items))
    names = [c.name for c in criteria]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParseError(where, "criteria", f"criterion name(s) {dupes} repeated")
    return Rubric(name, str(raw.get("description", "")), tuple(scale), criteria, where)


def _criterion(item: Any, field: str, scale: tuple[int, ...], where: str) -> Criterion:
    if not isinstance(item, dict):
        raise ParseError(where, field, f"expected a mapping, got {type(item).__name__}")
    name = _text(item, "name", where, field)
    if not _NAME.match(name):
        raise ParseError(where, f"{field}.name", f"{name!r} must be lower_snake_case")
    question = _text(item, "question", where, field)
    anchors = item.get("anchors")
    if not isinstance(anchors, dict):
        raise ParseError(where, f"{field}.anchors", "must map every point of the scale to its description")
    points = {int(k) if str(k).lstrip("-").isdigit() else k: v for k, v in anchors.items()}
    if sorted(points, key=str) != sorted(scale, key=str):
        raise ParseError(where, f"{field}.anchors", f"points {sorted(points, key=str)} do not match the scale {list(scale)}")
    for point, text in points.items():
        if not isinstance(text, str) or not text.strip():
            raise ParseError(where, f"{field}.anchors.{point}", "empty anchor: say what earns this point")
    return Criterion(name, question, {p: points[p].strip() for p in scale})


def _text(raw: dict, key: str, where: str, parent: str = "") -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ParseError(where, f"{parent}.{key}" if parent else key, "missing or empty")
    return value.strip()
