"""Checks on what ``lexlab retrieve`` / ``evaluate-run`` are given, so a wrong input is an error, not a wrong result.

- a saved ``--index`` remembers a fingerprint of the corpus it was built from; another corpus is refused
- a query's ``exclude`` must be a list of ids (a string used to be read character by character)
- ``--k`` must be positive; ``--opt`` names must be options of the method and values of the option's type
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from lexlab.workbench.io import ParseError

FINGERPRINT = "corpus_sha256"


def corpus_fingerprint(records: Iterable[Mapping]) -> str:
    """sha256 over the corpus's ids and texts, in order."""
    h = hashlib.sha256()
    for rec in records:
        h.update(json.dumps([str(rec["id"]), rec["text"]], ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def check_index_corpus(index_dir: str | Path, corpus: list[Mapping], corpus_path: str) -> None:
    """Refuse an index built from another corpus than ``corpus`` (by fingerprint, or by ids for an older index)."""
    meta = read_meta(index_dir)
    saved = meta.get(FINGERPRINT)
    if saved is not None:
        same = saved == corpus_fingerprint(corpus)
    else:
        ids = json.loads((Path(index_dir) / "doc_ids.json").read_text(encoding="utf-8"))
        same = ids == [str(r["id"]) for r in corpus]
    if not same:
        raise ValueError(f"--index {index_dir} was built from another corpus than {corpus_path} "
                         f"({meta.get('n_docs', '?')} docs there, {len(corpus)} here); give another --index "
                         "directory, or delete this one to rebuild it")


def read_meta(index_dir: str | Path) -> dict[str, Any]:
    """``retriever.json`` of a saved index; a corrupt one is a `ParseError` naming the file."""
    path = Path(index_dir) / "retriever.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ParseError(str(path), "json", f"corrupt index metadata ({e}); rebuild the index") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("method"), str):
        raise ParseError(str(path), "method", "corrupt index metadata (no method); rebuild the index")
    return meta


def check_query(where: str, obj: dict) -> None:
    """A query's ``exclude`` is a list of string or integer ids (``read_jsonl``'s ``check`` hook)."""
    ex = obj.get("exclude")
    if ex is None:
        return
    if not isinstance(ex, list) or any(not isinstance(x, (str, int)) or isinstance(x, bool) for x in ex):
        raise ParseError(where, "exclude", f"expected a list of ids, got {json.dumps(ex, ensure_ascii=False)} "
                         '(write "exclude": ["d1"])')


def positive_int(text: str) -> int:
    """argparse type for ``--k``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def check_options(cls: type, opts: Mapping[str, Any]) -> None:
    """Each ``--opt`` must be a parameter of ``cls.__init__`` (or a ``train_*`` option), of the default's type."""
    params = {n: p.default for n, p in inspect.signature(cls.__init__).parameters.items()
              if n != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    for key, value in opts.items():
        if key.startswith("train_"):
            continue
        if key not in params:
            raise ValueError(f"--opt {key}: not an option of {cls.name}; options: {', '.join(sorted(params))}")
        default = params[key]
        wanted = type(default) if default not in (None, inspect.Parameter.empty) else None
        ok = (wanted is None or wanted is str or
              (wanted is bool and isinstance(value, bool)) or
              (wanted is int and isinstance(value, int) and not isinstance(value, bool)) or
              (wanted is float and isinstance(value, (int, float)) and not isinstance(value, bool)))
        if not ok:
            raise ValueError(f"--opt {key}={value!r}: expected {wanted.__name__} (default {default!r})")
