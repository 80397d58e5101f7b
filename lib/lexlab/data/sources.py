"""Where text comes from: the installed Korean data packages and users' own JSONL, behind one ``Source``.

A snapshot is built from a list of sources; each source knows which snapshot table it feeds and yields typed
records. The Korean packages are found through the import system (never a hard-coded site-packages path) so
the same code works in a venv, a conda env or a Docker image. A user's corpus is JSONL, one object per line
with at least ``id`` and ``text``, read by ``lexlab.workbench.io.iter_jsonl``.

General text is the FSC and PIPC press releases (what they are and are not: ``lexlab.data.general_text``).
Press material from FSS and KISA (not state bodies) and the associations' self-regulations (kfb, crefia) is
protected and is refused here.
"""
from __future__ import annotations

import dataclasses
import importlib
import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lexlab.data.records import Decision, GeneralDoc, Interpretation, StatuteArticle, read_json_object
from lexlab.workbench.io import ParseError, check_on_error, iter_jsonl, parse_each

DATA_PACKAGE = "card_legal_data"
DISTRIBUTIONS = ("card-legal-data", "card-legal-data-precedents", "card-legal-data-press")
# Folders of the package that are state-body works or unprotected (Korean Copyright Act arts. 7 and 24-2).
PRESS_FOLDERS = {"fsc_press": "fsc/press_releases", "pipc_press": "pipc/press_releases"}
PROTECTED = ("kisa", "fss", "kfb", "crefia")
TABLES = ("decisions", "statutes", "interpretations", "general")


def package_path(subpath: str = "") -> Path:
    """A folder inside the installed data package, located via importlib (works for namespace packages)."""
    try:
        pkg = importlib.import_module(DATA_PACKAGE)
    except ImportError as e:
        raise FileNotFoundError(
            f"the data package {DATA_PACKAGE!r} is not installed; `pip install "
            + " ".join(DISTRIBUTIONS) + "`") from e
    roots = [Path(p) for p in getattr(pkg, "__path__", [])] or [Path(pkg.__file__).parent]
    for root in roots:
        candidate = root / subpath
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{subpath!r} not found in {DATA_PACKAGE} at {', '.join(map(str, roots))}; "
                            f"is the distribution that ships it installed ({', '.join(DISTRIBUTIONS)})?")


# ----------------------------------------------------------------------------------------- press releases

_NOISE_LINE = re.compile(
    r"^(?:제목:.*|\*?\s*자세한 내용은 첨부파일을 참고.*|첨부파일(?:\s*\(\d+\))?|첨부파일 목록|파일다운로드|목록으로|"
    r"\(?\s*[\d.,]+\s*(?:KB|MB|kb|mb|bytes?)\s*\)?|.*\.(?:hwp|hwpx|pdf|docx?|xlsx?|zip)\]?|\[첨부:.*\])$")
_JUNK_CHARS = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u0080-\u009f\ue000-\uf8ff\U000f0000-\U0010ffff]")


def clean_press_text(text: str) -> str:
    """Body prose of a press release: crawler boilerplate, file names and garbled table-of-contents gone."""
    text = _JUNK_CHARS.sub(" ", (text or "").replace("\r", ""))
    out: list[str] = []
    for raw in text.split("\n"):
        line = re.sub(r"[ \t\u00a0\u3000]+", " ", raw).strip()
        if not line or _NOISE_LINE.match(line):
            if out and out[-1]:
                out.append("")
            continue
        if re.fullmatch(r"[\W\d_]{1,6}", line):  # stray page numbers, bullets, lone punctuation
            continue
        out.append(line)
    return "\n".join(out).strip()


def parse_press_release(path: str | Path, source: str) -> GeneralDoc:
    path = Path(path)
    spath = str(path)
    data = read_json_object(path)
    doc_id = str(data.get("doc_id") or "").strip()
    if not doc_id:
        raise ParseError(spath, "doc_id", "missing or empty")
    if not isinstance(data.get("text"), str):
        raise ParseError(spath, "text", "missing or not a string")
    text = clean_press_text(data["text"])
    if len(text) < 20:
        raise ParseError(spath, "text", f"no body text after removing boilerplate ({len(text)} characters)")
    return GeneralDoc(doc_id=doc_id, title=str(data.get("title") or "").strip(), text=text, source=source,
                      source_path=spath)


