"""The data snapshot: every later stage reads these parquet tables, never the raw package files.

A build parses all sources once, writes one parquet file per table into ``<root>/<version>/`` with a
``manifest.json`` (counts per source and type, content hashes, package versions, every skipped file with the
field that was wrong), then points ``<root>/LATEST`` at it. A plain file rather than a symlink, so the pointer
survives zip files, Windows checkouts and artifact stores. Versions are never overwritten: a run that logged
snapshot X can always be traced back to exactly the data it saw.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lexlab.data import lineage
from lexlab.data.sources import (DATA_PACKAGE, DISTRIBUTIONS, TABLES, DecisionsSource, JsonlSource, Source,
                                 default_sources)
from lexlab.workbench import inputs, paths
from lexlab.workbench.io import ParseError, check_on_error

MANIFEST = "manifest.json"
LATEST = "LATEST"
SCHEMA_VERSION = 1

_KEYS = {"decisions": ("case_id",), "statutes": ("law", "article_no"), "interpretations": ("doc_id",),
         "general": ("source", "doc_id")}
_LIST_COLUMNS = {"decisions": ("ref_articles", "lower_case_ids", "source_paths"), "statutes": ("paragraphs",),
                 "interpretations": ("related_laws",), "general": ()}


def _schema(table: str):
    import pyarrow as pa

    s, b, ls = pa.string(), pa.bool_(), pa.list_(pa.string())
    cols = {
        "decisions": [("case_id", s), ("title", s), ("court", s), ("case_type", s), ("decision_type", s),
                      ("date", s), ("ref_articles_raw", s), ("ref_cases_raw", s), ("ref_articles", ls),
                      ("holdings", s), ("summary", s), ("order", s), ("reasoning", s), ("facts", s),
                      ("applied_law_text", s), ("lower_case_ids", ls), ("source_paths", ls), ("folder", s)],
        "statutes": [("law", s), ("article", s), ("article_no", s), ("title", s), ("text", s),
                     ("paragraphs", ls), ("deleted", b), ("law_kind", s), ("source_path", s)],
        "interpretations": [("doc_id", s), ("title", s), ("question", s), ("answer", s), ("reason", s),
                            ("related_laws", ls), ("source_path", s)],
        "general": [("doc_id", s), ("title", s), ("text", s), ("source", s), ("source_path", s)],
    }[table]
    return pa.schema(cols)


class Manifest(dict):
    """manifest.json as a dict, plus ``path`` (the snapshot directory it describes)."""

    path: Path

    @property
    def version(self) -> str:
        return self["version"]


@dataclass
class Snapshot:
    """The four tables as DataFrames (list columns as Python lists) and the manifest."""

    path: Path
    manifest: dict
    decisions: Any = None
    statutes: Any = None
    interpretations: Any = None
    general: Any = None
    tables: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.manifest.get("version", self.path.name)

    def __getitem__(self, table: str):
        return self.tables[table]


def package_versions() -> dict[str, str]:
    """Installed versions of the data distributions (``None`` for one that is not installed)."""
    from importlib import metadata

    out: dict[str, str] = {}
    for dist in DISTRIBUTIONS + ("card-legal-data-press-fss",):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            if dist != "card-legal-data-press-fss":
                out[dist] = None
    return out


def _package_roots() -> list[str]:
    try:
        import importlib

        pkg = importlib.import_module(DATA_PACKAGE)
        return [str(Path(p).resolve()) for p in getattr(pkg, "__path__", [])]
    except ImportError:
        return []


def _portable(path: str, roots: list[str]) -> str:
    """A package file as "card_legal_data/<rel>", so snapshots (and their hashes) do not depend on the venv."""
    try:
        resolved = str(Path(path).resolve())
    except OSError:
        return path
    for root in roots:
        if resolved.startswith(root + os.sep):
            return f"{DATA_PACKAGE}/" + Path(resolved).relative_to(root).as_posix()
    return path


def _portable_paths(row: dict, roots: list[str] | None = None) -> dict:
    roots = _package_roots() if roots is None else roots
    if "source_paths" in row:
        row["source_paths"] = [_portable(p, roots) for p in row["source_paths"]]
    if "source_path" in row:
        row["source_path"] = _portable(row["source_path"], roots)
    return row


def _rows_hash(rows: list[dict], columns: list[str]) -> str:
    """sha256 of the table's rows as canonical JSON: independent of parquet writer version and metadata."""
    h = hashlib.sha256()
    for row in rows:
        h.update(json.dumps([row[c] for c in columns], ensure_ascii=False, separators=(",", ":")).encode())
        h.update(b"\n")
    return h.hexdigest()


