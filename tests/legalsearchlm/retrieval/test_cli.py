"""`lexlab retrieve` for each method and `lexlab evaluate-run`, on the small corpus; TREC ids with spaces."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from legalsearchlm import cases
from lexlab.legalsearchlm.retrieval import read_records
from lexlab.legalsearchlm.retrieval.cli import evaluate_run_main, retrieve_main
from lexlab.workbench.io import read_trec_qrels, read_trec_run, trec_id, write_trec_run


def test_trec_ids_with_spaces_round_trip(tmp_path: Path):
    write_trec_run({"q 1": [("2014노1, 2014노2(병합)", 2.0), ("d2", 1.0)]}, tmp_path / "r.trec")
    assert read_trec_run(tmp_path / "r.trec") == {"q_1": [(trec_id("2014노1, 2014노2(병합)"), 2.0), ("d2", 1.0)]}
    (tmp_path / "q.trec").write_text("q 1 0 2014노1, 2014노2(병합) 1\n", encoding="utf-8")
    assert read_trec_qrels(tmp_path / "q.trec") == {"q_1": {"2014노1,_2014노2(병합)": 1}}


def test_bm25_cli_and_evaluate_run(files, tmp_path: Path, capsys):
    out = tmp_path / "bm25.trec"
    rc = retrieve_main(["--method", "bm25", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]),
                        "--k", "3", "--out", str(out), "--index", str(tmp_path / "bm25_idx"), "--no-progress"])
    assert rc == 0
    run = cases.check_run(out)
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


@pytest.mark.slow
def test_dense_cli_trains_and_retrieves(files, tmp_path: Path):
    from lexlab.legalsearchlm.retrieval.dense_train import DenseConfig, train_dense

    model_dir = tmp_path / "dense"
    small = dict(out_dir=str(model_dir), batch_size=6, crop_tokens=32, vocab_size=400, hidden_size=32, num_layers=1,
                 progress=False, report_to="none")
    res = train_dense(read_records(files["corpus"]), DenseConfig(max_steps=2, save_steps=2, **small))
    assert res.extra["final_loss"] is not None and np.isfinite(res.extra["final_loss"])
    out = tmp_path / "dense.trec"
    assert retrieve_main(["--method", "dense", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]),
                          "--k", "3", "--out", str(out), "--model", str(model_dir / "final"), "--no-progress"]) == 0
    cases.check_run(out)
    # Resume: a later call with more steps continues from the checkpoint instead of starting over.
    res2 = train_dense(read_records(files["corpus"]), DenseConfig(max_steps=3, save_steps=1, **small))
    assert np.isfinite(res2.extra["final_loss"]) and res2.resumed_from.endswith("checkpoint-2")
    state = json.loads((model_dir / "checkpoints" / "checkpoint-3" / "trainer_state.json").read_text())
    assert state["global_step"] == 3
    losses = [h["loss"] for h in state["log_history"] if "loss" in h]
    assert len(losses) == 3 and losses[:2] == list(res.losses().values())  # 2 kept + 1 new step


_TRAIN = ["--opt", "train_steps=2", "--opt", "train_target_max_df=0.5", "--opt", "train_vocab_size=400", "--opt",
          "train_max_input_tokens=32", "--opt", "train_batch_size=4", "--opt",
          "train_model_config=" + json.dumps(cases.TINY_LLAMA)]


def _quiet(out: str, err: str) -> None:
    """Nothing of the trainer's per-step logging nor any progress bar (ours or Hugging Face's) on the terminal."""
    for text in (out, err):
        assert "{'loss'" not in text and "'epoch'" not in text and "train_runtime" not in text
        assert "it/s]" not in text and "%|" not in text and "s/it" not in text


@pytest.mark.slow
def test_searchlm_cli_trains_indexes_and_reloads(files, tmp_path: Path, capfd, monkeypatch):
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path / "work"))
    out = tmp_path / "slm.trec"
    common = ["--method", "searchlm", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]),
              "--k", "3", "--index", str(tmp_path / "slm_idx"), "--opt", "num_beams=3", "--opt", "max_new_tokens=3",
              "--no-progress"]
    assert retrieve_main(common + _TRAIN + ["--out", str(out)]) == 0
    captured = capfd.readouterr()
    # The time it will take is said before training; --no-progress: no bar, no loss dict, one line per step.
    assert "training a searchlm model" in captured.err and "min on 2 CPU cores" in captured.err
    _quiet(captured.out, captured.err)
    assert (tmp_path / "slm_idx" / "corpus.fmi").exists()
    trained = list((tmp_path / "work" / "retrieval" / "auto").glob("searchlm-*/final/searchlm.json"))
    assert len(trained) == 1 and str(trained[0].parent) in captured.err
    assert "searchlm: spans:" in captured.err  # how varied its spans were
    run = read_trec_run(out) if out.stat().st_size else {}
    for qid, hits in run.items():
        assert qid not in [d for d, _ in hits]
    # The second call loads the saved FM-index and model instead of training again, and ranks the same way.
    assert retrieve_main(common + ["--out", str(tmp_path / "slm2.trec")]) == 0
    assert (read_trec_run(tmp_path / "slm2.trec") if (tmp_path / "slm2.trec").stat().st_size else {}) == run
    assert "training a" not in capfd.readouterr().err


@pytest.mark.slow
def test_default_model_is_reused_by_corpus_fingerprint_and_settings(files, tmp_path: Path, capfd, monkeypatch):
    """Users should not pay twice: hybrid after searchlm on the same corpus with the same settings reuses the
    model (and says so); --retrain, other settings or another corpus train."""
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path / "work"))
    common = ["--corpus", str(files["corpus"]), "--queries", str(files["queries"]), "--k", "3", "--no-progress",
              "--out", str(tmp_path / "r.trec")]

    def retrieve(*extra: str) -> str:
        assert retrieve_main([*common, *extra]) == 0
        captured = capfd.readouterr()
        _quiet(captured.out, captured.err)
        return captured.err

    assert "training a searchlm model" in retrieve("--method", "searchlm", *_TRAIN)
    auto = tmp_path / "work" / "retrieval" / "auto"
    (model,) = auto.glob("searchlm-*")
    record = json.loads((model / "lexlab-trained.json").read_text(encoding="utf-8"))
    assert record["steps"] == 2 and record["settings"]["batch_size"] == 4
    err = retrieve("--method", "hybrid", *_TRAIN)
    assert f"reusing the searchlm model trained on this corpus at {model / 'final'}" in err
    assert f"(trained {record['trained_at']}, 2 steps); --retrain to train again" in err and "training a" not in err
    assert "training a searchlm model" in retrieve("--method", "hybrid", "--retrain", *_TRAIN)
    assert list(auto.glob("searchlm-*")) == [model]  # trained again in the same place
    assert "training a searchlm model" in retrieve("--method", "searchlm", *_TRAIN[:-2])  # another model config
    assert len(list(auto.glob("searchlm-*"))) == 2
    other = tmp_path / "other.jsonl"
    other.write_text(files["corpus"].read_text(encoding="utf-8").replace("피고인은", "피고인이"), encoding="utf-8")
    common[1] = str(other)
    assert "training a searchlm model" in retrieve("--method", "searchlm", *_TRAIN)  # another corpus
    assert len(list(auto.glob("searchlm-*"))) == 3


@pytest.mark.slow
def test_dense_default_model_is_quiet_and_reused(files, tmp_path: Path, capfd, monkeypatch):
    monkeypatch.setenv("LEXLAB_WORK", str(tmp_path / "work"))
    args = ["--method", "dense", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]), "--k", "3",
            "--out", str(tmp_path / "r.trec"), "--no-progress", "--opt", "train_steps=2", "--opt",
            "train_batch_size=4", "--opt", "train_vocab_size=300", "--opt", "train_hidden_size=32", "--opt",
            "train_num_layers=1", "--opt", "train_crop_tokens=32"]
    for said in ("training a dense model", "reusing the dense model trained on this corpus"):
        assert retrieve_main(args) == 0
        captured = capfd.readouterr()
        _quiet(captured.out, captured.err)
        assert said in captured.err and "LOAD REPORT" not in captured.err  # transformers' log: quiet too
        assert captured.err.count("\n") == 3  # training/reusing, the summary line, the note on shared ids


def test_retrain_needs_a_trained_default_model(files, tmp_path: Path):
    for bad in (["--method", "bm25"], ["--method", "searchlm", "--model", str(tmp_path)]):
        with pytest.raises(SystemExit):
            retrieve_main([*bad, "--retrain", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]),
                           "--out", str(tmp_path / "r.trec")])


def test_bm25_cli_defaults_are_the_tuned_options(files, tmp_path: Path):
    from lexlab.legalsearchlm.retrieval.bm25 import DEFAULT_OPTIONS, BM25Retriever

    assert {k: BM25Retriever().options[k] for k in DEFAULT_OPTIONS} == DEFAULT_OPTIONS
    assert DEFAULT_OPTIONS["tokenizer"] == "char2" and DEFAULT_OPTIONS["b"] == 1.0 and DEFAULT_OPTIONS["k1"] > 10
    idx = tmp_path / "idx"
    assert retrieve_main(["--method", "bm25", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]),
                          "--out", str(tmp_path / "r.trec"), "--index", str(idx), "--no-progress"]) == 0
    saved = json.loads((idx / "retriever.json").read_text(encoding="utf-8"))["options"]
    assert {k: saved[k] for k in DEFAULT_OPTIONS} == DEFAULT_OPTIONS


def test_bm25_cli_tune_uses_the_users_qrels(files, tmp_path: Path, capsys):
    idx = tmp_path / "idx"
    assert retrieve_main(["--method", "bm25", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]),
                          "--out", str(tmp_path / "r.trec"), "--index", str(idx), "--tune", str(files["qrels"]),
                          "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "bm25 tuned on 3 queries" in err
    saved = json.loads((idx / "retriever.json").read_text(encoding="utf-8"))["options"]
    assert saved["tokenizer"] in ("char2", "word", "word+char2")
    assert f"'k1': {saved['k1']}" in err  # the options printed are the options indexed
    with pytest.raises(SystemExit):
        retrieve_main(["--method", "hybrid", "--queries", str(files["queries"]), "--out", "x",
                       "--tune", str(files["qrels"])])


def test_no_progress_reaches_every_retriever_and_is_restored(files, tmp_path: Path, monkeypatch):
    from lexlab.legalsearchlm.retrieval import Retriever, register
    from lexlab.legalsearchlm.retrieval.base import NO_PROGRESS_ENV, _REGISTRY, show_progress

    seen = []

    @register("probe")
    class Probe(Retriever):
        def _index(self, texts, records):
            seen.append(show_progress())

        def _search(self, texts, ks, queries):
            seen.append(show_progress())
            return [[] for _ in texts]

    monkeypatch.delenv(NO_PROGRESS_ENV, raising=False)
    try:
        args = ["--method", "probe", "--corpus", str(files["corpus"]), "--queries", str(files["queries"]),
                "--out", str(tmp_path / "r.trec")]
        assert retrieve_main(args + ["--no-progress"]) == 0
        assert seen == [False, False] and show_progress()  # quiet inside, restored after
        assert retrieve_main(args) == 0
        assert seen[2:] == [True, True]
    finally:
        _REGISTRY.pop("probe", None)


def test_what_the_exclusion_rule_leaves_out_is_said(tmp_path: Path, capsys):
    """A document whose id equals a query's, and a query whose exclude covers the corpus, vanished without a word."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                              for i, t in [("a", "사기 편취 기망"), ("b", "절도 재물 절취")]), encoding="utf-8")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "a", "text": "사기 편취"}, ensure_ascii=False) + "\n"
                       + json.dumps({"id": "q2", "text": "절도", "exclude": ["a", "b"]}, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    assert retrieve_main(["--method", "bm25", "--corpus", str(corpus), "--queries", str(queries), "--out",
                          str(tmp_path / "r.trec"), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "1 queries share their id with a corpus document (e.g. 'a')" in err
    assert "1 queries exclude every document of the corpus (e.g. 'q2')" in err