# --------------------------------------------------------------------------------------------------- sources

class Source:
    """A named supplier of records for one snapshot table.

    Subclasses implement ``_items()`` (what to read) and ``_parse(item)`` (one record or a list). ``load``
    applies the shared skip-or-raise policy and the size cap, so every source reports bad input the same way.
    """

    name: str = "source"
    table: str = "general"

    def files(self) -> list[Path]:
        """Input files, for the manifest and content hashes."""
        return []

    def _items(self) -> Iterable[Any]:
        raise NotImplementedError

    def _parse(self, item: Any) -> Any:
        raise NotImplementedError

    def load(self, *, on_error: str = "skip", errors: list | None = None, max_items: int | None = None,
             progress: bool = True) -> list:
        from lexlab.workbench.progress import step_bar as tqdm

        check_on_error(on_error)
        items = list(self._items())
        if max_items:
            items = items[:max_items]
        out: list = []
        items = tqdm(items, desc=self.name, disable=not progress)
        for _, rec in parse_each(items, self._parse, on_error, errors):
            out.extend(rec if isinstance(rec, list) else [rec])
        return out

    def describe(self) -> dict:
        return {"name": self.name, "table": self.table, "files": len(self.files())}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, table={self.table!r})"


class _FolderSource(Source):
    pattern = "*.md"

    def __init__(self, root: str | Path | None = None, name: str | None = None):
        self.root = Path(root) if root is not None else package_path(self.default_subpath)
        if not self.root.exists():
            raise FileNotFoundError(f"{self.name}: {self.root} does not exist")
        if name:
            self.name = name

    default_subpath = ""

    def files(self) -> list[Path]:
        return sorted(self.root.rglob(self.pattern))

    def _items(self) -> Iterable[Any]:
        return self.files()


class DecisionsSource(_FolderSource):
    """Court decisions (card-legal-data-precedents). Dedupe and appeal-chain links happen in ``load``."""

    name, table, default_subpath = "precedents", "decisions", "precedents"

    def load(self, *, on_error: str = "skip", errors: list | None = None, max_items: int | None = None,
             progress: bool = True, known_laws: Iterable[str] = ()) -> list[Decision]:
        from lexlab.data.decisions import load_decisions

        return load_decisions(self.root, on_error=on_error, errors=errors, max_files=max_items,
                              progress=progress, known_laws=known_laws)


class StatutesSource(_FolderSource):
    name, table, default_subpath = "law_api", "statutes", "law_api"

    def load(self, *, on_error: str = "skip", errors: list | None = None, max_items: int | None = None,
             progress: bool = True) -> list[StatuteArticle]:
        from lexlab.data.statutes import load_statutes

        return load_statutes(self.root, on_error=on_error, errors=errors, max_files=max_items, progress=progress)


class InterpretationsSource(_FolderSource):
    name, table, pattern = "fsc_interpretations", "interpretations", "*.json"
    default_subpath = "fsc/law_interpretations"

    def load(self, *, on_error: str = "skip", errors: list | None = None, max_items: int | None = None,
             progress: bool = True) -> list[Interpretation]:
        from lexlab.data.interpretations import load_interpretations

        return load_interpretations(self.root, on_error=on_error, errors=errors, max_files=max_items,
                                    progress=progress)


class PressSource(_FolderSource):
    """FSC or PIPC press releases as general text (see ``lexlab.data.general_text``)."""

    table, pattern = "general", "*.json"

    def __init__(self, which: str = "fsc_press", root: str | Path | None = None):
        if which not in PRESS_FOLDERS:
            raise ValueError(f"unknown press source {which!r}; choose from {sorted(PRESS_FOLDERS)} "
                             f"({', '.join(PROTECTED)} are protected works and are not loaded)")
        self.name = which
        self.default_subpath = PRESS_FOLDERS[which]
        super().__init__(root)
        if any(part in PROTECTED for part in self.root.parts[-3:]):
            raise ValueError(f"{self.root}: {PROTECTED} material is protected and may not be used")

    def _parse(self, item: Path) -> GeneralDoc:
        return parse_press_release(item, self.name)


