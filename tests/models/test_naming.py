"""``resolve_model``: the one way to name a model, light enough to import without torch."""
from __future__ import annotations

import subprocess
import sys

import pytest

from lexlab.models import hf, naming
from lexlab.models.naming import resolve_model


def test_tiny_directories_and_hub_ids(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path / "work"))
    assert resolve_model("tiny") == "tiny" and resolve_model("") == "tiny"
    plain = tmp_path / "plain"
    plain.mkdir()
    assert resolve_model(plain) == str(plain.resolve())
    trained = tmp_path / "work" / "models" / "cpt-x" / "final"
    trained.mkdir(parents=True)
    assert resolve_model("cpt-x") == str(trained.resolve())  # a bare name under work/models, its final/
    assert resolve_model(trained.parent) == str(trained.resolve())
    assert resolve_model("org/name") == "org/name"
    with pytest.raises(FileNotFoundError, match="no-such-model"):
        resolve_model("no-such-model")


def test_hf_uses_the_same_function():
    assert hf.resolve_model is naming.resolve_model


def test_naming_does_not_import_the_ml_stack():
    code = "import sys, lexlab.models.naming; print(sorted({'torch', 'transformers'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
