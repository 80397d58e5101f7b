"""Checks an experiment passes before anything runs: every parameter is one a stage's notebook declares, with a
value of the declared type; no credential is a parameter; names that become paths stay inside the work dir.

A typo (``-p max_decisons=5``) used to run and be logged, a grid over a key no stage reads expanded into identical
variants, and ``-p max_steps=abc`` failed deep inside a notebook. The declared parameters are read from each
notebook's cell tagged ``parameters`` by papermill's own parser (``papermill.inspect_notebook``).
"""
from __future__ import annotations

import ast
import difflib
import functools
import logging
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from lexlab.workbench import config, secrets

if TYPE_CHECKING:
    from lexlab.workbench.runner import Experiment

MAX_NAME_BYTES = 120  # a run, stage or experiment name becomes a file name (255 bytes with suffixes and ids)
MAX_ITEMS, MAX_DEPTH, MAX_TEXT = 10_000, 8, 100_000  # per parameter source (-p, params, grid, a stage's params)
RUNNER_PARAMS = {"run_name", "seed"}  # the runner may pass these to any notebook (docs/CONTRACTS.md)
_SAFE_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]+$")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")


class ParameterError(ValueError):
    """An unknown parameter, a value of the wrong type, a credential or an unsafe name; names where it came from."""


@functools.lru_cache(maxsize=64)
def _declared(notebook: str, mtime: float) -> dict[str, Any]:
    import papermill as pm

    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.ERROR)  # its "Unable to parse line" warnings: the cell test guards our notebooks
    try:
        specs = pm.inspect_notebook(notebook)
    finally:
        logger.setLevel(level)
    out = {}
    for name, spec in specs.items():
        try:
            out[name] = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError):
            out[name] = None  # an expression: any value goes
    return out


def notebook_parameters(notebook: str | Path) -> dict[str, Any]:
    """``{name: default value}`` a stage accepts: the fields of its config dataclass when its parameters cell
    names one (``CONFIG``, see ``config.stage_config``), else the names of its parameters cell (None where the
    default is an expression)."""
    cls = config_class(notebook)
    if cls is not None:
        return config.config_defaults(cls)
    path = Path(notebook)
    return dict(_declared(str(path), path.stat().st_mtime))


def config_class(notebook: str | Path) -> type | None:
    """The config dataclass a notebook's parameters cell names in ``CONFIG`` (None for a notebook that declares
    its parameters one by one)."""
    path = Path(notebook)
    spec = _declared(str(path), path.stat().st_mtime).get(config.CONFIG_VAR)
    if not spec:
        return None
    try:
        return config.load_config_class(spec)
    except ValueError as exc:
        raise ParameterError(f"{path}: parameters cell: {exc}") from None


def build_config(notebook: str | Path, params: Mapping[str, Any], where: str) -> Any:
    """The stage's config from ``params`` (its ``__post_init__`` checks run); None for a notebook without one."""
    cls = config_class(notebook)
    if cls is None:
        return None
    try:
        return config.config_from_dict(cls, dict(params), source=where)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{where}: {exc}") from None


def effective_params(notebook: str | Path, params: Mapping[str, Any], where: str) -> dict[str, Any]:
    """What a stage runs with: every field of its config (defaults included) or, for a notebook without one,
    ``params`` as given. Logged as the run's params and part of its reuse key."""
    cfg = build_config(notebook, params, where)
    return config.config_params(cfg) if cfg is not None else dict(params)


def papermill_parameters(notebook: str | Path, params: Mapping[str, Any]) -> dict[str, Any]:
    """What papermill injects: ``{"params": {...}}`` for a notebook with a config dataclass, else the params."""
    return {config.PARAMS_VAR: dict(params)} if config_class(notebook) is not None else dict(params)


