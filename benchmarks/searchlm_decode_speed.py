"""Micro benchmark of LegalSearchLM's constrained decoding: ``model.generate`` (old) vs the hand-written search.

    nice -n 10 python benchmarks/searchlm_decode_speed.py [--queries 24] [--threads 2 1] [--random] \
        [--model tiny-t5 --out benchmarks/results/searchlm_decode_speed_t5.json]

The tiny Llama the project trains (``lexlab.models.hf.build_model("tiny")``; ``--model tiny-t5``: its
encoder-decoder counterpart, whose inputs are right-padded; randomly initialised: speed does not depend on
training), an FM-index over the legar corpus tokenised with the project's tokenizer (read from
the main checkout's work dir when present; ``--random`` or no corpus: ~2500 random documents x ~1500 tokens),
prompts of up to 160 tokens + the prompt suffix, left-padded in batches of 4, the retriever's defaults (10
beams, 8 new tokens, min_span_length 2, first-token-aware ban list). Prints and saves seconds per query
(wall and process CPU time) for both engines under each torch thread count, and how often their best spans
agree. On 2 cores shared with other jobs, 2 torch threads can be far slower than 1 (the threads wait on each
other while the other tenants hold a core): compare the engines within one thread count.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
from lexlab.workbench import paths  # noqa: E402

CORPUS = paths.WORK / "legar" / "legar" / "corpus.jsonl"
TOKENIZERS = paths.WORK / "tokenizers"


def load_tokenizer_and_docs(use_random: bool, rng):
    from lexlab.legalsearchlm.searchlm.elements import normalize_text
    from lexlab.models.hf import load_tokenizer

    tok_dirs = sorted(p.parent for p in TOKENIZERS.glob("*/tokenizer.json")) if TOKENIZERS.exists() else []
    if use_random or not CORPUS.exists() or not tok_dirs:
        vocab = 8000

        class Tok:  # just what tiny_llama_config and the ban list need
            pad_token_id, bos_token_id, eos_token_id, all_special_ids = 0, 1, 2, [0, 1, 2]

            def __len__(self):
                return vocab

        docs = [rng.integers(3, vocab, int(rng.integers(1000, 2000))) for _ in range(2500)]
        return Tok(), docs, "random: 2500 documents x 1000-2000 tokens, vocabulary 8000"
    tok = load_tokenizer(tok_dirs[0])
    with CORPUS.open(encoding="utf-8") as f:
        texts = [normalize_text(json.loads(line)["text"]) for line in f]
    docs = [np.asarray(ids, dtype=np.int64) for ids in tok(texts, add_special_tokens=False)["input_ids"]]
    return tok, docs, f"{CORPUS} tokenised with {tok_dirs[0]}"


def make_batches(tok, docs, n_queries: int, batch: int, rng, right_pad: bool = False):
    import torch

    from lexlab.legalsearchlm.searchlm.prompt import prompt_ids

    real = hasattr(tok, "decode")
    prompts = []
    for _ in range(n_queries):
        d = docs[rng.integers(len(docs))]
        n = int(rng.integers(100, 161))
        a = int(rng.integers(max(1, len(d) - n)))
        piece = d[a:a + n].tolist()
        prompts.append(prompt_ids(tok, piece, 160) if real else [tok.bos_token_id] + piece)
    batches = []
    for i in range(0, len(prompts), batch):
        chunk = prompts[i:i + batch]
        n = max(map(len, chunk))
        ids = torch.full((len(chunk), n), tok.pad_token_id, dtype=torch.long)
        att = torch.zeros((len(chunk), n), dtype=torch.long)
        for r, p in enumerate(chunk):
            at = 0 if right_pad else n - len(p)
            ids[r, at:at + len(p)], att[r, at:at + len(p)] = torch.tensor(p), 1
        batches.append((ids, att))
    return batches


def time_engine(model, index, batches, engine: str, kw: dict):
    import torch

    from lexlab.legalsearchlm.searchlm.decoding import generate_spans

    extra = {"length_penalty": 0.0} if engine == "hf" else {}
    generate_spans(model, index, *batches[0], engine=engine, **kw, **extra)  # warm-up
    out, wall, cpu = [], time.perf_counter(), time.process_time()
    with torch.no_grad():
        for ids, att in batches:
            out.extend(generate_spans(model, index, ids, att, engine=engine, **kw, **extra))
    n = sum(b[0].shape[0] for b in batches)
    return out, (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=int, default=24)
    ap.add_argument("--threads", type=int, nargs="+", default=[2, 1],
                    help="torch thread counts to time (each engine under each)")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--random", action="store_true")
    ap.add_argument("--model", default="tiny", choices=["tiny", "tiny-t5"])
    ap.add_argument("--out", default=str(REPO / "benchmarks/results/searchlm_decode_speed.json"))
    a = ap.parse_args()
    import torch
    import transformers

    from lexlab.legalsearchlm.searchlm.fm_index import FMIndex
    from lexlab.legalsearchlm.searchlm.retriever import first_token_banned_ids
    from lexlab.models.hf import build_model

    rng = np.random.default_rng(0)
    load_before = os.getloadavg()
    t = time.perf_counter()
    tok, docs, source = load_tokenizer_and_docs(a.random, rng)
    index = FMIndex.from_documents(docs, vocab_size=len(tok))
    setup_s = time.perf_counter() - t
    model = build_model(a.model, tok, seed=0).eval()
    banned = first_token_banned_ids(tok) if hasattr(tok, "decode") else None
    kw = dict(num_beams=10, max_new_tokens=8, min_span_length=2, first_token_banned=banned,
              eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    batches = make_batches(tok, docs, a.queries, a.batch, rng, right_pad=model.config.is_encoder_decoder)
    res, spans = {}, {}
    for threads in a.threads:
        torch.set_num_threads(threads)
        for engine in ("hf", "beam"):
            spans[engine], wall, cpu = time_engine(model, index, batches, engine, kw)
            res[f"{engine}_threads{threads}"] = {"wall_s_per_query": round(wall, 4), "cpu_s_per_query": round(cpu, 4),
                                                 "loadavg_1min": round(os.getloadavg()[0], 2)}
            print(f"{engine:>4}, {threads} threads: {wall:.4f} s/query wall, {cpu:.4f} s/query CPU", flush=True)
    top1 = sum(bool(h) and bool(b) and h[0].tokens == b[0].tokens for h, b in zip(spans["hf"], spans["beam"]))
    result = {
        "model": a.model, "corpus": source, "documents": len(docs), "index_tokens": int(index.n_tokens),
        "setup_s": round(setup_s, 1), "model_params": sum(p.numel() for p in model.parameters()),
        "queries": a.queries, "batch": a.batch, "decoding": {k: v for k, v in kw.items()
                                                                                  if k != "first_token_banned"},
        "first_token_aware": banned is not None, "engines": res,
        "speedup_wall": {f"threads{t}": round(res[f"hf_threads{t}"]["wall_s_per_query"]
                                              / res[f"beam_threads{t}"]["wall_s_per_query"], 2) for t in a.threads},
        "top1_agreement": f"{top1}/{a.queries}",
        "loadavg_before": [round(x, 2) for x in load_before], "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores shared with other jobs; torch {torch.__version__}, "
                   f"transformers {transformers.__version__}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    print(json.dumps(result, indent=1, ensure_ascii=False))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
