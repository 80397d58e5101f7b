"""Helpers for the fault tests: start Python processes at the same instant, wait for files."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from testdata import ROOT


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "lib"), str(ROOT / "tests"), out.get("PYTHONPATH")]))
    out.update(extra)
    return out


def together(code: str, n: int, delay: float = 6.0, **extra: str) -> list[subprocess.CompletedProcess]:
    """Run ``code`` in ``n`` processes that all start its work at the same wall-clock instant (``START``)."""
    start = time.time() + delay  # room for n interpreters to import before the start line
    prelude = f"import time\nSTART = {start!r}\n"
    procs = [subprocess.Popen([sys.executable, "-c", prelude + code], env=env(**extra), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(n)]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def wait_for(path: Path, timeout: float = 180.0) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.2)
    raise TimeoutError(f"{path} did not appear within {timeout} s")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie has exited
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
