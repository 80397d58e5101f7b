"""Retrievers on a small hand-written Korean corpus: the CLI for each method, evaluate-run, and the generative
retriever's guarantee that every span it produced occurs in the corpus."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lexlab.legalsearchlm.retrieval import (
    RecordError,
    get_retriever,
    read_jsonl_records,
    read_trec_qrels,
    read_trec_run,
    trec_id,
    write_trec_run,
)
from lexlab.legalsearchlm.retrieval.cli import evaluate_run_main, retrieve_main

# Three kinds of case, four each; written for this test (not copied from the data packages).
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


def _corpus() -> list[dict]:
    docs = []
    for name, tmpl in (("wage", _WAGE[0]), ("copy", _COPY[0]), ("fraud", _FRAUD[0])):
        for i in range(4):
            docs.append({"id": f"{name}-{i} (병합)" if i == 3 else f"{name}-{i}",
                         "text": tmpl.format(n=i + 2, m=(i + 1) * 1000000), "category": name})
    return docs


def _queries() -> list[dict]:
    return [
        {"id": "wage-0", "text": "퇴직한 근로자들의 임금과 퇴직금을 14일 이내에 지급하지 아니하였다.", "category": "wage"},
        {"id": "copy-0", "text": "회사의 컴퓨터프로그램 저작물을 무단으로 복제하여 침해하였다.", "category": "copy",
         "exclude": ["copy-1"]},
        {"id": "fraud-0", "text": "피해자를 기망하여 돈을 편취하였다.", "category": "fraud"},
    ]


def _qrels(corpus) -> dict:
    out = {}
    for q in _queries():
        ex = {q["id"], *q.get("exclude", [])}
        out[q["id"]] = {d["id"]: 1 for d in corpus if d["category"] == q["category"] and d["id"] not in ex}
    return out


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    corpus = _corpus()
    paths = {"corpus": tmp_path / "corpus.jsonl", "queries": tmp_path / "queries.jsonl",
             "qrels": tmp_path / "qrels.trec"}
    paths["corpus"].write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in corpus), encoding="utf-8")
    paths["queries"].write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in _queries()),
                                encoding="utf-8")
    with paths["qrels"].open("w", encoding="utf-8") as f:  # raw ids with spaces, as some exporters write them
        for q, docs in _qrels(corpus).items():
            for d in docs:
                f.write(f"{q} 0 {d} 1\n")
    return paths


def _check_run(run_file: Path, k: int = 3) -> dict:
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


# --- input handling ----------------------------------------------------------------------------------------------
def test_bad_record_names_file_line_and_field(tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "좋은 문서"}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(RecordError, match=r"bad\.jsonl:2: field 'text' is missing"):
        read_jsonl_records(bad)
    with pytest.warns(UserWarning, match="skipped 1 bad record"):
        assert [r["id"] for r in read_jsonl_records(bad, on_error="skip")] == ["a"]


def test_trec_ids_with_spaces_round_trip(tmp_path: Path):
    write_trec_run({"q 1": [("2014노1, 2014노2(병합)", 2.0), ("d2", 1.0)]}, tmp_path / "r.trec")
    assert read_trec_run(tmp_path / "r.trec") == {"q_1": [(trec_id("2014노1, 2014노2(병합)"), 2.0), ("d2", 1.0)]}
    (tmp_path / "q.trec").write_text("q 1 0 2014노1, 2014노2(병합) 1\n", encoding="utf-8")
    assert read_trec_qrels(tmp_path / "q.trec") == {"q_1": {"2014노1,_2014노2(병합)": 1}}


# --- BM25 ----------------------------------------------------------------------------------------------------------
def test_bm25_cli_and_evaluate_run(files, tmp_path: Path, capsys):
    out = tmp_path / "bm25.trec"
    rc = retrieve_main(["--method", "bm25", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]),
                        "--k", "3", "--out", str(out), "--index", str(tmp_path / "bm25_idx"), "--no-progress"])
    assert rc == 0
    run = _check_run(out)
    # Each query's vocabulary belongs to one kind of case: the top hit must be of that kind.
    for qid, hits in run.items():
        assert hits[0][0].split("-")[0] == qid.split("-")[0]
    # A saved index is loaded, not rebuilt, and gives the same run.
    out2 = tmp_path / "bm25b.trec"
    assert retrieve_main(["--method", "bm25", "--queries", str(files["queries"]), "--k", "3", "--out", str(out2),
                          "--index", str(tmp_path / "bm25_idx")]) == 0
    assert read_trec_run(out2) == run

    res = tmp_path / "res.json"
    assert evaluate_run_main(["--qrels", str(files["qrels"]), "--run", str(out), "--metrics", "P@3", "nDCG@3",
                              "--by-category", str(files["queries"]), "--json", str(res)]) == 0
    rows = json.loads(res.read_text(encoding="utf-8"))["bm25.trec"]
    by_cat = {r["category"]: r for r in rows}
    assert set(by_cat) == {"wage", "copy", "fraud", "ALL"} and by_cat["ALL"]["n"] == 3
    # P@3 by hand from the run and qrels (ids with spaces in the qrels must still match).
    qrels = read_trec_qrels(files["qrels"])
    expected = np.mean([sum(d in qrels[q] for d, _ in hits[:3]) / 3 for q, hits in run.items()])
    assert by_cat["ALL"]["P@3"] == pytest.approx(expected)
    assert "P@3" in capsys.readouterr().out


def test_bm25_tuner_weights_match_bm25s():
    """The tuner re-weights a tf matrix instead of re-indexing; its ranking must be bm25s' ranking."""
    from scipy.sparse import csr_matrix

    from lexlab.legalsearchlm.retrieval.bm25 import BM25Retriever, _bm25_matrix, _to_ids, make_tokenizer

    corpus = _corpus()
    tok = make_tokenizer("char2")
    vocab: dict[str, int] = {}
    ids = _to_ids([tok(d["text"]) for d in corpus], vocab, grow=True)
    rows, cols, vals = [], [], []
    for i, x in enumerate(ids):
        u, c = np.unique(x, return_counts=True)
        rows += [i] * len(u)
        cols += u.tolist()
        vals += c.tolist()
    tf = csr_matrix((np.asarray(vals, float), (rows, cols)), shape=(len(ids), len(vocab)))
    r = BM25Retriever(tokenizer="char2", k1=1.7, b=0.6)
    r.doc_ids = [d["id"] for d in corpus]
    r.index_ids(ids, vocab)
    for q in _queries():
        qids = sorted(set(_to_ids([tok(q["text"])], vocab, grow=False)[0]))
        ours = np.asarray(_bm25_matrix(tf, 1.7, 0.6)[:, qids].sum(axis=1)).ravel()
        theirs = r.model.get_scores(qids)
        np.testing.assert_allclose(ours, theirs, rtol=1e-4)


