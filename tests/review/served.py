"""A review database with a small queue, and the app served from it in its own process (stopped by its pid).

Imported as ``from review import served`` (``tests/`` is on the path)."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from lexlab.review.store import ReviewStore
from testdata import ROOT

DOCS = [
    {"id": "2020도1#0", "text": "피해자 김민수(850312-1234567)는 재판장 판사 이을동 앞에서 진술하였다.",
     "spans": [{"start": 4, "end": 7, "p": 0.91}, {"start": 8, "end": 22, "p": 0.97}], "p": 0.97, "uncertainty": 0.21},
    {"id": "2020도2#1", "text": "피고인은 010-9876-5432로 공소외 박서준에게 전화하였다.",
     "spans": [{"start": 5, "end": 18, "p": 0.8}], "p": 0.8, "uncertainty": 0.12},
    {"id": "2020도3#0", "text": "대법관 최정호(주심)은 2019도1234 판결을 참조하였다.", "spans": [], "p": 0.4, "uncertainty": 0.05},
]


def make_db(path: Path) -> Path:
    store = ReviewStore(path)
    store.queue_documents(DOCS, "test@model-1")
    store.close()
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read())


@contextlib.contextmanager
def serving(db: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """``lexlab review serve`` on a free port; yields (base URL, process); kills it by pid afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib")}
    proc = subprocess.Popen([sys.executable, "-m", "lexlab", "review", "serve", "--db", str(db), "--port", str(port),
                             "--reviewer", "tester"], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(url + "/api/queue", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"server did not start: {proc.stdout.read().decode()[-2000:]}")
                time.sleep(0.3)
        yield url, proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
