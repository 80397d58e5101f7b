"""Summary tables and figures of a snapshot built from the fixture sources."""
from __future__ import annotations

from testdata import FIXTURES

import pandas as pd
import pytest

from lexlab.data.snapshot import build_snapshot, load_snapshot
from lexlab.data.snapshot_stats import plot_stats, stats_frames
from lexlab.data.sources import DecisionsSource, InterpretationsSource, JsonlSource, PressSource, StatutesSource

PKG = FIXTURES / "data" / "pkg"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("snap")
    sources = [DecisionsSource(PKG / "precedents"), StatutesSource(PKG / "law_api"),
               InterpretationsSource(PKG / "fsc" / "law_interpretations"),
               PressSource("fsc_press", root=PKG / "fsc" / "press_releases"),
               PressSource("pipc_press", root=PKG / "pipc" / "press_releases"),
               JsonlSource(FIXTURES / "data" / "jsonl" / "good.jsonl")]
    return root, build_snapshot(root, sources, version="v1", progress=False)


def test_stats_and_plots(built):
    root, _ = built
    snap = load_snapshot(root)
    frames = stats_frames(snap)
    assert {"counts", "decisions_by_type", "decisions_by_court", "decision_fields", "statutes_per_law",
            "text_lengths", "splits", "skipped"} <= set(frames)
    spl = frames["splits"].set_index("table")
    assert (spl.sum(axis=1) == pd.Series(snap.manifest["counts"])[spl.index]).all()
    per_law = frames["statutes_per_law"].set_index("law")
    assert per_law.loc["시험법", "articles"] == 5 and per_law.loc["시험법", "deleted"] == 1
    figs = plot_stats(snap)
    assert len(figs) == 2 and all(f.axes for f in figs)


def test_plot_stats_reuses_the_callers_frames(built, monkeypatch):
    root, _ = built
    snap = load_snapshot(root)
    frames = stats_frames(snap)

    def recompute(_snap):
        raise AssertionError("plot_stats recomputed the frames it was given")

    monkeypatch.setattr("lexlab.data.snapshot_stats.stats_frames", recompute)
    figs = plot_stats(snap, frames)
    assert len(figs) == 2 and all(f.axes for f in figs)
