"""Paths the tests share: the repository root and the small fixture files we wrote."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
