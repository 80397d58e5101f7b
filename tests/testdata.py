"""Paths the tests share: the repository root and the small fixture files we wrote."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def write_snapshot(decisions, folder: Path, version: str = "fixture") -> Path:
    """A one-table snapshot (decisions.parquet + manifest.json) in ``folder``, for running a stage on it."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    decisions.to_parquet(folder / "decisions.parquet")
    (folder / "manifest.json").write_text(json.dumps({"version": version, "counts": {"decisions": len(decisions)}}),
                                          encoding="utf-8")
    return folder
