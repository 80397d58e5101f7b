"""Config dataclasses from YAML, papermill and the command line: one reader for every entry point, the checks
their ``__post_init__`` run, ``-p key=value`` overrides; and the experiment YAML reader that resolves ``include:``."""
from __future__ import annotations

import dataclasses
import json
import math
import re
import sys
import typing
from pathlib import Path
from typing import Any, Callable, Literal, Mapping, TypeVar

import yaml

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
        try:
            out[key] = _coerce(hints[key], value)
        except ValueError as exc:
            raise ValueError(f"{source}: field {key!r}: {exc}") from None
    return cls(**out)


_TRUE, _FALSE = {"1", "true", "yes", "on", "y"}, {"0", "false", "no", "off", "n", ""}


def _coerce(kind: Any, value: Any) -> Any:
    """``value`` as the field type where a reader left it as text (or a number for a text field); non-finite
    floats (``nan``, ``inf``: a learning rate of inf trained an all-NaN model to FINISHED) are refused."""
    try:
        if kind is bool and isinstance(value, str):
            word = value.strip().lower()
            if word not in _TRUE | _FALSE:
                raise ValueError
            value = word in _TRUE
        elif kind in (int, float) and isinstance(value, str):
            value = kind(float(value)) if kind is int else kind(value)
        elif kind is int and isinstance(value, float) and value.is_integer():
            value = int(value)
        elif kind == list[str] and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        elif kind is str and value is None:
            value = ""
        elif kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
    except (ValueError, OverflowError):
        raise ValueError(f"cannot read {value!r} as {getattr(kind, '__name__', kind)}") from None
    if kind is str and isinstance(value, (dict, list)):
        raise ValueError(f"{value!r} is a {type(value).__name__}, not text (YAML reads 'a: b' as a mapping and "
                         "'[a]' as a list: quote the value)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return value
    return cls(**out)


def check_choices(cfg: Any) -> None:
    """Every ``Literal``-typed field of a config dataclass holds one of its choices."""
    hints = typing.get_type_hints(type(cfg))
    for f in dataclasses.fields(cfg):
        kind = hints[f.name]
        if typing.get_origin(kind) is Literal and getattr(cfg, f.name) not in typing.get_args(kind):
            raise ValueError(f"{type(cfg).__name__}.{f.name} must be one of {typing.get_args(kind)}, "
                             f"got {getattr(cfg, f.name)!r}")


def check_positive(cfg: Any, *names: str) -> None:
    for name in names:
        if not getattr(cfg, name) > 0:
            raise ValueError(f"{type(cfg).__name__}.{name} must be positive, got {getattr(cfg, name)!r}")


def check_non_negative(cfg: Any, *names: str) -> None:
    for name in names:
        if getattr(cfg, name) < 0:
            raise ValueError(f"{type(cfg).__name__}.{name} must be 0 or more, got {getattr(cfg, name)!r}")


def check_fraction(cfg: Any, *names: str) -> None:
    for name in names:
        if not 0.0 <= getattr(cfg, name) <= 1.0:
            raise ValueError(f"{type(cfg).__name__}.{name} must be in [0, 1], got {getattr(cfg, name)!r}")


# --------------------------------------------------------------------------------------- command-line overrides

class OverrideError(ValueError):
    """A ``-p`` item that is not ``key=value``."""


class Core12Loader(yaml.SafeLoader):
    """YAML 1.2 core schema: ``true``/``false`` are the only booleans (``no``, ``on``, ``y`` stay text), ``010`` is
    ten (octal is ``0o10``), ``1e-3`` is a number, and dates stay text (``2024-01-01`` is not a ``date`` that
    JSON and MLflow cannot hold). Merge keys (``<<: *base``) are kept: the experiment files use them."""


Core12Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("merge", r"^(?:<<)$", "<"),
]:
    Core12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_regexp), list(_first))


def _core12_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))
    return int(text[2:], 8) if text.startswith("0o") else int(text, 16) if text.startswith("0x") else int(text, 10)


Core12Loader.add_constructor("tag:yaml.org,2002:int", _core12_int)


