"""A small hand-written Korean corpus for the retrieval tests: three kinds of case, four each, and a query per kind.

Imported as ``from legalsearchlm import cases`` (``tests/`` is on the path); written for these tests, not copied
from the data packages.
"""
from __future__ import annotations

import json
from pathlib import Path

from lexlab.workbench.io import read_trec_run

_WAGE = [
    "피고인은 근로기준법 제36조를 위반하여 퇴직한 근로자 {n}명의 임금 및 퇴직금 합계 {m}원을 퇴직일부터 14일 이내에 "
    "지급하지 아니하였다. 사용자는 근로자가 퇴직한 경우 임금과 퇴직금을 지급하여야 한다.",
]
_COPY = [
    "피고인은 저작권법 제136조를 위반하여 피해자 회사의 컴퓨터프로그램 저작물을 {n}회 복제하여 저작재산권을 침해하였다. "
    "저작물의 무단 복제는 저작권 침해에 해당한다.",
]
_FRAUD = [
    "피고인은 피해자를 기망하여 {n}회에 걸쳐 {m}원을 편취하였다. 형법 제347조 사기죄는 기망행위로 재물을 교부받는 "
    "것으로 성립한다.",
]

# A Llama small enough to train in seconds.
TINY_LLAMA = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2,
              "num_key_value_heads": 2}


def corpus() -> list[dict]:
    docs = []
    for name, tmpl in (("wage", _WAGE[0]), ("copy", _COPY[0]), ("fraud", _FRAUD[0])):
        for i in range(4):
            docs.append({"id": f"{name}-{i} (병합)" if i == 3 else f"{name}-{i}",
                         "text": tmpl.format(n=i + 2, m=(i + 1) * 1000000), "category": name})
    return docs


def queries() -> list[dict]:
    return [
        {"id": "wage-0", "text": "퇴직한 근로자들의 임금과 퇴직금을 14일 이내에 지급하지 아니하였다.", "category": "wage"},
        {"id": "copy-0", "text": "회사의 컴퓨터프로그램 저작물을 무단으로 복제하여 침해하였다.", "category": "copy",
         "exclude": ["copy-1"]},
        {"id": "fraud-0", "text": "피해자를 기망하여 돈을 편취하였다.", "category": "fraud"},
    ]


def qrels(docs) -> dict:
    out = {}
    for q in queries():
        ex = {q["id"], *q.get("exclude", [])}
        out[q["id"]] = {d["id"]: 1 for d in docs if d["category"] == q["category"] and d["id"] not in ex}
    return out


def write_files(tmp_path: Path) -> dict[str, Path]:
    """corpus.jsonl, queries.jsonl and qrels.trec under ``tmp_path``."""
    docs = corpus()
    paths = {"corpus": tmp_path / "corpus.jsonl", "queries": tmp_path / "queries.jsonl",
             "qrels": tmp_path / "qrels.trec"}
    paths["corpus"].write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    paths["queries"].write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries()),
                                encoding="utf-8")
    with paths["qrels"].open("w", encoding="utf-8") as f:  # raw ids with spaces, as some exporters write them
        for q, rel in qrels(docs).items():
            for d in rel:
                f.write(f"{q} 0 {d} 1\n")
    return paths


def check_run(run_file: Path, k: int = 3) -> dict:
    """The run's guarantees: every query answered, ≤ k distinct hits best first, never itself nor its excludes."""
    run = read_trec_run(run_file)
    assert set(run) == {"wage-0", "copy-0", "fraud-0"}
    for qid, hits in run.items():
        ids = [d for d, _ in hits]
        assert 1 <= len(ids) <= k and len(set(ids)) == len(ids)
        assert qid not in ids  # a query never retrieves itself
        scores = [s for _, s in hits]
        assert scores == sorted(scores, reverse=True)
    assert "copy-1" not in [d for d, _ in run["copy-0"]]  # ... nor what it lists under exclude
    return run