def build_snapshot(out_dir: str | Path | None = None, sources: list[Source] | None = None, *,
                   on_error: str = "skip", version: str | None = None, name: str | None = None,
                   include_general: bool = True, extra_jsonl: str | Path | list | None = None,
                   max_decisions: int | None = None, max_statute_files: int | None = None,
                   max_interpretations: int | None = None, max_general: int | None = None,
                   set_latest: bool = True, progress: bool = True) -> Manifest:
    """Parse ``sources`` (default: the Korean packages) into ``<out_dir>/<version>/`` and return its manifest.

    ``out_dir`` is the snapshot root (default ``work/snapshot``). The version (``version`` or its alias
    ``name``) defaults to one derived from the content hashes, so rebuilding unchanged data lands on the
    existing snapshot instead of a copy; an explicit version that exists with other content is refused
    (snapshots are immutable). ``include_general`` adds the FSC/PIPC press releases, ``extra_jsonl`` a user's
    JSONL file(s) of ``{"id", "text"}`` as further general text. ``on_error="skip"`` records each bad file in
    the manifest's ``skipped`` list and carries on; ``"raise"`` stops at the first ``ParseError``. The ``max_*``
    caps bound the work for quick runs (per source; decisions are capped before de-duplication).
    """
    check_on_error(on_error)
    t0 = time.perf_counter()
    root = Path(out_dir) if out_dir is not None else paths.work_dir("snapshot")
    created = datetime.now(timezone.utc)
    version = version or name
    if version:
        _check_new_version(root, version)
    missing: list[dict] = []
    sources = _all_sources(sources, include_general, extra_jsonl, missing)
    caps = {"decisions": max_decisions, "statutes": max_statute_files, "interpretations": max_interpretations,
            "general": max_general}
    records, skipped, by_source = _load_sources(sources, on_error, caps, progress)
    skipped.extend(_dedupe(records, on_error))
    hashes = {t: _rows_hash(records[t], _schema(t).names) for t in TABLES}
    if not version:
        version = _content_version(hashes)
        existing = _existing_snapshot(root, version, hashes)
        if existing is not None:  # the same content was built before: reuse it, only move the pointer
            return _publish(root, existing, set_latest)
    staging = _write_tables(root, version, records)
    manifest = Manifest({
        "schema": SCHEMA_VERSION,
        "version": version,
        "created": created.isoformat(timespec="seconds"),
        "counts": {t: len(records[t]) for t in TABLES},
        "by_type": _by_type(records),
        "by_source": by_source,
        "hashes": hashes,
        "packages": package_versions(),
        "options": {"on_error": on_error, "max_decisions": max_decisions, "max_statute_files": max_statute_files,
                    "max_interpretations": max_interpretations, "max_general": max_general,
                    "include_general": include_general,
                    "extra_jsonl": [str(p) for p in _as_list(extra_jsonl)],
                    "sources": [repr(s) for s in sources]},
        "skipped": skipped,
        "missing_sources": missing,
        "build_seconds": round(time.perf_counter() - t0, 2),
    })
    return _publish(root, _commit(staging, root / version, manifest), set_latest)


def _check_new_version(root: Path, version: str) -> None:
    """An explicit version must be a plain name that is not taken yet (snapshots are immutable)."""
    _check_version_name(version)
    if (root / version).exists() and any((root / version).iterdir()):
        raise FileExistsError(f"snapshot {root / version} already exists; snapshots are immutable, "
                              "pick another version")


def _as_list(extra_jsonl: str | Path | list | None) -> list:
    return [extra_jsonl] if isinstance(extra_jsonl, (str, Path)) else list(extra_jsonl or [])


def _all_sources(sources: list[Source] | None, include_general: bool, extra_jsonl: str | Path | list | None,
                 missing: list[dict]) -> list[Source]:
    """The given sources (default: the packages, absent ones appended to ``missing``) plus the extra JSONL."""
    if sources is None:
        sources = default_sources(press=include_general, missing=missing)
    sources = list(sources)
    if extra_jsonl:
        sources += [JsonlSource(path) for path in _as_list(extra_jsonl)]
    return sources


def _load_sources(sources: list[Source], on_error: str, caps: dict[str, int | None],
                  progress: bool) -> tuple[dict[str, list[dict]], list[dict], dict[str, dict]]:
    """(portable rows per table, skipped inputs tagged with their source, per-source counts and timings)."""
    records: dict[str, list[dict]] = {t: [] for t in TABLES}
    skipped: list[dict] = []
    by_source: dict[str, dict] = {}
    # Statutes first: their law names extend the gazetteer used to read citations out of decisions' prose.
    law_names: list[str] = []
    for src in sorted(sources, key=lambda s: {"statutes": 0}.get(s.table, 1)):
        errors: list[dict] = []
        kwargs = dict(on_error=on_error, errors=errors, max_items=caps.get(src.table), progress=progress)
        if isinstance(src, DecisionsSource):
            kwargs["known_laws"] = law_names
        started = time.perf_counter()
        roots = _package_roots()
        rows = [_portable_paths(r.to_row(), roots) for r in src.load(**kwargs)]
        if src.table == "statutes":
            law_names.extend({r["law"] for r in rows})
        for e in errors:
            e.setdefault("source", src.name)
        skipped.extend(errors)
        records[src.table].extend(rows)
        by_source[src.name] = {"table": src.table, "files": len(src.files()), "records": len(rows),
                               "skipped": len(errors), "seconds": round(time.perf_counter() - started, 2)}
    return records, skipped, by_source


