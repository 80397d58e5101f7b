"""`lexlab ask --over cases`: JSON answers with checked citations; bad input exits 2; statutes stay the default."""
from __future__ import annotations

import json

from lexlab import cli
from lexlab.ask import cli as ask_cli


def test_ask_over_cases_answers_as_json(toy_snapshot, capsys):
    rc = cli.main(["ask", "--over", "cases", "--snapshot", str(toy_snapshot), "--case", "2021도45", "--k", "3",
                   "상고심 형사 사건. 쟁점: 호흡측정 혈중알코올농도를 위드마크 공식으로 추정"])
    assert rc == 0
    answer = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert answer["outcome"] == "상고기각" and answer["found"]
    assert set(answer["citations"][0]) == {"case_no", "court", "date", "passage"}
    assert all(c["date"] < "2021-06-01" for c in answer["citations"])


def test_ask_over_cases_refuses_bad_input(toy_snapshot, tmp_path, capsys):
    assert cli.main(["ask", "--over", "cases", "--snapshot", str(toy_snapshot)]) == 2
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "1"}\n', encoding="utf-8")
    assert cli.main(["ask", "--over", "cases", "--snapshot", str(toy_snapshot), "--questions", str(bad)]) == 2
    assert "question" in capsys.readouterr().err
    assert ask_cli._over(["x"]) == "statutes" and ask_cli._over(["--over", "cases", "x"]) == "cases"
