"""Progress bars that read well both where they are watched and where they are saved.

Interactively (JupyterLab, a terminal) every loop may show its bar (``item_bar``): a widget in JupyterLab
(ipywidgets is in the ``lab`` extra), text on a terminal. Under ``lexlab run`` the runner sets
``LEXLAB_PROGRESS=step``: a saved notebook then carries one bar per long step (``step_bar``: the models
evaluated; the Trainer's bar over training steps), as plain text updated in place every few seconds, and
per-item bars (batches, examples) are off — otherwise hundreds of bars end up in the executed notebook and its
HTML. The kernel is started with ``kernel_arguments()``, which makes ``tqdm.auto`` the text bar before any cell
runs (a widget bar saved by papermill shows "0%" for ever, since its state is not saved) and silences what only
clutters a saved report: library progress bars (loading weights, writing shards), UserWarnings and MLflow's
warnings. ``LEXLAB_PROGRESS=0`` turns every bar off.

``LEXLAB_PROGRESS`` (``item`` | ``step`` | ``0``) is the one switch: the Trainer's bar (``lexlab.models.trainer``),
generation (``lexlab.models.generation``) and every stage read ``mode()``, nothing else.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Iterable


def mode() -> str:
    """``"item"`` (every bar, the default), ``"step"`` (under the runner) or ``"off"``."""
    value = os.environ.get("LEXLAB_PROGRESS", "1").strip().lower()
    return {"step": "step", "0": "off", "off": "off", "false": "off"}.get(value, "item")


def item_bar(iterable: Iterable[Any] | None = None, **kwargs: Any):
    """A per-item bar (batches, examples): shown only interactively. Same arguments as ``tqdm``."""
    from tqdm.auto import tqdm

    kwargs["disable"] = bool(kwargs.get("disable")) or mode() != "item"
    return tqdm(iterable, **kwargs)


def step_bar(iterable: Iterable[Any] | None = None, **kwargs: Any):
    """A bar over the long steps of a stage: a widget interactively, one text line under the runner."""
    if mode() == "off":
        kwargs["disable"] = True
    if mode() == "step":
        from tqdm.std import tqdm

        kwargs.setdefault("mininterval", 5.0)
        kwargs.setdefault("file", sys.stdout)
        kwargs.setdefault("ascii", True)
        return tqdm(iterable, **kwargs)
    from tqdm.auto import tqdm

    return tqdm(iterable, **kwargs)


def text_bars() -> None:
    """Make ``tqdm.auto`` the plain text bar (run in the kernel before any cell, see ``kernel_arguments``)."""
    import tqdm.auto
    import tqdm.autonotebook
    import tqdm.std

    for module in (tqdm.auto, tqdm.autonotebook):
        module.tqdm, module.trange = tqdm.std.tqdm, tqdm.std.trange


def quiet_report() -> None:
    """A notebook executed as a report: text bars (``text_bars``), no library bars (Hugging Face's "Loading
    weights", "Writing model shards", datasets' "Map", MLflow's "Downloading artifacts"), no UserWarnings and no
    MLflow warnings (cloudpickle, environment inference). Run in the kernel before any cell and again by
    ``tracking.stage_run`` under the runner (a library imported later sets its own levels). Errors still show."""
    import logging
    import warnings

    text_bars()
    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
    os.environ["MLFLOW_LOGGING_LEVEL"] = "ERROR"
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    for module, call in (("transformers.utils.logging", "disable_progress_bar"),
                         ("transformers.utils.logging", "set_verbosity_error"),
                         ("huggingface_hub.utils", "disable_progress_bars"), ("datasets", "disable_progress_bars")):
        try:
            getattr(__import__(module, fromlist=[call]), call)()
        except (ImportError, AttributeError):  # pragma: no cover - all are dependencies
            pass


def kernel_arguments() -> list[str]:
    """Kernel command-line arguments for a notebook executed by the runner (papermill's ``extra_arguments``)."""
    return ["--IPKernelApp.exec_lines=['from lexlab.workbench import progress; progress.quiet_report()']",
            # the kernel's start-up warnings (e.g. "running over TCP without encryption" on 127.0.0.1) are noise on
            # the runner's console; errors still show, and the notebook's own output is unaffected
            "--IPKernelApp.log_level=ERROR"]


def kernel_env() -> dict[str, str]:
    """The runner's environment for the kernel: step mode (the one switch; no other variable)."""
    return {"LEXLAB_PROGRESS": "step"}