def _dedupe(records: dict[str, list[dict]], on_error: str) -> list[dict]:
    """One row per key across sources, sorted by key, in place: the first source wins; the later duplicates
    are returned as skipped entries (or raised)."""
    skipped: list[dict] = []
    for table, rows in records.items():
        keys = _KEYS[table]
        seen: set = set()
        kept = []
        for row in rows:
            k = tuple(row[c] for c in keys)
            if k not in seen:
                seen.add(k)
                kept.append(row)
                continue
            err = _duplicate_error(table, row, k)
            if on_error == "raise":
                raise ParseError(err["path"], err["field"], err["error"])
            skipped.append(err)
        kept.sort(key=lambda r: tuple(str(r[c]) for c in keys))
        records[table] = kept
    return skipped


def _duplicate_error(table: str, row: dict, key: tuple) -> dict:
    path = ((row.get("source_paths") or [row.get("source_path", "")])[0] if table == "decisions"
            else row.get("source_path", ""))
    return {"path": path, "field": "/".join(_KEYS[table]),
            "error": f"duplicate {table} key {key!r} (kept the first)", "source": row.get("source", table)}


def _content_version(hashes: dict[str, str]) -> str:
    return "snap-" + hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()[:12]


def _existing_snapshot(root: Path, version: str, hashes: dict[str, str]) -> Manifest | None:
    """The manifest of ``root/version`` when that snapshot was built from the same content, None when absent."""
    path = root / version / MANIFEST
    if not path.exists():
        return None
    manifest = Manifest(json.loads(path.read_text(encoding="utf-8")))
    if manifest.get("hashes") != hashes:
        raise FileExistsError(f"{root / version} holds other content than its name says; remove it")
    return manifest


def _write_tables(root: Path, version: str, records: dict[str, list[dict]]) -> Path:
    """One zstd parquet file per table in a staging directory next to the final one; returns the staging dir."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    staging = root / f".tmp-{version}-{os.getpid()}"
    staging.mkdir(parents=True, exist_ok=True)
    try:
        for table in TABLES:
            schema = _schema(table)
            rows = [{c: r.get(c) for c in schema.names} for r in records[table]]
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), staging / f"{table}.parquet",
                           compression="zstd")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _commit(staging: Path, target: Path, manifest: Manifest) -> Manifest:
    """Write the manifest and rename staging to target in one step, so a reader never sees a half-written
    snapshot. When another process published the same version first (two stage-01 runs at once), its snapshot
    is reused if it holds the same content; staging is removed either way. Returns the manifest published."""
    try:
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        with contextlib.suppress(OSError):
            target.rmdir()  # only an empty directory (left by someone else) goes
        try:
            staging.rename(target)  # atomic; fails when target exists and is not empty
            return manifest
        except OSError:
            if not (target / MANIFEST).exists():
                raise
        winner = _existing_snapshot(target.parent, target.name, manifest["hashes"])
        if winner is None:
            raise FileExistsError(f"{target} appeared while building and has no manifest; remove it")
        return winner
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish(root: Path, manifest: Manifest, set_latest: bool) -> Manifest:
    """Point LATEST at the snapshot (when asked) and return its manifest with ``path`` set."""
    if set_latest:
        _write_latest(root, manifest.version)
    manifest.path = root / manifest.version
    return manifest


def _write_latest(root: Path, version: str) -> None:
    tmp = root / f"{LATEST}.tmp-{os.getpid()}"
    tmp.write_text(version + "\n", encoding="utf-8")
    tmp.replace(root / LATEST)


def _check_version_name(version: str) -> None:
    if not version or "/" in version or "\\" in version or version.startswith(".") or version == LATEST:
        raise ValueError(f"bad snapshot version name {version!r}: use a plain directory name")


def _by_type(records: dict[str, list[dict]]) -> dict:
    from collections import Counter

    dec = records["decisions"]
    return {
        "decisions": {
            "case_type": dict(Counter(r["case_type"] for r in dec).most_common()),
            "with_facts": sum(bool(r["facts"]) for r in dec),
            "with_summary_and_reasoning": sum(bool(r["summary"]) and bool(r["reasoning"]) for r in dec),
            "with_ref_articles": sum(bool(r["ref_articles"]) for r in dec),
            "with_applied_law_text": sum(bool(r["applied_law_text"]) for r in dec),
            "with_lower_case_ids": sum(bool(r["lower_case_ids"]) for r in dec),
            "criminal_with_facts": sum(bool(r["facts"]) and r["case_type"] == "형사" for r in dec),
            "in_several_folders": sum(len(r["source_paths"]) > 1 for r in dec),
        },
        "statutes": {
            "law_kind": dict(Counter(r["law_kind"] for r in records["statutes"]).most_common()),
            "laws": len({r["law"] for r in records["statutes"]}),
            "deleted": sum(bool(r["deleted"]) for r in records["statutes"]),
            # a heading with no body in the source (not marked 삭제): kept, but QA builders should skip it
            "empty_text": sum(not r["text"].strip() for r in records["statutes"]),
        },
        "interpretations": {"with_reason": sum(bool(r["reason"]) for r in records["interpretations"])},
        "general": {"source": dict(Counter(r["source"] for r in records["general"]).most_common()),
                    "characters": sum(len(r["text"]) for r in records["general"])},
    }


def resolve(path: str | Path | None = None) -> Path:
    """A snapshot directory: ``None``, "" or "latest" follows LATEST under the work root; a name is looked up
    there; a directory is itself (a snapshot root follows its own LATEST)."""
    if path is None or str(path) in ("", "latest"):
        return paths.snapshot_dir("latest")
    p = Path(path)
    if (p / LATEST).exists() and not (p / MANIFEST).exists():  # a snapshot root: follow its pointer
        return paths.snapshot_dir("latest", root=p)
    if not p.is_absolute() and not p.exists():
        return paths.snapshot_dir(str(p))
    return p


class SnapshotDamaged(ValueError):
    """A snapshot table whose rows are not those its manifest hashes: edited or damaged since it was built."""


def _check_version(mpath: Path, manifest: dict[str, Any]) -> None:
    """A content-named version (``snap-<digest>``) is the digest of the manifest's table hashes."""
    version, hashes = str(manifest.get("version", "")), manifest.get("hashes")
    if version.startswith("snap-") and hashes and version != _content_version(hashes):
        raise SnapshotDamaged(f"{mpath}: its table hashes do not give its version {version}; the manifest was "
                              "edited. Rebuild the snapshot: lexlab run experiments/01_prepare_corpus.yaml")