def test_tune_bm25_returns_best_of_grid():
    from lexlab.legalsearchlm.retrieval.bm25 import tune_bm25

    corpus = _corpus()
    best, rows = tune_bm25(corpus, _queries(), _qrels(corpus), tokenizers=("char2", "word"), k1s=(0.9, 1.5),
                           bs=(0.5, 0.9), metric="P@3", progress=False)
    assert len(rows) == 8
    assert max(r["P@3"] for r in rows) == next(
        r["P@3"] for r in rows if (r["tokenizer"], r["k1"], r["b"]) == (best["tokenizer"], best["k1"], best["b"]))


# --- elements ----------------------------------------------------------------------------------------------------
def test_offline_elements_start_on_legal_words():
    from lexlab.legalsearchlm.searchlm.elements import extract_elements, normalize_text, random_spans

    text = ("피고인은 2019. 3. 5. 서울 강남구에서 근로기준법 제36조를 위반하여 임금을 지급하지 아니하였다. "
            "이는 근로기준법 제36조 위반죄에 해당한다. 근로자의 임금을 지급하지 아니한 사용자는 처벌된다.")
    on = [e.text for e in extract_elements(text)]
    assert "근로기준법 제36조" in on
    assert any(e.startswith("위반죄") for e in on)
    for e in on:
        assert e in normalize_text(text)
        assert not e[0].isdigit() and not e.startswith(("피고인", "서울", "2019"))
    off = [e.text for e in extract_elements(text, first_token_aware=False)]
    assert any(not e.startswith("근로기준법") and "근로기준법 제36조" in e for e in off)  # clause context kept
    import random

    for e in random_spans(text, 5, random.Random(0)):
        assert e.text in normalize_text(text)


