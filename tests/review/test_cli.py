"""``lexlab review``: a missing database is a one-line error (exit 2); export writes the three files."""
from __future__ import annotations

from lexlab import cli
from lexlab.review.store import ReviewStore
from review import served


def test_missing_database_is_exit_2(tmp_path, capsys):
    assert cli.main(["review", "serve", "--db", str(tmp_path / "none.db")]) == 2
    assert "no review database" in capsys.readouterr().err


def test_export_writes_audit_and_reviews(tmp_path, capsys):
    db = served.make_db(tmp_path / "r.db")
    ReviewStore(db).record("2020도2#1", "kim", "reject", reason="공인")
    assert cli.main(["review", "export", "--db", str(db), "--out", str(tmp_path / "out")]) == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"audit.jsonl", "audit.csv", "reviews.jsonl"}
    assert '"label": "not"' in (tmp_path / "out" / "reviews.jsonl").read_text(encoding="utf-8")
