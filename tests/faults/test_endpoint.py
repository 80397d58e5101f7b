"""Fault: the answer endpoint of ``lexlab ask --generator openai:NAME`` fails. A 500, an answer that is not JSON, a
body that is not JSON, a refused connection and a stalled server each used to come back as rc 0, ``found: false``
(``not_found:generator_no_answer``) with nothing on stderr, the stall after 487 s. A failure is an error: exit 1,
an ``error`` field per answer and a summary on stderr, within a bounded timeout."""
from __future__ import annotations

import json
import socket
import time

import pytest

from fake_llm import FakeChatServer
from lexlab.cli import main
from testdata import FIXTURES

QUESTION = "부정한 방법으로 시험에 응시한 자는 어떻게 처벌되나요?"


@pytest.fixture(scope="module")
def snap(tmp_path_factory):
    from lexlab.data.snapshot import build_snapshot
    from lexlab.data.sources import StatutesSource

    root = tmp_path_factory.mktemp("endpoint-snap")
    build_snapshot(root, [StatutesSource(FIXTURES / "data" / "pkg" / "law_api")], version="e1", progress=False)
    return str(root / "e1")


def _ask(snap: str, base_url: str, monkeypatch, tmp_path, *extra: str) -> int:
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "local-test-key")
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path / "work"))  # no answer cached by an earlier case
    return main(["ask", QUESTION, "--snapshot", snap, "--generator", "openai:m", "--threshold", "0", "--json",
                 "--no-progress", *extra])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("case", ["500", "answer not json", "body not json", "half a body"])
def test_a_failing_endpoint_is_an_error_not_a_not_found(snap, case, monkeypatch, tmp_path, capsys):
    reply = {"500": (500, ""), "answer not json": (200, "I cannot say"), "body not json": (200, "<html>oops</html>"),
             "half a body": (200, '{"choices": [')}[case]
    with FakeChatServer(lambda body: reply, raw=case in ("body not json", "half a body")) as server:
        rc = _ask(snap, server.base_url, monkeypatch, tmp_path)
    out, err = capsys.readouterr()
    record = json.loads(out.strip().splitlines()[-1])
    assert rc == 1 and record["error"] and not record["found"]
    assert not any(f.startswith("not_found") for f in record["flags"])
    assert "lexlab ask: the answer failed" in err


def test_a_refused_connection_is_an_error(snap, monkeypatch, tmp_path, capsys):
    assert _ask(snap, f"http://127.0.0.1:{_closed_port()}/v1", monkeypatch, tmp_path) == 1
    assert "failed" in capsys.readouterr().err


def test_a_stalled_endpoint_fails_within_the_timeout(snap, monkeypatch, tmp_path, capsys):
    def stall(body):
        time.sleep(4)
        return 200, '{"answerable": true, "answer": "x", "references": [1]}'

    with FakeChatServer(stall) as server:
        started = time.time()
        rc = _ask(snap, server.base_url, monkeypatch, tmp_path, "--timeout", "1")
        seconds = time.time() - started
    assert rc == 1 and seconds < 15 and "failed" in capsys.readouterr().err


def test_batch_mode_gives_an_error_per_answer_and_a_summary(snap, monkeypatch, tmp_path, capsys):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("".join(json.dumps({"id": str(i), "question": QUESTION + "?" * i}, ensure_ascii=False) + "\n"
                             for i in range(3)), encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", "local-test-key")
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path / "work"))
    with FakeChatServer(lambda body: (500, "")) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        rc = main(["ask", "--questions", str(qfile), "--snapshot", snap, "--generator", "openai:m",
                   "--threshold", "0", "--no-progress"])
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.strip().splitlines()]
    assert rc == 1 and len(records) == 3 and all(r["error"] for r in records)
    assert "3 of 3 answers failed" in err