# --- dense ---------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_dense_cli_trains_and_retrieves(files, tmp_path: Path):
    from lexlab.legalsearchlm.retrieval.dense import train_dense

    model_dir = tmp_path / "dense"
    meta = train_dense(read_jsonl_records(files["corpus"]), model_dir, max_steps=2, batch_size=6, crop_tokens=32,
                       vocab_size=400, hidden_size=32, num_layers=1, save_every=2, progress=False, log_mlflow=False)
    assert meta["final_loss"] is not None and np.isfinite(meta["final_loss"])
    out = tmp_path / "dense.trec"
    assert retrieve_main(["--method", "dense", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]),
                          "--k", "3", "--out", str(out), "--model", str(model_dir / "final"), "--no-progress"]) == 0
    _check_run(out)
    # Resume: a later call with more steps continues from the checkpoint instead of starting over.
    meta2 = train_dense(read_jsonl_records(files["corpus"]), model_dir, max_steps=3, batch_size=6, crop_tokens=32,
                        vocab_size=400, hidden_size=32, num_layers=1, save_every=1, progress=False, log_mlflow=False)
    assert np.isfinite(meta2["final_loss"])
    import torch

    assert torch.load(model_dir / "ckpt.pt", weights_only=False)["step"] == 3
    assert len(torch.load(model_dir / "ckpt.pt", weights_only=False)["losses"]) == 3  # 2 kept + 1 new step


# --- LegalSearchLM -----------------------------------------------------------------------------------------------
_TINY = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2,
         "num_key_value_heads": 2}


@pytest.fixture(scope="module")
def slm_model(tmp_path_factory) -> Path:
    from lexlab.legalsearchlm.searchlm.train import train_searchlm

    out = tmp_path_factory.mktemp("slm")
    meta = train_searchlm(_corpus(), out, max_steps=3, batch_size=4, vocab_size=400, max_input_tokens=48,
                          model_config=_TINY, progress=False, report_to="none", save_steps=100)
    assert meta["pairs"] > 0 and meta["targets_not_in_corpus"] == 0
    return out / "final"


def _contains(doc: list[int], span: tuple[int, ...]) -> bool:
    n = len(span)
    return any(tuple(doc[i:i + n]) == span for i in range(len(doc) - n + 1))


@pytest.mark.slow
@pytest.mark.parametrize("first_token_aware", [True, False])
def test_searchlm_spans_occur_in_corpus(slm_model: Path, first_token_aware: bool):
    from lexlab.legalsearchlm.searchlm.elements import normalize_text
    from lexlab.legalsearchlm.searchlm.retriever import SearchLMRetriever

    corpus = _corpus()
    r = SearchLMRetriever(model=str(slm_model), num_beams=4, max_new_tokens=4,
                          first_token_aware=first_token_aware, max_input_tokens=48)
    r.index(corpus)
    run = r.search(_queries(), k=3)
    tok = r._tok
    docs = [tok(normalize_text(d["text"]), add_special_tokens=False)["input_ids"] for d in corpus]
    n_spans = 0
    for qid, spans in r.last_spans.items():
        for s in spans:
            n_spans += 1
            assert any(_contains(d, s.tokens) for d in docs), f"span {s.text!r} for {qid} occurs in no document"
            # The count used for ranking is the true number of occurrences (brute force over the token ids).
            assert s.count == sum(sum(tuple(d[i:i + len(s.tokens)]) == s.tokens for i in range(len(d)))
                                  for d in docs)
            assert np.isfinite(s.logprob) and s.logprob <= 0
            if first_token_aware:
                assert tok.decode([s.tokens[0]]).startswith(" ")
        # Ranked documents are exactly among those containing a generated span, never the query itself.
        hit_docs = {r.doc_ids[i] for i, d in enumerate(docs) if any(_contains(d, s.tokens) for s in spans)}
        assert {d for d, _ in run[qid]} <= hit_docs - {qid}
    assert n_spans > 0