def load_yaml(text: str) -> Any:
    """Parse YAML text with the 1.2 core schema (``Core12Loader``): experiment files and ``-p`` values alike."""
    return yaml.load(text, Loader=Core12Loader)  # noqa: S506 - a SafeLoader subclass


def parse_value(text: str, where: str) -> Any:
    """One ``-p``/``--set`` value as YAML 1.2 core; `OverrideError` (one line) when it is not a YAML value."""
    if text == "":
        return ""
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        problem = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        raise OverrideError(f"{where}: {text!r} is not a YAML value ({problem}); quote it to pass it as text, "
                            f"e.g. {where.split()[-1].split('=')[0]}='\"{text}\"'") from None


def parsed_note(text: str, value: Any) -> str | None:
    """What a value was read as, when that is not the text itself (``010`` → 10, ``a: b`` → a mapping)."""
    if isinstance(value, str):
        return None
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return None if shown == text else f"read {text!r} as {type(value).__name__} {shown}"


def parse_overrides(items: list[str] | None, quiet: bool = False) -> dict[str, Any]:
    """``-p key=value`` pairs; values are read as YAML 1.2 core scalars (1 → int, true → bool, ``no`` and
    ``2024-01-01`` stay text); a value read as something other than its text is said on stderr."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise OverrideError(f"-p {item!r}: expected key=value")
        key, text = item.split("=", 1)
        value = parse_value(text, f"-p {key.strip()}")
        note = parsed_note(text, value)
        if note and not quiet:
            print(f"-p {key.strip()}: {note}", file=sys.stderr)
        out[key.strip()] = value
    return out


# ------------------------------------------------------------------------------------------- YAML with include:

class IncludeError(ValueError):
    """A config file that cannot be read or whose ``include:`` cannot be resolved; the message names the file."""


def load_yaml_with_includes(path: str | Path) -> dict[str, Any]:
    """An experiment file as one mapping, its ``include:`` resolved (see the merge rule in ``merge_experiment``).

    ``include:`` is a path or a list of paths, relative to the file that says it. At the top of an experiment
    file it names experiment files this one extends; inside a stage it names stage files (a mapping with
    ``notebook`` and ``params``) the stage extends. Several includes apply in order, each over the previous.
    A missing file and an include cycle are errors naming the file.
    """
    return _resolve(Path(path), (), merge_experiment)


def merge_experiment(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``top`` extends ``base``: ``params`` merge key by key, ``stages`` merge by stage name (a stage of ``top``
    with the name of a ``base`` stage is merged into it with ``merge_stage``, new stages are appended), and every
    other key of ``top`` (``name``, ``experiment``, ``grid``) replaces the one of ``base``."""
    out = merge_stage(base, top)
    if "stages" in base and "stages" in top:
        out["stages"] = _merge_stages(base["stages"], top["stages"])
    return out


