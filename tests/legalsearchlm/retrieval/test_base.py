"""Reading records, the method registry, and loading-or-building an index."""
from __future__ import annotations

from pathlib import Path

import pytest

from legalsearchlm import cases
from lexlab.legalsearchlm.retrieval import get_retriever, load_or_index, read_records, saved_index
from lexlab.workbench.io import ParseError


def test_bad_record_names_file_line_and_field(tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "좋은 문서"}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(ParseError, match=r"bad\.jsonl:2: field 'text': missing or empty"):
        read_records(bad)
    with pytest.warns(UserWarning, match="skipped 1 bad line"):
        assert [r["id"] for r in read_records(bad, on_error="skip")] == ["a"]


def test_registry_knows_every_method():
    from lexlab.legalsearchlm.retrieval import available_methods

    assert {"bm25", "dense", "searchlm"} <= set(available_methods())
    with pytest.raises(KeyError, match="unknown retrieval method"):
        get_retriever("nope")


def test_a_file_without_usable_records_is_refused(tmp_path: Path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"id": "a"}\n\n', encoding="utf-8")
    with pytest.raises(ParseError, match=r"empty\.jsonl: field 'records': no usable records"):
        with pytest.warns(UserWarning, match="skipped 1 bad line"):
            read_records(empty, on_error="skip")


def test_load_or_index_saves_then_loads(tmp_path: Path):
    docs = cases.corpus()
    built = load_or_index("bm25", tmp_path / "idx", docs, k1=2.0)
    assert (tmp_path / "idx" / "retriever.json").exists()
    loaded = load_or_index("bm25", tmp_path / "idx", [], k1=9.0)  # nothing re-indexed: the saved options stay
    assert loaded.options["k1"] == 2.0 and loaded.doc_ids == built.doc_ids
    assert loaded.search(cases.queries(), k=3) == built.search(cases.queries(), k=3)
    assert saved_index("bm25", tmp_path / "nothing") is None
    with pytest.raises(ValueError, match="holds a 'bm25' index, not 'dense'"):
        saved_index("dense", tmp_path / "idx")


def test_each_builtin_module_registers_its_method():
    import importlib

    from lexlab.legalsearchlm.retrieval import base

    for name, module in base.BUILTIN_MODULES.items():
        importlib.import_module(module)
        assert base.get_class(name).name == name


def test_bm25_does_not_import_torch_or_transformers():
    import subprocess
    import sys

    code = ("import sys\nfrom lexlab.legalsearchlm.retrieval import get_retriever\nget_retriever('bm25')\n"
            "heavy = sorted(m for m in ('torch', 'transformers') if m in sys.modules)\n"
            "assert not heavy, heavy\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_build_index_indexes_and_saves_without_looking_for_a_saved_one(tmp_path: Path):
    from lexlab.legalsearchlm.retrieval import build_index

    docs = cases.corpus()
    first = build_index("bm25", tmp_path / "idx", docs, k1=2.0)
    assert saved_index("bm25", tmp_path / "idx").options["k1"] == 2.0
    second = build_index("bm25", tmp_path / "idx", docs, k1=1.0)  # rebuilt and saved over the first
    assert saved_index("bm25", tmp_path / "idx").options["k1"] == 1.0 and second.doc_ids == first.doc_ids
    assert build_index("bm25", None, docs).doc_ids == first.doc_ids


def test_an_index_with_altered_arrays_is_refused(tmp_path: Path):
    """A BM25 index whose arrays were edited was used; now every saved file has a checksum, as the FM-index has."""
    import numpy as np

    load_or_index("bm25", tmp_path / "idx", cases.corpus())
    arrays = sorted((tmp_path / "idx").rglob("*.npy"))
    assert arrays
    data = np.load(arrays[0])
    np.save(arrays[0], np.zeros_like(data) + 1)
    with pytest.raises(ParseError, match=rf"{arrays[0].name}: field 'checksum': does not match"):
        saved_index("bm25", tmp_path / "idx")


def test_a_truncated_array_names_its_file(tmp_path: Path):
    import json

    load_or_index("bm25", tmp_path / "idx", cases.corpus())
    meta = json.loads((tmp_path / "idx" / "retriever.json").read_text(encoding="utf-8"))
    meta.pop("checksums")  # an index saved before checksums: the loader's own error must still name the place
    (tmp_path / "idx" / "retriever.json").write_text(json.dumps(meta), encoding="utf-8")
    array = sorted((tmp_path / "idx").rglob("*.npy"))[0]
    array.write_bytes(array.read_bytes()[: array.stat().st_size // 2])
    with pytest.raises(ParseError, match=r"idx: field 'index': cannot load the saved index"):
        saved_index("bm25", tmp_path / "idx")
