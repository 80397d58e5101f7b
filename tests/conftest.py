"""Every test session gets its own MLflow store and work dir, so tests never touch the user's mlruns/ or work/."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="lexlab-tests-"))
os.environ.setdefault("MLFLOW_TRACKING_URI", f"sqlite:///{_SESSION_DIR / 'mlruns' / 'mlflow.db'}")
(_SESSION_DIR / "mlruns").mkdir(exist_ok=True)
os.environ.setdefault("LEXLAB_WORK", str(_SESSION_DIR / "work"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from testdata import FIXTURES


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
