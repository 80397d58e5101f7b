"""Progress bars: per item interactively; under the runner one text bar per step and no per-item bars."""
from __future__ import annotations

import io

from lexlab.workbench import progress


def test_modes_follow_the_environment(monkeypatch):
    monkeypatch.delenv("LEXLAB_PROGRESS", raising=False)
    assert progress.mode() == "item"
    for value, mode in (("step", "step"), ("0", "off"), ("1", "item")):
        monkeypatch.setenv("LEXLAB_PROGRESS", value)
        assert progress.mode() == mode


def test_under_the_runner_item_bars_are_off_and_a_step_bar_is_one_text_line(monkeypatch):
    monkeypatch.setenv("LEXLAB_PROGRESS", "step")
    assert progress.item_bar(range(3)).disable
    out = io.StringIO()
    assert list(progress.step_bar(range(5), desc="models", file=out, mininterval=60)) == list(range(5))
    lines = out.getvalue().replace("\r", "\n").strip().splitlines()
    assert lines[-1].startswith("models: 100%") and len({ln for ln in lines if ln.strip()}) <= 3


def test_the_runner_gives_the_kernel_step_mode_and_text_bars():
    assert progress.kernel_env()["LEXLAB_PROGRESS"] == "step"
    assert any("progress.text_bars()" in a for a in progress.kernel_arguments())
