"""``python -m lexlab.legalmidm.train {cpt,it} --config file.yaml [--set key=value ...]``.

Works unchanged under ``accelerate launch -m lexlab.legalmidm.train ...`` (one process per GPU; the Trainer does
DDP). Prints the run's ``TrainResult.summary()`` as JSON.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, Sequence

from lexlab.legalmidm.train.config import CPTConfig, ITConfig
from lexlab.legalmidm.train.cpt import run_cpt
from lexlab.legalmidm.train.it import run_it
from lexlab.workbench.config import config_from_dict, parse_overrides


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lexlab.legalmidm.train", description=__doc__)
    parser.add_argument("stage", choices=["cpt", "it"])
    parser.add_argument("--config", help="YAML mapping of config fields (a top-level 'params' key also works), "
                        "or an experiment file: its params plus those of the stage named like STAGE (or --stage)")
    parser.add_argument("--stage-name", help="which stage of an experiment --config to read (default: STAGE)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one field")
    ns = parser.parse_args(argv)
    try:
        overrides = parse_overrides(ns.set)
    except ValueError as e:
        parser.error(str(e))
    values = {**_read_config(ns.config, ns.stage_name or ns.stage), **overrides}
    cls = CPTConfig if ns.stage == "cpt" else ITConfig
    cfg = config_from_dict(cls, values, source=ns.config or "--set")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    result = run_cpt(cfg) if ns.stage == "cpt" else run_it(cfg)
    print(json.dumps(result.summary(), ensure_ascii=False, indent=2, default=str))
    return 0


def _read_config(path: str | None, stage: str = "") -> dict[str, Any]:
    """Config fields from a YAML file; an experiment file (``stages``, ``include:`` resolved) gives its ``params``
    merged with those of the stage called ``stage`` — so `lexlab run` and `accelerate launch` read one recipe."""
    import yaml

    from lexlab.workbench.config import load_yaml_with_includes, stage_name

    if not path:
        return {}
    loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise SystemExit(f"{path}: top level must be a mapping of config fields")
    if "stages" not in loaded and "include" not in loaded:
        return dict(loaded.get("params", loaded))
    exp = load_yaml_with_includes(path)
    stages = {stage_name(s): s for s in exp.get("stages") or []}
    if stage not in stages:
        raise SystemExit(f"{path}: no stage named {stage!r} (stages: {', '.join(map(str, stages))}); use --stage-name")
    return {**(exp.get("params") or {}), **(stages[stage].get("params") or {})}


if __name__ == "__main__":
    sys.exit(main())
