from __future__ import annotations

from pathlib import Path

import pytest

from legalsearchlm import cases


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    """The small corpus, its queries and qrels as files (see legalsearchlm/cases.py)."""
    return cases.write_files(tmp_path)
