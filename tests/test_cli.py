"""``lexlab``: one argparse subcommand per COMMANDS entry, each command reading its own flags unchanged."""
from __future__ import annotations

import pytest

from lexlab import cli


@pytest.fixture()
def seen(monkeypatch):
    calls = []
    monkeypatch.setitem(cli.COMMANDS, "echo", (lambda argv: calls.append(argv) or 7, "test command"))
    return calls


def test_every_command_is_a_subcommand():
    sub = next(a for a in cli.parser()._actions if a.dest == "command")
    assert list(sub.choices) == list(cli.COMMANDS) and {"run", "retrieve", "evaluate-run", "ask"} <= set(sub.choices)


def test_arguments_reach_the_command_as_given(seen):
    argv = ["exp.yaml", "-p", "train.max_steps=3", "--rerun", "-h", "--", "x"]
    assert cli.main(["echo", *argv]) == 7
    assert seen == [argv]
    assert cli.main(["echo"]) == 7 and seen[-1] == []


def test_help_and_unknown_commands(capsys, seen):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in cli.COMMANDS) and "test command" in out
    assert cli.main([]) == 2
    assert cli.main(["bogus"]) == 2
    assert "invalid choice: 'bogus'" in capsys.readouterr().err


def test_run_reads_its_own_flags(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--help"])
    assert exit_.value.code == 0
    assert "--keep-going" in capsys.readouterr().out