@pytest.mark.slow
def test_searchlm_query_anchored_spans_start_on_query_words(slm_model: Path):
    from lexlab.legalsearchlm.bench.masking import mask_like_query
    from lexlab.legalsearchlm.searchlm.retriever import SearchLMRetriever

    r = SearchLMRetriever(model=str(slm_model), num_beams=4, max_new_tokens=4, max_input_tokens=48,
                          first_token_from_query=True)
    r.index(_corpus())
    r.search(_queries(), k=3)
    for q in _queries():
        q_ids = set(r._tok(" ".join(mask_like_query(q["text"]).split()), add_special_tokens=False)["input_ids"])
        spans = r.last_spans[q["id"]]
        assert spans and all(s.tokens[0] in q_ids for s in spans)


@pytest.mark.slow
def test_searchlm_cli_trains_indexes_and_reloads(files, tmp_path: Path):
    out = tmp_path / "slm.trec"
    common = ["--method", "searchlm", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]),
              "--k", "3", "--index", str(tmp_path / "slm_idx"), "--opt", "num_beams=3", "--opt", "max_new_tokens=3",
              "--no-progress"]
    train = ["--opt", "train_steps=2", "--opt", "train_vocab_size=400", "--opt", "train_max_input_tokens=32",
             "--opt", "train_batch_size=4", "--opt", "train_model_config=" + json.dumps(_TINY)]
    assert retrieve_main(common + train + ["--out", str(out)]) == 0
    assert (tmp_path / "slm_idx" / "corpus.fmi").exists()
    assert (tmp_path / "slm_idx" / "model" / "final" / "searchlm.json").exists()
    run = read_trec_run(out) if out.stat().st_size else {}
    for qid, hits in run.items():
        assert qid not in [d for d, _ in hits]
    # The second call loads the saved FM-index and model instead of training again, and ranks the same way.
    assert retrieve_main(common + ["--out", str(tmp_path / "slm2.trec")]) == 0
    assert (read_trec_run(tmp_path / "slm2.trec") if (tmp_path / "slm2.trec").stat().st_size else {}) == run


def test_registry_knows_every_method():
    from lexlab.legalsearchlm.retrieval import available_methods

    assert {"bm25", "dense", "searchlm"} <= set(available_methods())
    with pytest.raises(KeyError, match="unknown retrieval method"):
        get_retriever("nope")


def test_ood_breakdown_weights_categories_by_queries():
    import pandas as pd

    from lexlab.legalsearchlm.retrieval.evaluation import ood_breakdown, p5_by_category

    t = pd.DataFrame({"n": [4, 2, 2, 8], "P@5": [0.5, 0.2, 0.0, 0.3]}, index=["지식재산", "노동", "사기", "ALL"])
    rows = {r["scored on"]: r for r in ood_breakdown({"slm": t}, {"slm": "지식재산"})}
    assert rows["trained category"]["P@5"] == 0.5 and rows["trained category"]["n"] == 4
    assert rows["other categories"]["n"] == 4 and abs(rows["other categories"]["P@5"] - 0.1) < 1e-12
    assert list(p5_by_category({"slm": t, "bm25": t}).columns) == ["n", "slm", "bm25"]
