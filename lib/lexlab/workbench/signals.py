"""SIGTERM (what ``kill``, schedulers and CI send) takes the same path as Ctrl-C.

Python turns only SIGINT into ``KeyboardInterrupt``; a SIGTERM would end the runner without its ``finally`` and
``except`` blocks, leaving the MLflow run RUNNING and the papermill kernel alive. ``terminate_as_interrupt``
raises ``KeyboardInterrupt`` on the first SIGTERM (the runner then closes the run as KILLED, keeps the executed
notebook and papermill shuts the kernel down) and ignores repeats while that clean-up runs.
"""
from __future__ import annotations

import contextlib
import signal
import sys
import threading
from typing import Iterator


class Terminated(KeyboardInterrupt):
    """A ``KeyboardInterrupt`` that came from SIGTERM (``str`` says so in tags and messages)."""

    def __str__(self) -> str:
        return "terminated by SIGTERM"


def _handler(signum, frame) -> None:
    signal.signal(signal.SIGTERM, _ignore_repeat)
    raise Terminated()


def _ignore_repeat(signum, frame) -> None:
    print("lexlab: SIGTERM again — still closing the run (send SIGKILL to stop at once)", file=sys.stderr)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block SIGTERM raises `Terminated` (a ``KeyboardInterrupt``); the old handler comes back after.
    Outside the main thread (signals cannot be handled there) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def describe(exc: BaseException) -> str:
    """How a run was interrupted, for its ``lexlab.error`` tag."""
    return "terminated by SIGTERM" if isinstance(exc, Terminated) else "interrupted (Ctrl-C / SIGINT)"