def verify_table(f: Path, table: str, expected: str | None) -> None:
    """``f``'s rows hash to ``expected`` (the manifest's), else `SnapshotDamaged`. The row hash is computed once
    per file content: a marker under ``work/cache/snapshot-verified`` keyed by the file's sha256 says it matched."""
    if not expected:
        return
    import pyarrow.parquet as pq

    marker = Path(os.environ.get("LEXLAB_WORK", paths.WORK)) / "cache" / "snapshot-verified" / (
        f"{inputs.sha256_file(f)}-{expected[:16]}")
    if marker.exists():
        return
    if _rows_hash(pq.read_table(f).to_pylist(), _schema(table).names) != expected:
        raise SnapshotDamaged(f"{f}: its rows do not match the hash in the snapshot's manifest; the file was edited "
                              "or damaged since it was built. Rebuild the snapshot: lexlab run "
                              "experiments/01_prepare_corpus.yaml")
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass  # a read-only work dir: verified again next time


def load_snapshot(path: str | Path | None = None, tables: tuple[str, ...] = TABLES) -> Snapshot:
    """Read a snapshot: ``None``, "" or "latest" (the latest), a snapshot name or a path (see ``resolve``).
    Checks each table's row count against the manifest."""
    import pandas as pd

    snap_dir = resolve(path)
    mpath = snap_dir / MANIFEST
    if not mpath.exists():
        raise FileNotFoundError(f"{snap_dir} is not a snapshot: {MANIFEST} is missing")
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    _check_version(mpath, manifest)
    snap = Snapshot(path=snap_dir, manifest=manifest)
    for table in tables:
        f = snap_dir / f"{table}.parquet"
        if not f.exists():
            raise FileNotFoundError(f"{f} is missing from snapshot {snap_dir}")
        verify_table(f, table, manifest.get("hashes", {}).get(table))
        df = pd.read_parquet(f)
        for col in _LIST_COLUMNS[table]:
            df[col] = [list(v) if v is not None else [] for v in df[col]]
        expected = manifest.get("counts", {}).get(table)
        if expected is not None and expected != len(df):
            raise ValueError(f"{f}: {len(df)} rows but the manifest says {expected}; the snapshot is damaged")
        snap.tables[table] = df
        setattr(snap, table, df)
    lineage.log_snapshot_input(snap_dir, manifest, tables)
    return snap
