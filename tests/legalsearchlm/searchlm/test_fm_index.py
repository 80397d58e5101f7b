"""FM-index against brute-force substring search on random corpora."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexlab.legalsearchlm.searchlm.fm_index import FMIndex, FMIndexFormatError


def occurrences(docs, pattern):
    """(doc, offset) of every occurrence, by direct comparison."""
    k = len(pattern)
    return [(j, i) for j, d in enumerate(docs) for i in range(len(d) - k + 1) if list(d[i:i + k]) == list(pattern)]


def following(docs, pattern):
    """Tokens that follow the pattern, and whether it ends some document."""
    nxt, ends = set(), False
    for j, i in occurrences(docs, pattern):
        if i + len(pattern) < len(docs[j]):
            nxt.add(int(docs[j][i + len(pattern)]))
        else:
            ends = True
    return sorted(nxt), ends


@st.composite
def corpora(draw, max_docs=8, max_len=40):
    vocab = draw(st.sampled_from([2, 3, 7, 300, 70_000, 250_000]))
    # Few distinct ids even in large vocabularies, so patterns repeat and cross-boundary traps exist.
    palette = draw(st.lists(st.integers(0, vocab - 1), min_size=1, max_size=6, unique=True))
    docs = draw(st.lists(st.lists(st.sampled_from(palette), min_size=1, max_size=max_len),
                         min_size=1, max_size=max_docs))
    return vocab, docs


@st.composite
def corpus_and_patterns(draw):
    vocab, docs = draw(corpora())
    patterns = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):  # a substring of some document (or one that spans two of them)
            joined = [t for d in docs for t in d]
            i = draw(st.integers(0, len(joined) - 1))
            patterns.append(joined[i:i + draw(st.integers(1, 5))])
        else:
            patterns.append(draw(st.lists(st.integers(0, vocab - 1), min_size=1, max_size=3)))
    sample_rate = draw(st.integers(1, 9))
    return vocab, docs, patterns, sample_rate


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(corpus_and_patterns())
def test_queries_match_brute_force(case):
    vocab, docs, patterns, sample_rate = case
    idx = FMIndex.from_documents(docs, vocab_size=vocab, sample_rate=sample_rate)
    for p in patterns:
        occ = occurrences(docs, p)
        assert idx.count(p) == len(occ)
        nxt, ends = following(docs, p)
        assert idx.continuations(p).tolist() == nxt
        _, can_end = idx.continuation_mask([idx.state_of(p)])
        assert bool(can_end[0]) == ends
        assert idx.documents(p).tolist() == sorted({j for j, _ in occ})
        d, o = idx.locate(p)
        assert list(zip(d.tolist(), o.tolist())) == occ
        limited = idx.documents(p, limit=1)
        assert len(limited) == min(1, len(occ)) and set(limited.tolist()) <= {j for j, _ in occ}


@SETTINGS
@given(corpus_and_patterns(), st.integers(1, 3))
def test_shards_merge_like_one_index(case, n_parts):
    vocab, docs, patterns, sample_rate = case
    longest = max(len(d) for d in docs)
    limit = max(longest, sum(len(d) for d in docs) // n_parts)
    sharded = FMIndex.from_documents(docs, vocab_size=vocab, sample_rate=sample_rate, max_shard_tokens=limit)
    whole = FMIndex.from_documents(docs, vocab_size=vocab, sample_rate=sample_rate)
    for p in patterns + [[]]:
        assert sharded.count(p) == whole.count(p)
        assert sharded.continuations(p).tolist() == whole.continuations(p).tolist()
        assert sharded.documents(p).tolist() == whole.documents(p).tolist()


@SETTINGS
@given(corpus_and_patterns())
def test_incremental_extend_equals_whole_pattern(case):
    vocab, docs, patterns, _ = case
    idx = FMIndex.from_documents(docs, vocab_size=vocab, max_shard_tokens=max(len(d) for d in docs))
    for p in patterns:
        state = idx.start()
        for i, t in enumerate(p, 1):
            state = idx.extend(state, t)
            assert idx.state_count(state) == len(occurrences(docs, p[:i]))
        assert state == idx.state_of(p)


def test_never_matches_across_document_boundary():
    docs = [[5, 6, 7], [8, 9], [7, 8]]
    idx = FMIndex.from_documents(docs, vocab_size=10)
    assert idx.count([7, 8]) == 1  # only inside doc 2, not 7|8 across docs 0 and 1
    assert idx.documents([7, 8]).tolist() == [2]
    assert idx.count([7, 8, 9]) == 0
    assert idx.continuations([7]).tolist() == [8]  # doc 0 ends after 7
    assert idx.continuations([]).tolist() == [5, 6, 7, 8, 9]
    assert idx.count([]) == 7
    assert idx.documents([]).tolist() == [0, 1, 2]


def test_large_alphabet_repeats_and_wide_ranges():
    rng = np.random.default_rng(1)
    vocab = 250_000
    # Many distinct ids (> 2^16 forces a 32-bit BWT) and one very frequent token (a wide range).
    docs = [np.where(rng.random(500) < 0.5, 7, rng.integers(0, vocab, 500)) for _ in range(400)]
    idx = FMIndex.from_documents(docs, vocab_size=vocab, sample_rate=8)
    assert idx.shards[0].bwt.dtype == np.uint32
    expect_next = sorted({int(d[i + 1]) for d in docs for i in range(len(d) - 1) if d[i] == 7})
    assert idx.continuations([7]).tolist() == expect_next
    assert idx.count([7, 7]) == sum(int(((d[:-1] == 7) & (d[1:] == 7)).sum()) for d in docs)
    probe = [int(docs[3][10]), int(docs[3][11])]
    assert idx.documents(probe).tolist() == sorted(
        {j for j, d in enumerate(docs) if any(d[i] == probe[0] and d[i + 1] == probe[1] for i in range(len(d) - 1))})


def test_wide_range_distinct_symbols_match_scan():
    rng = np.random.default_rng(2)
    docs = [rng.integers(0, 40, 5000) for _ in range(40)]
    idx = FMIndex.from_documents(docs, vocab_size=40)
    sh = idx.shards[0]
    for lo, hi in [(0, sh.n), (1000, 150_000), (70_000, 71_000), (5, 199_000)]:
        assert sh._distinct_symbols_wide(lo, hi).tolist() == np.unique(sh.bwt[lo:hi]).tolist()


@SETTINGS
@given(corpus_and_patterns(), st.booleans())
def test_save_load_round_trip(tmp_path_factory, case, mmap):
    vocab, docs, patterns, sample_rate = case
    idx = FMIndex.from_documents(docs, vocab_size=vocab, sample_rate=sample_rate,
                                 max_shard_tokens=max(max(len(d) for d in docs), 20))
    path = tmp_path_factory.mktemp("fm") / "index.fm"
    idx.save(path)
    back = FMIndex.load(path, mmap=mmap)
    assert (back.n_docs, back.n_tokens, back.vocab_size, len(back.shards)) == \
        (idx.n_docs, idx.n_tokens, idx.vocab_size, len(idx.shards))
    for p in patterns:
        assert back.count(p) == idx.count(p)
        assert back.continuations(p).tolist() == idx.continuations(p).tolist()
        assert back.documents(p).tolist() == idx.documents(p).tolist()


def test_load_does_not_rebuild(tmp_path, monkeypatch):
    idx = FMIndex.from_documents([[1, 2, 3], [2, 3, 4]], vocab_size=5)
    idx.save(tmp_path / "i.fm")
    import pydivsufsort

    monkeypatch.setattr(pydivsufsort, "divsufsort", lambda *a, **k: pytest.fail("load rebuilt the index"))
    assert FMIndex.load(tmp_path / "i.fm").count([2, 3]) == 2


@pytest.mark.parametrize("docs, vocab, message", [
    ([[1, 2], []], 5, "document 1 is empty"),
    ([], 5, "no documents"),
    ([[1, 2], [3, 9]], 5, "document 1: token id 9 is out of range"),
    ([[1, -2]], 5, "document 0: token id -2 is out of range"),
    ([[1.5, 2.0]], 5, "must be integers"),
])
def test_bad_documents_raise_clear_errors(docs, vocab, message):
    with pytest.raises(ValueError, match=message):
        FMIndex.from_documents(docs, vocab_size=vocab)


def test_out_of_range_queries_raise():
    idx = FMIndex.from_documents([[1, 2, 3]], vocab_size=5)
    for bad in ([5], [-1], [1, 99]):
        with pytest.raises(ValueError, match="out of range"):
            idx.count(bad)
        with pytest.raises(ValueError, match="out of range"):
            idx.continuations(bad)
    with pytest.raises(ValueError, match="out of range"):
        idx.extend(idx.start(), 7)
    assert idx.count([4]) == 0  # in range but absent: a plain zero


def test_bad_files_raise_clear_errors(tmp_path):
    idx = FMIndex.from_documents([[1, 2, 3, 1, 2]] * 3, vocab_size=5)
    good = tmp_path / "i.fm"
    idx.save(good)
    raw = good.read_bytes()

    (tmp_path / "trunc.fm").write_bytes(raw[:-10])
    with pytest.raises(FMIndexFormatError, match="truncated"):
        FMIndex.load(tmp_path / "trunc.fm")
    (tmp_path / "head.fm").write_bytes(raw[:30])
    with pytest.raises(FMIndexFormatError, match="truncated"):
        FMIndex.load(tmp_path / "head.fm")

    wrong = bytearray(raw)
    wrong[8:12] = np.uint32(99).tobytes()
    (tmp_path / "v99.fm").write_bytes(bytes(wrong))
    with pytest.raises(FMIndexFormatError, match="version 99"):
        FMIndex.load(tmp_path / "v99.fm")

    (tmp_path / "other.fm").write_bytes(b"PK\x03\x04" + raw[4:])
    with pytest.raises(FMIndexFormatError, match="not a lexlab FM-index"):
        FMIndex.load(tmp_path / "other.fm")

    flipped = bytearray(raw)
    hlen = int(np.frombuffer(raw[12:20], dtype=np.uint64)[0])
    flipped[(20 + hlen + 63) // 64 * 64 + 3] ^= 0xFF  # a byte of the first array (the BWT)
    (tmp_path / "flip.fm").write_bytes(bytes(flipped))
    with pytest.raises(FMIndexFormatError, match="CRC32"):
        FMIndex.load(tmp_path / "flip.fm")


def _rewrite_header(raw: bytes, edit) -> bytes:
    """The file with its JSON header changed by ``edit`` (the data re-aligned after it, as the writer does)."""
    import json

    hlen = int(np.frombuffer(raw[12:20], dtype=np.uint64)[0])
    header = json.loads(raw[20:20 + hlen])
    edit(header)
    text = json.dumps(header).encode()
    data = raw[(20 + hlen + 63) // 64 * 64:]
    prefix = raw[:12] + np.uint64(len(text)).tobytes() + text
    return prefix + b"\0" * ((len(prefix) + 63) // 64 * 64 - len(prefix)) + data


def _flip_sign(dtype: str) -> str:
    """A dtype of the same size and the other signedness ("<u4" -> "<i4")."""
    return dtype.replace("u", "i") if "u" in dtype else dtype.replace("i", "u")


def test_edited_headers_are_refused(tmp_path):
    idx = FMIndex.from_documents([[1, 2, 3, 1, 2]] * 3, vocab_size=5)
    good = tmp_path / "i.fm"
    idx.save(good)
    raw = good.read_bytes()

    def first_array(h):
        return next(iter(h["shards"][0]["arrays"].values()))

    cases = {
        "missing": (lambda h: h.pop("sample_rate"), "header lacks sample_rate"),
        "dtype": (lambda h: first_array(h).update(dtype=_flip_sign(first_array(h)["dtype"])),
                  "header fails its CRC32 check"),
        "shape": (lambda h: first_array(h).update(shape=[1, first_array(h)["shape"][0]]), "header fails its CRC32"),
    }
    for name, (edit, message) in cases.items():
        (tmp_path / f"{name}.fm").write_bytes(_rewrite_header(raw, edit))
        with pytest.raises(FMIndexFormatError, match=message):
            FMIndex.load(tmp_path / f"{name}.fm")


def test_limits_token_types_and_vocab_size_are_checked():
    idx = FMIndex.from_documents([[1, 2, 3], [2, 3, 4]], vocab_size=5)
    for pattern in ([], [2]):  # an empty and a non-empty pattern agree
        assert list(idx.documents(pattern, limit=0)) == []
        with pytest.raises(ValueError, match="limit must be None or an integer >= 0"):
            idx.documents(pattern, limit=-1)
    assert list(idx.documents([], limit=1)) == [0] and list(idx.documents([2], limit=1)) in ([0], [1])
    with pytest.raises(TypeError, match="token must be an integer id, got 1.7"):
        idx.extend(idx.start(), 1.7)
    assert idx.extend(idx.start(), np.int64(2)) == idx.extend(idx.start(), 2)
    with pytest.raises(ValueError, match="vocab_size 10000000000000 is outside"):
        FMIndex.from_documents([[1, 2]], vocab_size=10**13)
