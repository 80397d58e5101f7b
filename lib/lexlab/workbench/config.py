"""Config dataclasses from YAML, papermill and the command line: one reader for every entry point."""
from __future__ import annotations

import dataclasses
import typing
from typing import Any, TypeVar

C = TypeVar("C")


def config_from_dict(cls: type[C], values: dict[str, Any], source: str = "config") -> C:
    """Build a config, coercing strings from YAML/papermill/CLI (``1e-3`` is a str to YAML) to the field type.

    Unknown keys are an error naming the source, so a typo does not silently train with the default.
    """
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{source}: unknown {cls.__name__} field(s) {unknown}; known: {sorted(known)}")
    out = {}
    for key, value in values.items():
        kind = hints[key]
        try:
            if kind is bool and isinstance(value, str):
                value = value.strip().lower() in ("1", "true", "yes", "on")
            elif kind in (int, float) and isinstance(value, str):
                value = kind(float(value)) if kind is int else kind(value)
            elif kind is int and isinstance(value, float) and value.is_integer():
                value = int(value)
            elif kind == list[str] and isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            elif kind is str and value is None:
                value = ""
        except ValueError as exc:
            raise ValueError(f"{source}: field {key!r}: cannot read {value!r} as {kind}") from exc
        out[key] = value
    return cls(**out)
