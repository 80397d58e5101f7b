"""What a failed stage says about itself: the exception's type and message first, then the traceback's last
lines, so neither the terminal (which used to show only ``PapermillExecutionError:``) nor the 4000-character
``lexlab.error`` tag (which used to keep the *first* characters) loses the final exception line."""
from __future__ import annotations

import re

from lexlab.workbench import secrets

TAG_LIMIT = 4000
TAIL_LINES = 15
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def summarize(exc: BaseException) -> str:
    """``"<Type>: <message>"`` on the first line, then the last lines of the traceback (credentials redacted).

    For a papermill failure the type and message are those of the exception raised in the notebook cell."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    head = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {exc}"
    lines = [_ANSI.sub("", line) for line in getattr(exc, "traceback", None) or []]
    lines = [ln for block in lines for ln in block.splitlines() if ln.strip()]
    tail = lines[-TAIL_LINES:]
    if getattr(exc, "cell_index", None) is not None:
        head += f"  (cell {exc.cell_index})"
    return secrets.redact("\n".join([head.strip(), *tail]))


def first_line(error: str) -> str:
    return error.splitlines()[0] if error else ""


def for_tag(error: str, limit: int = TAG_LIMIT) -> str:
    """The error within MLflow's tag limit: the first line whole, then as much of the *end* as fits."""
    if len(error) <= limit:
        return error
    head = first_line(error)[: limit // 2]
    room = limit - len(head) - 5
    return f"{head}\n...\n{error[-room:]}"
