"""FM-index and constrained-decoding benchmark on the real precedents (not a test: it measures, it asserts nothing).

    nice .venv/bin/python benchmarks/fm_index.py [--sizes 1000000 10000000] [--out benchmarks/results/fm_index.md]

Corpus: the court decisions of the installed ``card-legal-data-precedents`` package (from the stage-01 snapshot
when one exists, else parsed from the package), each document = 판시사항 + 판결요지 + 이유, tokenised with a
byte-level BPE (``lexlab.models.hf.train_tokenizer``, 8k vocabulary) trained on a sample of them. A corpus
size larger than the tokenised decisions is reached by repeating them (reported).

Reported against the issue's targets:
  build >= 1M tokens/s on one core | <= 12 bytes/token | <= 10 us per backward step |
  <= 50 us per beam mask for ranges <= 4k rows | constrained beam generation <= 1.3x unconstrained.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # "one core" figures; torch is pinned below as well
os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))

from lexlab.legalsearchlm.searchlm.fm_index import FMIndex  # noqa: E402

MASK_SIZES = [16, 64, 256, 1024, 4096, 16384, 65536]


def load_texts() -> tuple[list[str], str]:
    """Decision texts and a line saying where they came from."""
    try:
        from lexlab.workbench import paths

        snap = paths.snapshot_dir("latest") / "decisions.parquet"
        if snap.exists():
            import pandas as pd

            df = pd.read_parquet(snap)
            texts = (df["holdings"].fillna("") + "\n" + df["summary"].fillna("") + "\n"
                     + df["reasoning"].fillna("")).tolist()
            return [t for t in texts if t.strip()], f"snapshot {snap}"
    except Exception as e:  # no snapshot yet: parse the package instead
        print(f"(no snapshot: {e})", file=sys.stderr)
    import card_legal_data
    from lexlab.data.decisions import load_decisions

    root = Path(list(card_legal_data.__path__)[0]) / "precedents"  # a namespace package: no __file__
    decs = load_decisions(root, progress=True)
    texts = [f"{d.holdings}\n{d.summary}\n{d.reasoning}" for d in decs]
    return [t for t in texts if t.strip()], f"{len(decs)} deduplicated decisions parsed from {root}"


def tokenise(texts: list[str], vocab_size: int = 8000):
    """Train the tokeniser on a sample and tokenise every text. Cached under the work dir (keyed by the texts'
    hash), since tokenising ~30M characters takes minutes on a loaded 2-core machine."""
    import hashlib

    from transformers import AutoTokenizer

    from lexlab.workbench import paths
    from lexlab.models.hf import train_tokenizer

    key = hashlib.sha1(("\0".join(texts) + f"|{vocab_size}").encode()).hexdigest()[:12]
    cache = paths.work_dir("benchmarks", f"fm_index_tokens_{key}")
    if (cache / "ids.npz").exists():
        z = np.load(cache / "ids.npz")
        tok = AutoTokenizer.from_pretrained(cache / "tokenizer")
        docs = np.split(z["flat"], np.cumsum(z["lengths"])[:-1])
        return tok, docs, float(z["t_train"]), float(z["t_tok"]), True
    rnd = random.Random(0)
    sample = rnd.sample(texts, min(600, len(texts)))
    t = time.perf_counter()
    tok = train_tokenizer(sample, vocab_size=vocab_size)
    t_train = time.perf_counter() - t
    t = time.perf_counter()
    ids = tok(texts, add_special_tokens=False)["input_ids"]
    t_tok = time.perf_counter() - t
    docs = [np.asarray(x, dtype=np.int32) for x in ids if len(x)]
    tok.save_pretrained(cache / "tokenizer")
    np.savez(cache / "ids.npz", flat=np.concatenate(docs), lengths=np.array([len(d) for d in docs]),
             t_train=t_train, t_tok=t_tok)
    return tok, docs, t_train, t_tok, False


def take_tokens(docs: list[np.ndarray], n: int) -> tuple[list[np.ndarray], int]:
    """First documents up to n tokens (the last one cut), repeating the corpus if it is shorter."""
    out, total, passes = [], 0, 0
    while total < n:
        passes += 1
        for d in docs:
            d = d[: n - total]
            out.append(d)
            total += len(d)
            if total >= n:
                break
    return out, passes


def timeit(fn, repeat: int) -> float:
    """Best-of-3 mean CPU seconds per call (the machine is shared: process time and best-of damp the other
    tenants' effect; what remains -- cache and memory-bandwidth contention -- still inflates the figures)."""
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        for _ in range(repeat):
            fn()
        best = min(best, (time.process_time() - t) / repeat)
    return best


def peak_build_bytes(docs: list[np.ndarray], vocab: int) -> int:
    """Peak memory the build allocates beyond its input (numpy and ctypes buffers are traced by tracemalloc;
    an untimed extra build, so tracing never touches the timed one)."""
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        FMIndex.from_documents(docs, vocab_size=vocab)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bench_index(docs: list[np.ndarray], vocab: int, rng: np.random.Generator) -> dict:
    n = sum(len(d) for d in docs)
    peak = peak_build_bytes(docs, vocab)
    gc.collect()
    t, c = time.perf_counter(), time.process_time()
    idx = FMIndex.from_documents(docs, vocab_size=vocab)
    t_build_wall, t_build = time.perf_counter() - t, time.process_time() - c

    # Suffix sort alone on the same text, to say what bounds the build.
    from pydivsufsort import divsufsort

    sh = idx.shards[0]
    T = np.ones(sh.n, dtype=sh.bwt.dtype)
    pos = 0
    for d in docs:
        T[pos:pos + len(d)] = sh.tok2sym[d[::-1]]
        pos += len(d) + 1
    T[-1] = 0
    t = time.process_time()
    divsufsort(T)
    t_sort = time.process_time() - t
    del T

    parts = {name: int(getattr(sh, name).nbytes) for name in sh.ARRAYS}

    # Backward steps: extend real spans (random corpus positions) token by token through the public API.
    starts = []
    for _ in range(3000):
        d = docs[rng.integers(len(docs))]
        if len(d) > 12:
            i = rng.integers(len(d) - 12)
            starts.append(d[i:i + 12].tolist())
    root = idx.start()

    def walk():
        steps = 0
        for span in starts:
            st = root
            for t_ in span:
                st = idx.extend(st, t_)
                steps += 1
        return steps

    n_steps = walk()
    t_walk = timeit(walk, 1)
    step_us = t_walk / n_steps * 1e6
    # the raw (lo, hi) step on one shard, without the per-shard tuple wrapper
    pairs = []
    for span in starts[:1000]:
        lo, hi = 0, sh.n
        for t_ in span:
            pairs.append((lo, hi, t_))
            lo, hi = sh.extend(lo, hi, t_)

    def raw():
        for lo, hi, t_ in pairs:
            sh.extend(lo, hi, t_)

    raw_us = timeit(raw, 1) / len(pairs) * 1e6

    # Continuation masks by range size: real span states whose row range is within [R/2, 2R).
    by_size: dict[int, list] = {R: [] for R in MASK_SIZES}
    for span in starts:
        st = root
        for t_ in span:
            st = idx.extend(st, t_)
            size = st[0][1] - st[0][0]
            for R in MASK_SIZES:
                if R // 2 <= size < 2 * R and len(by_size[R]) < 200:
                    by_size[R].append(st)
    mask_rows = {}
    out = np.zeros((1, vocab + 1), dtype=bool)
    for R, states in by_size.items():
        if not states:
            continue
        sizes = [s[0][1] - s[0][0] for s in states]
        for s in states:  # warm the wide-range cache as decoding would after its first beam step
            idx.continuation_mask([s], out=out)

        def masks():
            for s in states:
                idx.continuation_mask([s], out=out)

        per = timeit(masks, 1) / len(states) * 1e6
        mask_rows[R] = (len(states), float(np.mean(sizes)), per)

    # documents(): what the retriever calls per generated span, by how often the span occurs.
    doc_buckets = {(1, 10): [], (10, 100): [], (100, 1000): [], (1000, 10000): [], (10000, 100000): []}
    for span in starts[:1500]:
        st = root
        for k, t_ in enumerate(span, 1):
            st = idx.extend(st, t_)
            c = idx.state_count(st)
            for (a, b), lst in doc_buckets.items():
                if a <= c < b and len(lst) < 30:
                    lst.append(span[:k])
    doc_lat = {}
    for (a, b), spans in doc_buckets.items():
        if spans:
            def docs_all():
                for sp in spans:
                    idx.documents(sp)
            doc_lat[(a, b)] = (len(spans), timeit(docs_all, 1) / len(spans) * 1e6)

    # Round trip through a file (load must not rebuild).
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "i.fm"
        t = time.perf_counter()
        idx.save(p)
        t_save = time.perf_counter() - t
        t = time.perf_counter()
        FMIndex.load(p)
        t_load = time.perf_counter() - t
        file_mb = p.stat().st_size / 2**20
    return dict(n=n, idx=idx, peak=peak, t_build=t_build, t_build_wall=t_build_wall, t_sort=t_sort, parts=parts, step_us=step_us, raw_us=raw_us,
                n_steps=n_steps, mask_rows=mask_rows, doc_lat=doc_lat, t_save=t_save, t_load=t_load, file_mb=file_mb)


def bench_generation(idx: FMIndex, tok, docs: list[np.ndarray], rng: np.random.Generator, *, num_beams: int,
                     max_new_tokens: int, n_prompts: int) -> dict:
    """Beam search with and without the constraint.

    Two settings: "fixed" -- generate() is given no EOS, so every mode decodes exactly max_new_tokens steps
    with the same beams (the processor still ends spans with EOS; such beams just repeat it): a like-for-like
    cost comparison, the one the target is judged on. "natural" -- EOS ends beams, so the constrained run
    also decodes fewer steps when its spans end early.
    """
    import torch
    import transformers
    from transformers import LogitsProcessorList

    from lexlab.legalsearchlm.searchlm.decoding import FMIndexLogitsProcessor
    from lexlab.models.hf import build_model

    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()  # the deliberate eos_token_id=-1 below warns on every call
    model = build_model("tiny", tok, seed=0).eval()
    n_params = sum(p.numel() for p in model.parameters())
    prompts = []
    for _ in range(n_prompts):
        d = docs[rng.integers(len(docs))]
        i = rng.integers(max(1, len(d) - 64))
        prompts.append(torch.tensor(d[i:i + 64].astype(np.int64))[None])
    eos = tok.eos_token_id
    common = dict(num_beams=num_beams, num_return_sequences=num_beams, max_new_tokens=max_new_tokens,
                  do_sample=False, pad_token_id=tok.pad_token_id, output_scores=True, return_dict_in_generate=True)

    def prefix_fn_for(plen: int):
        """The same rule through transformers' per-row ``prefix_allowed_tokens_fn`` path, for comparison."""
        cache = {(): idx.start()}

        def allowed(batch_id, sent):
            span = tuple(sent[plen:].tolist())
            if eos in span:
                return [eos]
            st = cache.get(span)
            if st is None:
                st = cache[span] = idx.extend(cache[span[:-1]], span[-1])
            mask, _ = idx.continuation_mask([st])
            ok = np.flatnonzero(mask[0]).tolist()
            return ok + [eos] if (span or not ok) else ok

        return allowed

    proc_t = [0.0]

    class TimedProcessor(FMIndexLogitsProcessor):
        def __call__(self, ids, scores):
            t = time.process_time()
            r = super().__call__(ids, scores)
            proc_t[0] += time.process_time() - t
            return r

    def run(mode: str, fixed: bool):
        total, steps = 0.0, 0
        for p in prompts:
            kw = dict(common)
            # fixed: an EOS id no token can equal, so beams never finish (None would fall back to the model's)
            kw["eos_token_id"] = -1 if fixed else eos
            if mode == "processor":
                kw["logits_processor"] = LogitsProcessorList(
                    [TimedProcessor(idx, prompt_length=p.shape[1], eos_token_id=eos)])
            elif mode == "prefix_fn":
                kw["prefix_allowed_tokens_fn"] = prefix_fn_for(p.shape[1])
            t = time.process_time()  # CPU time of this process: robust to other tenants of the machine
            with torch.no_grad():
                out = model.generate(input_ids=p, attention_mask=torch.ones_like(p), **kw)
            total += time.process_time() - t
            steps += len(out.scores)
        return total, steps

    res = {}
    for fixed in (True, False):
        run("processor", fixed)  # warm-up (also fills the index's wide-range cache, as a long-lived retriever)
        run("none", fixed)
        for rep in range(3):  # interleaved, best of three: the machine is shared
            for mode in ("none", "processor", "prefix_fn"):
                proc_t[0] = 0.0
                t, n = run(mode, fixed)
                key = (fixed, mode)
                if key not in res or t < res[key][0]:
                    res[key] = (t, n, proc_t[0])
    return dict(n_params=n_params, res=res, n_prompts=n_prompts, num_beams=num_beams,
                max_new_tokens=max_new_tokens)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--beams", type=int, default=10)
    ap.add_argument("--new-tokens", type=int, default=10)
    ap.add_argument("--prompts", type=int, default=8)
    ap.add_argument("--large-alphabet-tokens", type=int, default=5_000_000,
                    help="size of the 250k-id (hashed bigram) variant; 0 skips it")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "fm_index.md"))
    args = ap.parse_args()
    rng = np.random.default_rng(0)

    t0 = time.perf_counter()
    texts, source = load_texts()
    tok, all_docs, t_train, t_tok, cached = tokenise(texts, args.vocab)
    vocab = len(tok)
    corpus_tokens = sum(len(d) for d in all_docs)
    print(f"{len(all_docs)} docs, {corpus_tokens:,} tokens (tokeniser {t_train:.1f}s, tokenising {t_tok:.1f}s)")
    load_before = os.getloadavg()

    rows = []
    for size in args.sizes:
        docs, passes = take_tokens(all_docs, size)
        r = bench_index(docs, vocab, rng)
        r["passes"] = passes
        r["n_docs"] = len(docs)
        print(f"{size:,}: build {r['n'] / r['t_build'] / 1e6:.2f}M tok/s, {r['idx'].bytes_per_token:.2f} B/tok, "
              f"step {r['step_us']:.2f} us, masks {r['mask_rows']}")
        r["gen"] = bench_generation(r["idx"], tok, docs, rng, num_beams=args.beams, max_new_tokens=args.new_tokens,
                                    n_prompts=args.prompts)
        print("  generation:", {f"{'fixed' if k[0] else 'natural'}/{k[1]}": tuple(round(x, 3) for x in v)
                                 for k, v in r["gen"]["res"].items()})
        rows.append(r)
        del r["idx"]
        gc.collect()
    large = None
    if args.large_alphabet_tokens:
        # Hashed token bigrams in a 250k id space: a corpus with > 65k distinct ids (4-byte BWT symbols).
        big_docs, total = [], 0
        for d in all_docs:
            a, b = d[0:len(d) - 1:2].astype(np.int64), d[1::2].astype(np.int64)
            ids = ((a * args.vocab + b) * 2654435761) % 250_000
            if len(ids):
                big_docs.append(ids.astype(np.int32))
                total += len(ids)
            if total >= args.large_alphabet_tokens:
                break
        big_docs, passes = take_tokens(big_docs, args.large_alphabet_tokens)
        large = bench_index(big_docs, 250_000, rng)
        large["distinct"] = int(np.unique(np.concatenate(big_docs)).size)
        large["passes"], large["n_docs"] = passes, len(big_docs)
        large["dtype"] = str(large["idx"].shards[0].bwt.dtype)
        print(f"large alphabet: {large['distinct']} distinct ids, {large['idx'].bytes_per_token:.2f} B/tok, "
              f"step {large['step_us']:.2f} us")
        del large["idx"]
    load_after = os.getloadavg()
    write_report(args, rows, large, source, len(all_docs), corpus_tokens, vocab, t_train, t_tok, cached,
                 load_before, load_after, time.perf_counter() - t0)


