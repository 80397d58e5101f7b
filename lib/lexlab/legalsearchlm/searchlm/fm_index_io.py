"""The FM-index file format: one file, written atomically, read whole or memory-mapped, every array CRC-checked.

Layout: magic ``LEXLABFM``, the format version (uint32), the JSON header's length (uint64), the JSON header
(vocabulary size, sample rate, sizes, and per shard its ``doc_base`` and each array's dtype, shape, offset,
byte count and CRC32, plus the expected data size), zero padding to 64 bytes, then the raw arrays, each
64-byte aligned. :class:`lexlab.legalsearchlm.searchlm.fm_index.FMIndex` saves and loads through here.
"""
from __future__ import annotations

import json
import os
import zlib
from typing import Sequence

import numpy as np

FORMAT_VERSION = 2  # 2: the header carries its own CRC32 (a changed dtype or shape used to load and answer wrongly)
_MAGIC = b"LEXLABFM"
_FIXED = len(_MAGIC) + 4 + 8  # magic, version, header length

ShardArrays = tuple[int, dict[str, np.ndarray]]  # (doc_base, arrays by name)


class FMIndexFormatError(ValueError):
    """An index file that is not ours, from another format version, truncated, or corrupt."""


def _aligned(n: int) -> int:
    return (n + 63) // 64 * 64


def write_index(path: str | os.PathLike, sizes: dict, shards: Sequence[ShardArrays]) -> None:
    """Write ``shards`` (arrays in the order given) under the header fields ``sizes`` (vocab_size, sample_rate,
    n_docs, n_tokens). Written to a temp name and renamed, so a crash never leaves a half-written file."""
    path = os.fspath(path)
    entries, blobs = [], []
    offset = 0
    for doc_base, arrays in shards:
        specs = {}
        for name, arr in arrays.items():
            a = np.ascontiguousarray(arr)
            specs[name] = {"dtype": a.dtype.str, "shape": list(a.shape), "offset": offset,
                           "nbytes": int(a.nbytes), "crc32": zlib.crc32(memoryview(a).cast("B"))}
            blobs.append((offset, a))
            offset += _aligned(int(a.nbytes))
        entries.append({"doc_base": doc_base, "arrays": specs})
    header = {"format_version": FORMAT_VERSION, **sizes, "shards": entries, "data_nbytes": offset}
    header["header_crc32"] = _header_crc(header)
    hbytes = json.dumps(header).encode()
    prefix_len = _aligned(_FIXED + len(hbytes))
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(_MAGIC)
        f.write(np.uint32(FORMAT_VERSION).tobytes())
        f.write(np.uint64(len(hbytes)).tobytes())
        f.write(hbytes)
        f.write(b"\0" * (prefix_len - f.tell()))
        for off, a in blobs:
            f.seek(prefix_len + off)
            f.write(memoryview(a).cast("B"))
        f.truncate(prefix_len + offset)
    os.replace(tmp, path)


def read_index(path: str | os.PathLike, names: Sequence[str], *, mmap: bool = False,
               verify: bool = True) -> tuple[dict, list[ShardArrays]]:
    """(header, shards with the arrays ``names``) of a file written by `write_index`; ``mmap`` maps the arrays
    instead of reading them, ``verify`` checks every array's CRC32. A bad file is an `FMIndexFormatError`."""
    path = os.fspath(path)
    header, prefix_len = _read_header(path)
    shards = []
    for k, entry in enumerate(header["shards"]):
        arrays = {}
        for name in names:
            spec = _array_spec(path, k, entry, name)
            a = _read_array(path, prefix_len + spec["offset"], np.dtype(spec["dtype"]), spec["shape"], mmap)
            if verify and zlib.crc32(memoryview(np.ascontiguousarray(a)).cast("B")) != spec["crc32"]:
                raise FMIndexFormatError(f"{path}: shard {k} array {name!r} fails its CRC32 check")
            arrays[name] = a
        shards.append((int(entry["doc_base"]), arrays))
    return header, shards


def _read_header(path: str) -> tuple[dict, int]:
    """The JSON header and where the data starts, after checking magic, version and the file's size."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(_FIXED)
        if len(head) < _FIXED or head[:len(_MAGIC)] != _MAGIC:
            raise FMIndexFormatError(f"{path}: not a lexlab FM-index file (bad magic/header)")
        version = int(np.frombuffer(head, dtype=np.uint32, count=1, offset=len(_MAGIC))[0])
        if version != FORMAT_VERSION:
            raise FMIndexFormatError(f"{path}: FM-index format version {version}, this lexlab reads "
                                     f"version {FORMAT_VERSION}; rebuild the index")
        hlen = int(np.frombuffer(head, dtype=np.uint64, count=1, offset=len(_MAGIC) + 4)[0])
        if _FIXED + hlen > size:
            raise FMIndexFormatError(f"{path}: truncated inside the header")
        try:
            header = json.loads(f.read(hlen))
        except ValueError as e:
            raise FMIndexFormatError(f"{path}: corrupt header ({e})") from None
    _check_header(path, header)
    prefix_len = _aligned(_FIXED + hlen)
    expected = prefix_len + int(header["data_nbytes"])
    if size != expected:
        what = "truncated" if size < expected else "has trailing bytes"
        raise FMIndexFormatError(f"{path}: file {what}: expected {expected} bytes, found {size}")
    return header, prefix_len


def _header_crc(header: dict) -> int:
    body = {k: v for k, v in header.items() if k != "header_crc32"}
    return zlib.crc32(json.dumps(body, sort_keys=True).encode())


_HEADER_KEYS = ("vocab_size", "sample_rate", "shards", "data_nbytes", "header_crc32")


def _check_header(path: str, header: dict) -> None:
    """Every key present and the header unchanged since it was written (its CRC32 covers dtypes and shapes)."""
    if not isinstance(header, dict):
        raise FMIndexFormatError(f"{path}: corrupt header (not a JSON object)")
    missing = [k for k in _HEADER_KEYS if k not in header]
    if missing:
        raise FMIndexFormatError(f"{path}: header lacks {', '.join(missing)}; rebuild the index")
    if header["header_crc32"] != _header_crc(header):
        raise FMIndexFormatError(f"{path}: header fails its CRC32 check (edited or corrupt); rebuild the index")


def _array_spec(path: str, k: int, entry: dict, name: str) -> dict:
    try:
        spec = entry["arrays"][name]
        np.dtype(spec["dtype"])
        if int(np.prod(spec["shape"], dtype=np.int64)) * np.dtype(spec["dtype"]).itemsize != spec["nbytes"]:
            raise ValueError("dtype and shape disagree with the byte count")
        return spec
    except (KeyError, TypeError, ValueError) as e:
        raise FMIndexFormatError(f"{path}: shard {k} array {name!r}: bad header entry ({e})") from None


def _read_array(path: str, offset: int, dtype: np.dtype, shape: list[int], mmap: bool) -> np.ndarray:
    if mmap:
        return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=tuple(shape))
    count = int(np.prod(shape, dtype=np.int64))
    return np.fromfile(path, dtype=dtype, count=count, offset=offset).reshape(shape)
