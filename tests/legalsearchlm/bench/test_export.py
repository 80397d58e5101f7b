"""The benchmark as IR-standard files and back."""
from __future__ import annotations

import re

from lexlab.legalsearchlm.bench import export


def test_export_round_trip_and_trec_format(decisions, tmp_path, build):
    bench = build(decisions)
    files = export.export(bench, tmp_path / "mini")
    lines = files["qrels"].read_text(encoding="utf-8").splitlines()
    assert lines and all(re.fullmatch(r"\S+ 0 \S+ 1", ln) for ln in lines)
    assert "2019도1234 0 2020도6,_2020도7(병합) 1" in lines
    assert sum(len(v) for v in bench.qrels.values()) == len(lines)
    back = export.load_benchmark(tmp_path / "mini")
    assert back.qrels == bench.qrels
    assert list(back.queries["id"]) == list(bench.queries["id"])
    assert {"id", "text", "charge", "category", "exclude", "split"} <= set(back.queries.columns)
    assert {"id", "text"} <= set(back.corpus.columns)
    run = {"2019도1234": {"2019도1234": 9.0, "2018노555": 8.0, "2020도1": 7.0}}
    assert export.filter_run(run, back.queries) == {"2019도1234": {"2020도1": 7.0}}