def for_notebook(notebook: str | Path, params: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``params`` that ``notebook`` declares (all of it when it declares nothing): an experiment-wide
    parameter reaches, and is logged on, only the stages that use it; papermill warns about no other."""
    declared = notebook_parameters(notebook)
    return {k: v for k, v in params.items() if k in declared} if declared else dict(params)


def check_value(key: str, value: Any, default: Any, where: str) -> None:
    """``value`` must be usable where the notebook's default is: int for int, number for float, bool for bool."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(f"{where}: {key}={value!r} is not a finite number")
    if default is None or value is None or isinstance(value, str) and _PLACEHOLDER.search(value):
        return  # "{run_name}-x" is filled in later
    wanted = type(default)
    ok = (isinstance(value, bool) if wanted is bool else
          isinstance(value, int) and not isinstance(value, bool) if wanted is int else
          isinstance(value, (int, float)) and not isinstance(value, bool) if wanted is float else
          isinstance(value, (list, tuple, str)) if wanted in (list, tuple) else
          isinstance(value, (dict, str)) if wanted is dict else
          not isinstance(value, (dict, list)))  # a str parameter takes numbers too (the notebook formats them)
    if not ok:
        raise ParameterError(f"{where}: {key}={value!r} is not of type {wanted.__name__} (the notebook's default is "
                             f"{default!r})")


def _unknown(key: str, known: Iterable[str], where: str, scope: str) -> ParameterError:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ParameterError(f"{where}: {key!r} is not a parameter of {scope}{hint}")


def _check_key(declared: dict[str, dict[str, Any]], key: str, value: Any, where: str, many: bool = False) -> None:
    """A plain key must be declared by at least one stage; ``stage.key`` by that stage; values typed (``many``:
    ``value`` is a grid's list of values)."""
    values = value if many else [value]
    if "." in key and key.split(".", 1)[0] in declared:
        stage, name = key.split(".", 1)
        targets = [stage]
        if name not in declared[stage] and name not in RUNNER_PARAMS:
            raise _unknown(name, declared[stage], where, f"stage {stage!r}")
    else:
        name = key
        targets = [s for s, params in declared.items() if name in params]
        if not targets and name not in RUNNER_PARAMS:
            every = set().union(*declared.values())
            raise _unknown(name, every, where, "any stage (" + ", ".join(declared) + ")")
    for stage in targets:
        for v in values:
            check_value(key, v, declared[stage].get(name), where)


def check(exp: Experiment, overrides: Mapping[str, Any]) -> None:
    """Everything ``run_experiment`` checks before it creates a run; raises `ParameterError`."""
    src = str(exp.source or exp.name)
    for where, params in (("-p", overrides), (f"{src}: params", exp.params), (f"{src}: grid", exp.grid),
                          *((f"{src}: stages[{s.name}].params", s.params) for s in exp.stages)):
        check_size(params, where)
        try:
            secrets.check_params(params, where)
        except secrets.SecretParameterError as exc:
            raise ParameterError(str(exc)) from None
    declared = {s.name: notebook_parameters(s.notebook) for s in exp.stages}
    for stage in exp.stages:
        check_name(stage.name, f"{src}: stage name")
        for key, value in stage.params.items():
            _check_key({stage.name: declared[stage.name]}, f"{stage.name}.{key}", value,
                       f"{src}: stages[{stage.name}].params")
    for key, value in exp.params.items():
        _check_key(declared, key, value, f"{src}: params")
    for key, values in exp.grid.items():
        _check_key(declared, key, values, f"{src}: grid", many=True)
    for key, value in overrides.items():
        _check_key(declared, key, value, "-p")
    check_name(str(overrides.get("run_name") or exp.name), "-p run_name" if "run_name" in overrides else
               f"{src}: name")
    for where, params in ((f"{src}: params", exp.params), *((f"{src}: stages[{s.name}].params", s.params)
                                                            for s in exp.stages)):
        if "run_name" in params and "{" not in str(params["run_name"]):
            check_name(str(params["run_name"]), f"{where}: run_name")


def check_name(name: str, where: str) -> None:
    """A name that becomes a file or directory name: no separators, not "." / ".." (no path traversal)."""
    if not name or not _SAFE_NAME.match(name) or name in (".", "..") or name.startswith(".."):
        raise ParameterError(f"{where}: {name!r} must be a plain name (no '/', '\\\\', '..' or control characters "
                             "such as a newline): it names files under the work directory")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise ParameterError(f"{where}: {name[:40]!r}... is {len(name.encode('utf-8'))} bytes long; names become file "
                             f"names, at most {MAX_NAME_BYTES} bytes")


def check_size(params: Mapping[str, Any], where: str) -> None:
    """Parameters stay small and shallow: a YAML alias bomb (``&a [*b, *b, ...]`` nested) is a few lines that
    expand to billions of items when the runner writes them out; counted with an early stop, never expanded."""
    budget = MAX_ITEMS
    stack = [(key, value, 1) for key, value in params.items()]
    while stack:
        key, value, depth = stack.pop()
        budget -= 1
        if budget < 0 or depth > MAX_DEPTH:
            why = f"more than {MAX_ITEMS} items" if budget < 0 else f"nested deeper than {MAX_DEPTH} levels"
            raise ParameterError(f"{where}: parameter {key!r} is too large ({why}; a YAML alias bomb?)")
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise ParameterError(f"{where}: parameter {key!r} is {len(value)} characters long (at most {MAX_TEXT}); "
                                 "pass a file path instead")
        children = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
        stack.extend((key, child, depth + 1) for child in children)
