"""Progress bars that read well both where they are watched and where they are saved.

Interactively (JupyterLab, a terminal) every loop may show its bar (``item_bar``): a widget in JupyterLab
(ipywidgets is in the ``lab`` extra), text on a terminal. Under ``lexlab run`` the runner sets
``LEXLAB_PROGRESS=step``: a saved notebook then carries one bar per long step (``step_bar``: the models
evaluated; the Trainer's bar over training steps), as plain text updated in place every few seconds, and
per-item bars (batches, examples) are off — otherwise hundreds of bars end up in the executed notebook and its
HTML. The kernel is started with ``kernel_arguments()``, which makes ``tqdm.auto`` the text bar before any cell
runs: a widget bar saved by papermill shows "0%" for ever, since its state is not saved. ``LEXLAB_PROGRESS=0``
turns every bar off.
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


def kernel_arguments() -> list[str]:
    """Kernel command-line arguments for a notebook executed by the runner (papermill's ``extra_arguments``)."""
    return ["--IPKernelApp.exec_lines=['from lexlab.workbench import progress; progress.text_bars()']",
            # the kernel's start-up warnings (e.g. "running over TCP without encryption" on 127.0.0.1) are noise on
            # the runner's console; errors still show, and the notebook's own output is unaffected
            "--IPKernelApp.log_level=ERROR"]


def kernel_env() -> dict[str, str]:
    """The runner's environment for the kernel: step mode, text bars refreshed at most every 10 s."""
    return {"LEXLAB_PROGRESS": "step", "TQDM_MININTERVAL": "10"}