def merge_stage(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``top`` extends ``base``: ``params`` merge key by key, every other key of ``top`` replaces the one of ``base``."""
    out = {**base, **top}
    if "params" in base or "params" in top:
        out["params"] = _merge_mappings(base.get("params"), top.get("params"))
    return out


def stage_name(stage: Mapping[str, Any]) -> str | None:
    """A stage's name: its ``name``, else its notebook's file name without suffix (what the runner calls it)."""
    if stage.get("name"):
        return str(stage["name"])
    return Path(str(stage["notebook"])).stem if stage.get("notebook") else None


def _merge_mappings(base: Any, top: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(top, Mapping):
        return {**base, **top}
    return base if top is None else top  # a malformed side is left for the reader to report


def _merge_stages(base: Any, top: Any) -> Any:
    if not (isinstance(base, list) and isinstance(top, list)):
        return top
    merged = list(base)
    index = {stage_name(s): i for i, s in enumerate(merged) if isinstance(s, Mapping) and stage_name(s)}
    for stage in top:
        name = stage_name(stage) if isinstance(stage, Mapping) else None
        if name in index:
            merged[index[name]] = merge_stage(merged[index[name]], stage)
        else:
            merged.append(stage)
    return merged


Merge = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]


def _resolve(path: Path, chain: tuple[Path, ...], merge: Merge) -> dict[str, Any]:
    """``path``'s mapping over the mappings it includes, with the stage-level includes of its stages resolved."""
    spec = _read_mapping(path)
    includes = _include_paths(path, spec.pop("include", None), chain)
    if isinstance(spec.get("stages"), list):
        spec["stages"] = [_resolve_stage(path, s, chain) for s in spec["stages"]]
    base: dict[str, Any] = {}
    for included in includes:
        base = merge(base, _resolve(included, chain + (path.resolve(),), merge))
    return merge(base, spec)


def _resolve_stage(path: Path, stage: Any, chain: tuple[Path, ...]) -> Any:
    if not isinstance(stage, Mapping) or "include" not in stage:
        return stage
    stage = dict(stage)
    base: dict[str, Any] = {}
    for included in _include_paths(path, stage.pop("include"), chain):
        base = merge_stage(base, _resolve(included, chain + (path.resolve(),), merge_stage))
    return merge_stage(base, stage)


def _include_paths(path: Path, value: Any, chain: tuple[Path, ...]) -> list[Path]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise IncludeError(f"{path}: field 'include' must be a path or a list of paths, got {value!r}")
    out = []
    for item in items:
        target = (path.parent / item).resolve()
        if not target.is_file():
            raise IncludeError(f"{path}: include {item!r}: no such file {target}")
        if target in chain or target == path.resolve():
            cycle = " -> ".join(str(p) for p in (*chain, path.resolve(), target))
            raise IncludeError(f"{path}: include {item!r} makes a cycle: {cycle}")
        out.append(target)
    return out


def _read_mapping(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise IncludeError(f"{path}: {'is a directory, not a file' if path.is_dir() else 'no such file'}")
    try:
        spec = load_yaml(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise IncludeError(f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})") from None
    except yaml.YAMLError as exc:
        raise IncludeError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(spec, dict):
        raise IncludeError(f"{path}: top level must be a mapping")
    return spec


# ------------------------------------------------------------------------ a stage's config: the one source

CONFIG_VAR = "CONFIG"  # a notebook's parameters cell names its config dataclass here ("package.module:Class")
PARAMS_VAR = "params"  # ... and holds the injected overrides here (a dict; empty means every default)


def load_config_class(spec: str) -> type:
    """``"lexlab.legalmidm.train.config:ITConfig"`` → the dataclass; an error names the spec."""
    import importlib

    module, _, name = str(spec).partition(":")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ValueError(f"config class {spec!r} cannot be imported: {exc}") from None
    if not dataclasses.is_dataclass(cls):
        raise ValueError(f"config class {spec!r} is not a dataclass")
    return cls


def config_defaults(cls: type) -> dict[str, Any]:
    """``{field: default}`` of a config dataclass (None where a field has no plain default)."""
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            out[f.name] = f.default_factory()  # type: ignore[misc]
        else:
            out[f.name] = None
    return out


def stage_config(cls: type[C] | str, params: Mapping[str, Any] | None, source: str = "notebook parameters",
                 quiet: bool = False) -> C:
    """A stage's config from its injected overrides: the dataclass holds every default, ``params`` only what
    differs (``lexlab run`` injects the YAML's and ``-p``'s values). Prints which fields were set, so an executed
    notebook says what ran."""
    cls = load_config_class(cls) if isinstance(cls, str) else cls
    params = dict(params or {})
    cfg = config_from_dict(cls, params, source=source)
    if not quiet:
        print(describe_overrides(cfg, params))
    return cfg


def describe_overrides(cfg: Any, params: Mapping[str, Any]) -> str:
    """One line: the config class, and each set field with its default where it differs."""
    defaults = config_defaults(type(cfg))
    set_here = [f"{k}={getattr(cfg, k)!r}" + (f" (default {defaults[k]!r})" if defaults[k] != getattr(cfg, k) else "")
                for k in params]
    return (f"{type(cfg).__name__}: {len(defaults)} fields at their defaults"
            + (f" except {', '.join(set_here)}" if set_here else ""))


def config_params(cfg: Any) -> dict[str, Any]:
    """What a stage really ran with, as MLflow params: every field of its config (lists comma-joined)."""
    return {k: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v
            for k, v in dataclasses.asdict(cfg).items()}
