"""Snapshot build/load on fixture sources, manifests and pointers."""
from __future__ import annotations

from testdata import FIXTURES
import json
from collections import Counter

import pytest

from lexlab.data.sources import DecisionsSource, InterpretationsSource, JsonlSource, PressSource, StatutesSource
from lexlab.workbench.io import ParseError
from lexlab.data.snapshot import build_snapshot, load_snapshot

PKG = FIXTURES / "data" / "pkg"
JSONL = FIXTURES / "data" / "jsonl"


def sources():
    return [DecisionsSource(PKG / "precedents"), StatutesSource(PKG / "law_api"),
            InterpretationsSource(PKG / "fsc" / "law_interpretations"),
            PressSource("fsc_press", root=PKG / "fsc" / "press_releases"),
            PressSource("pipc_press", root=PKG / "pipc" / "press_releases"),
            JsonlSource(JSONL / "good.jsonl")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("snap")
    manifest = build_snapshot(root, sources(), version="v1", progress=False)
    return root, manifest


def test_manifest_counts_types_hashes_and_skips(built):
    root, m = built
    assert m.path == root / "v1" and (root / "LATEST").read_text().strip() == "v1"
    assert m["counts"] == {"decisions": 3, "statutes": 9, "interpretations": 3, "general": 4}
    assert m["by_type"]["decisions"]["case_type"] == {"형사": 3}
    assert m["by_type"]["decisions"]["with_facts"] == 2
    assert m["by_type"]["decisions"]["in_several_folders"] == 1
    assert m["by_type"]["statutes"]["deleted"] == 2
    assert m["by_type"]["general"]["source"] == {"jsonl:good.jsonl": 2, "fsc_press": 1, "pipc_press": 1}
    assert m["by_source"]["precedents"] == {**m["by_source"]["precedents"], "files": 7, "records": 3, "skipped": 3}
    assert set(m["hashes"]) == {"decisions", "statutes", "interpretations", "general"}
    assert all(len(h) == 64 for h in m["hashes"].values())
    assert "card-legal-data" in m["packages"]
    skipped = Counter((s["source"], s["field"]) for s in m["skipped"])
    assert skipped == Counter({("precedents", "front_matter"): 2, ("precedents", "사건번호"): 1,
                               ("law_api", "articles"): 1, ("law_api", "front_matter"): 1,
                               ("fsc_interpretations", "json"): 1, ("fsc_interpretations", "answer"): 1,
                               ("pipc_press", "text"): 1})
    on_disk = json.loads((root / "v1" / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["counts"] == m["counts"]


def test_load_snapshot_round_trip(built):
    root, m = built
    snap = load_snapshot(root)  # a root follows its LATEST pointer
    assert snap.version == "v1"
    d = snap.decisions.set_index("case_id")
    assert d.loc["2020도1234", "lower_case_ids"] == ["2019노567"]
    assert isinstance(d.loc["2020도1234", "ref_articles"], list)
    assert len(d.loc["2020도1234", "source_paths"]) == 2
    assert snap.statutes["deleted"].dtype == bool
    assert list(snap.general.columns) == ["doc_id", "title", "text", "source", "source_path"]
    assert snap["interpretations"] is snap.interpretations
    assert load_snapshot(root / "v1").manifest == snap.manifest


def test_content_hashes_are_reproducible(built, tmp_path):
    _, m1 = built
    m2 = build_snapshot(tmp_path, sources(), version="v2", progress=False)
    assert m2["hashes"] == m1["hashes"]
    m3 = build_snapshot(tmp_path, sources()[:1], version="v3", max_decisions=2, progress=False)
    assert m3["counts"]["decisions"] < 3 and m3["hashes"]["decisions"] != m1["hashes"]["decisions"]
    assert (tmp_path / "LATEST").read_text().strip() == "v3"


def test_default_version_comes_from_content_and_is_reused(tmp_path):
    a = build_snapshot(tmp_path, sources()[:3], progress=False)
    assert a.version.startswith("snap-")
    b = build_snapshot(tmp_path, sources()[:3], progress=False)  # same data: no second copy
    assert b.version == a.version and b["created"] == a["created"]
    c = build_snapshot(tmp_path, sources()[:3], extra_jsonl=JSONL / "good.jsonl", progress=False)
    assert c.version != a.version and c["counts"]["general"] == 2
    assert (tmp_path / "LATEST").read_text().strip() == c.version
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["LATEST", a.version, c.version])
    with pytest.raises(ValueError):
        build_snapshot(tmp_path, sources()[:1], version="../x", progress=False)


def test_snapshots_are_immutable_and_raise_mode_stops(built, tmp_path):
    root, _ = built
    with pytest.raises(FileExistsError):
        build_snapshot(root, sources(), version="v1", progress=False)
    with pytest.raises(ParseError):
        build_snapshot(tmp_path, sources(), version="x", on_error="raise", progress=False)
    assert not (tmp_path / "LATEST").exists()


def test_damaged_snapshot_is_detected(built, tmp_path):
    root, _ = built
    import shutil

    shutil.copytree(root / "v1", tmp_path / "copy")
    m = json.loads((tmp_path / "copy" / "manifest.json").read_text())
    m["counts"]["statutes"] += 1
    (tmp_path / "copy" / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ValueError, match="damaged"):
        load_snapshot(tmp_path / "copy")
    with pytest.raises(FileNotFoundError):
        load_snapshot(tmp_path / "nowhere")


@pytest.mark.parametrize("name", [None, "", "latest", "v1"])
def test_load_snapshot_by_name_under_the_work_dir(built, tmp_path, monkeypatch, name):
    root, _ = built
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path))
    build_snapshot(tmp_path / "snapshot", sources(), version="v1", progress=False)
    snap = load_snapshot(name)
    assert snap.path == tmp_path / "snapshot" / "v1"
    assert snap.manifest["hashes"] == load_snapshot(root).manifest["hashes"]


def _statutes_snapshot(root, version=None):
    return build_snapshot(root, [StatutesSource(FIXTURES / "data" / "pkg" / "law_api")], version=version,
                          progress=False)


def test_an_edited_snapshot_table_is_refused(tmp_path):
    """A snapshot whose files were edited answered from the edited text; the manifest's hashes are now checked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lexlab.data.snapshot import SnapshotDamaged

    manifest = _statutes_snapshot(tmp_path)
    assert len(load_snapshot(manifest.path).statutes)  # verified once, then remembered by file content
    f = manifest.path / "statutes.parquet"
    table = pq.read_table(f)
    texts = table.column("text").to_pylist()
    texts[0] = "변조된 조문: 이 법을 위반한 자는 처벌하지 아니한다."
    pq.write_table(table.set_column(table.schema.get_field_index("text"), "text", pa.array(texts)), f)
    with pytest.raises(SnapshotDamaged, match="statutes.parquet: its rows do not match"):
        load_snapshot(manifest.path)


def test_an_edited_manifest_is_refused(tmp_path):
    from lexlab.data.snapshot import SnapshotDamaged

    manifest = _statutes_snapshot(tmp_path)
    data = json.loads((manifest.path / "manifest.json").read_text(encoding="utf-8"))
    data["hashes"]["statutes"] = "0" * 64
    (manifest.path / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SnapshotDamaged, match="manifest was edited"):
        load_snapshot(manifest.path)