_KEY_FIELD = {"decisions": "case_id", "statutes": "article_no", "interpretations": "doc_id", "general": "doc_id"}
_RECORD = {"decisions": Decision, "statutes": StatuteArticle, "interpretations": Interpretation,
           "general": GeneralDoc}


class JsonlSource(Source):
    """A user's JSONL corpus. ``table="general"`` (default) needs ``id`` and ``text``; other tables take the
    record's own column names (``id`` fills the key column), so users can bring decisions or statutes too."""

    def __init__(self, path: str | Path, table: str = "general", name: str | None = None):
        if table not in TABLES:
            raise ValueError(f"table must be one of {TABLES}, not {table!r}")
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"JSONL source {self.path} does not exist")
        self.table = table
        self.name = name or f"jsonl:{self.path.name}"

    def files(self) -> list[Path]:
        return [self.path]

    def load(self, *, on_error: str = "skip", errors: list | None = None, max_items: int | None = None,
             progress: bool = True) -> list:
        required = ("id", "text") if self.table in ("general", "statutes") else ("id",)
        out: list = []
        bad_lines: list[dict] = []
        # Lazily: with ``max_items`` reading stops at the cap, and lines after it are never read nor reported.
        objs = iter_jsonl(self.path, required=required, on_error=on_error, errors=bad_lines)
        for _, rec in parse_each(self._in_file_order(objs, bad_lines, errors), self._record, on_error, errors):
            out.append(rec)
            if max_items and len(out) >= max_items:
                break
        if bad_lines:
            warnings.warn(f"{self.path}: skipped {len(bad_lines)} bad line(s); first: {bad_lines[0]}", stacklevel=2)
        return out

    @staticmethod
    def _in_file_order(objs: Iterable[dict], bad_lines: list[dict], errors: list | None) -> Iterable[dict]:
        """``objs``, passing the lines skipped before each object on to ``errors`` first, so that line and
        record errors are reported in file order."""
        passed = 0
        for obj in objs:
            if errors is not None:
                errors.extend(bad_lines[passed:])
            passed = len(bad_lines)
            yield obj
        if errors is not None:
            errors.extend(bad_lines[passed:])

    def _record(self, obj: dict) -> Any:
        cls = _RECORD[self.table]
        if self.table == "general":
            return GeneralDoc(doc_id=obj["id"], title=str(obj.get("title", "")), text=obj["text"],
                              source=self.name, source_path=str(self.path))
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in obj.items() if k in fields}
        kwargs[_KEY_FIELD[self.table]] = obj["id"]
        if self.table == "decisions":
            kwargs.setdefault("source_paths", [str(self.path)])
        elif "source_path" in fields:
            kwargs.setdefault("source_path", str(self.path))
        missing = [f.name for f in fields.values()
                   if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                   and f.name not in kwargs]
        if missing:
            raise ParseError(f"{self.path}", missing[0], f"record {obj['id']!r} lacks required field(s) {missing}")
        return cls(**kwargs)


def default_sources(press: bool = True, missing: list | None = None) -> list[Source]:
    """The Korean packages: decisions, statutes, FSC interpretations and (optionally) FSC/PIPC press releases.

    Press releases ship in a separate distribution; when it is absent the reason is appended to ``missing``
    (the snapshot manifest lists it) instead of failing the whole build.
    """
    sources: list[Source] = [DecisionsSource(), StatutesSource(), InterpretationsSource()]
    if press:
        for which in PRESS_FOLDERS:
            try:
                sources.append(PressSource(which))
            except FileNotFoundError as e:
                if missing is not None:
                    missing.append({"source": which, "error": str(e)})
    return sources