def write_report(args, rows, large, source, n_docs, corpus_tokens, vocab, t_train, t_tok, cached, load_before, load_after,
                 wall):
    import torch
    import transformers

    ok = lambda good: "met" if good else "**missed**"  # noqa: E731
    L = ["# FM-index and constrained decoding benchmark", "",
         f"Generated by `benchmarks/fm_index.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
         "## Setup", "",
         f"- Corpus: {source}; document = 판시사항 + 판결요지 + 이유; {n_docs:,} documents, "
         f"{corpus_tokens:,} tokens after tokenising.",
         f"- Tokeniser: byte-level BPE (`lexlab.models.hf.train_tokenizer`), vocabulary {vocab:,}, trained on 600 "
         f"sampled decisions in {t_train:.1f} s; tokenising everything took {t_tok:.1f} s"
         + (" (times from the run that filled the token cache under the work dir)." if cached else "."),
         f"- Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores **shared with other "
         f"jobs** (load average {load_before[0]:.1f} before, {load_after[0]:.1f} after); run under `nice`, "
         "one thread (OMP/torch threads = 1). Times are CPU (process) time, latencies best-of-3 means, which "
         "removes most but not all of the other tenants' effect (shared caches and memory bandwidth remain): "
         "figures on a quiet machine would be lower, not higher.",
         f"- numpy {np.__version__}, torch {torch.__version__}, transformers {transformers.__version__}, "
         f"Python {platform.python_version()}. Total wall time {wall / 60:.1f} min.", ""]

    def worst4k(r):
        return max((v[2] for R, v in r["mask_rows"].items() if R <= 4096), default=float("nan"))

    def gen_ratio(r):
        res = r["gen"]["res"]
        return res[(True, "processor")][0] / res[(True, "none")][0]

    # Summary first: every target against every corpus.
    cols = [(f"{r['n'] / 1e6:g}M tokens", r) for r in rows]
    if large is not None:
        cols.append((f"{large['n'] / 1e6:g}M tokens, 250k ids", large))
    L += ["## Summary against the targets", "", "| target | " + " | ".join(c for c, _ in cols) + " |",
          "|---|" + "---|" * len(cols)]
    L.append("| build >= 1 M tokens/s (one core, CPU time) | " + " | ".join(
        f"{r['n'] / r['t_build'] / 1e6:.2f} M/s {ok(r['n'] / r['t_build'] >= 1e6)}" for _, r in cols) + " |")
    L.append("| <= 12 bytes/token | " + " | ".join(
        f"{sum(r['parts'].values()) / r['n']:.2f} {ok(sum(r['parts'].values()) / r['n'] <= 12)}" for _, r in cols)
        + " |")
    L.append("| <= 10 us per backward step | " + " | ".join(
        f"{r['step_us']:.2f} us {ok(r['step_us'] <= 10)}" for _, r in cols) + " |")
    L.append("| <= 50 us per beam mask, ranges <= 4k rows (worst bucket) | " + " | ".join(
        f"{worst4k(r):.1f} us {ok(worst4k(r) <= 50)}" for _, r in cols) + " |")
    L.append("| constrained <= 1.3x unconstrained beam generation | " + " | ".join(
        (f"{gen_ratio(r):.2f}x {ok(gen_ratio(r) <= 1.3)}" if "gen" in r else "not run") for _, r in cols) + " |")
    big = rows[-1]
    sort_share = big["t_sort"] / big["t_build"]
    g = big["gen"]["res"]
    L += ["", "What bounds each figure (largest 8k-vocabulary corpus unless said otherwise):", "",
          f"- **Build**: the suffix sort -- libdivsufsort alone is {sort_share:.0%} of the build "
          f"({big['t_sort']:.2f} of {big['t_build']:.2f} CPU s); it sorts the symbols as big-endian bytes, so "
          "4-byte symbols (alphabets past 65,534 distinct ids) cost about twice as much per token. The rest is "
          "a handful of linear numpy passes (layout, BWT gather, a 16-bit radix argsort for psi). Wall-clock "
          f"time on this loaded machine was {big['t_build_wall']:.1f} s, i.e. {big['n'] / big['t_build_wall'] / 1e6:.2f} "
          "M tokens/s: the other tenants, not the code.",
          "- **Memory**: BWT (2 bytes, 4 past 65,534 distinct ids) + psi (4 bytes, int32) + sampled suffix array "
          "(8 / sample_rate = 0.5 bytes at the default 16). The floor is ~6.5 bytes/token (~8.5 with 4-byte "
          "symbols); per-vocabulary tables (tok2sym is 4 bytes x vocabulary) only matter for small corpora. "
          f"Building needs more while it runs: it allocates at peak {big['peak'] / big['n']:.1f} "
          "bytes/token (tracemalloc), mostly the suffix sorter's 32-bit output over the byte "
          "view of the text (8 bytes/token for 2-byte symbols) and the argsort's int64 indices -- size shards "
          "(`max_shard_tokens`) by that, not by the index size.",
          "- **Backward step**: one numpy `searchsorted` call on the symbol's psi block plus Python call "
          "overhead; independent of the alphabet size and of the prefix length.",
          "- **Continuation mask**: linear in the range's rows (a gather and a scatter, a few ns per row, plus "
          "~3 us fixed); ranges above 65,536 rows switch to a vectorised binary search over all symbol blocks "
          "(O(alphabet x log n)) behind an LRU cache, which only the first steps of decoding hit.",
          f"- **Generation**: the processor costs {g[(True, 'processor')][2] / g[(True, 'processor')][1] * 1e3:.2f} ms "
          "per step for all 10 beams (state extension, one mask, one `torch.where`) against "
          f"{g[(True, 'none')][0] / g[(True, 'none')][1] * 1e3:.1f} ms per unconstrained step of this 1.9 M-parameter "
          "model; a larger model makes the ratio tend to 1. Of the fixed-length gap "
          f"({g[(True, 'processor')][0] - g[(True, 'none')][0]:.3f} s) the processor's own time is "
          f"{g[(True, 'processor')][2]:.3f} s; the rest is not attributed -- for scale, the two unconstrained "
          "runs do identical work here (the random model never emits EOS) and differ by "
          f"{abs(g[(True, 'none')][0] - g[(False, 'none')][0]):.3f} s.",
          ""]
    for r in rows:
        n = r["n"]
        idx_note = (f"the corpus repeated {r['passes']}x to reach it" if r["passes"] > 1
                    else "a prefix of the corpus")
        bpt = sum(r["parts"].values()) / n
        L += [f"## {n:,} tokens ({r['n_docs']:,} documents; {idx_note})", "",
              "| measure | result | target | |", "|---|---|---|---|",
              f"| build throughput (CPU time) | {n / r['t_build'] / 1e6:.2f} M tokens/s ({r['t_build']:.2f} CPU s; "
              f"{r['t_build_wall']:.2f} s wall) | "
              f">= 1 M tokens/s | {ok(n / r['t_build'] >= 1e6)} |",
              f"| memory | {bpt:.2f} bytes/token | <= 12 | {ok(bpt <= 12)} |",
              f"| backward step (`FMIndex.extend`) | {r['step_us']:.2f} us | <= 10 us | {ok(r['step_us'] <= 10)} |",
              f"| backward step (raw `(lo, hi)` on one shard) | {r['raw_us']:.2f} us | | |"]
        worst4k = max((v[2] for R, v in r["mask_rows"].items() if R <= 4096), default=float("nan"))
        L.append(f"| continuation mask, worst range size <= 4k rows | {worst4k:.1f} us per beam | <= 50 us | "
                 f"{ok(worst4k <= 50)} |")
        g = r["gen"]
        res = g["res"]
        ratio = res[(True, "processor")][0] / res[(True, "none")][0]
        L.append(f"| constrained / unconstrained beam generation (same number of steps) | {ratio:.2f}x | "
                 f"<= 1.3x | {ok(ratio <= 1.3)} |")
        L += ["", f"Build: suffix sort (libdivsufsort, via pydivsufsort) alone takes {r['t_sort']:.2f} CPU s of the "
              f"{r['t_build']:.2f}; the rest is numpy (layout, BWT gather, stable radix argsort for psi, sampling).",
              f"Saved file {r['file_mb']:.1f} MiB; save {r['t_save']:.2f} s, load (with CRC32 checks, no rebuild) "
              f"{r['t_load']:.2f} s.", "",
              "Memory by array (bytes/token): " + ", ".join(f"{k} {v / n:.3f}" for k, v in r["parts"].items()),
              "", "Continuation mask (one beam, `FMIndex.continuation_mask`) by row-range size — real span states "
              "whose range lies in [R/2, 2R):", "", "| R (rows) | states | mean rows | us per beam |",
              "|---|---|---|---|"]
        for R in MASK_SIZES:
            if R in r["mask_rows"]:
                k, mean, per = r["mask_rows"][R]
                L.append(f"| {R:,} | {k} | {mean:,.0f} | {per:.1f} |")
            else:
                L.append(f"| {R:,} | 0 | — | (no span state of that size among the samples) |")
        L += ["", "`documents(span)` (locate every occurrence via psi walks to a sampled row, then unique) by "
              "the span's count:", "", "| occurrences | spans | us per call |", "|---|---|---|"]
        for (a, b), (k, us) in r["doc_lat"].items():
            L.append(f"| {a:,}–{b - 1:,} | {k} | {us:,.0f} |")
        L += ["", f"Generation: tiny Llama (`lexlab.models.hf.build_model('tiny')`, {g['n_params'] / 1e6:.1f} M "
              f"parameters, random init), {g['n_prompts']} prompts of 64 corpus tokens each (one per call), "
              f"{g['num_beams']} beams, up to {g['max_new_tokens']} new tokens, one torch thread; CPU seconds "
              "(process time) for all prompts, best of 3 interleaved runs:",
              "", "| setting | unconstrained | constrained (this processor) | of which processor | "
              "constrained via `prefix_allowed_tokens_fn` |", "|---|---|---|---|---|"]
        for fixed, label in ((True, "fixed length (no EOS stop)"), (False, "natural (EOS ends beams)")):
            u, c, f = res[(fixed, "none")], res[(fixed, "processor")], res[(fixed, "prefix_fn")]
            L.append(f"| {label} | {u[0]:.3f} s ({u[1]} steps) | {c[0]:.3f} s ({c[1]} steps) | {c[2]:.3f} s "
                     f"({c[2] / max(1, c[1]) * 1e3:.2f} ms/step) | {f[0]:.3f} s ({f[1]} steps) |")
        L.append("")
    if large is not None:
        r = large
        n = r["n"]
        bpt = sum(r["parts"].values()) / n
        worst4k = max((v[2] for R, v in r["mask_rows"].items() if R <= 4096), default=float("nan"))
        L += [f"## Large alphabet: {n:,} tokens over a 250,000-id vocabulary", "",
              f"The same decisions with each pair of adjacent BPE tokens hashed into one id of a 250k vocabulary "
              f"({r['distinct']:,} distinct ids occur, so the BWT needs {r['dtype']} symbols). Index measures only: "
              "a 250k-row embedding would make the tiny model's generation timing mostly about the model.", "",
              "| measure | result | target | |", "|---|---|---|---|",
              f"| build throughput (CPU time) | {n / r['t_build'] / 1e6:.2f} M tokens/s ({r['t_build']:.2f} CPU s) "
              f"| >= 1 M tokens/s | {ok(n / r['t_build'] >= 1e6)} |",
              f"| memory | {bpt:.2f} bytes/token | <= 12 | {ok(bpt <= 12)} |",
              f"| backward step (`FMIndex.extend`) | {r['step_us']:.2f} us | <= 10 us | {ok(r['step_us'] <= 10)} |",
              f"| continuation mask, worst range size <= 4k rows | {worst4k:.1f} us per beam | <= 50 us | "
              f"{ok(worst4k <= 50)} |", "",
              "Memory by array (bytes/token): " + ", ".join(f"{k} {v / n:.3f}" for k, v in r["parts"].items()), ""]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(L) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
