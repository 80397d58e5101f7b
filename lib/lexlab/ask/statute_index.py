"""The article-level statute index ``lexlab ask`` answers from: every in-force article of the snapshot.

One row per article (``law``, ``article`` "제N조의M", ``article_no``, ``title``, ``text``, ``paragraphs``), deleted
articles left out, each with a stable ``doc_id`` "<law>|<article_no>". The rows come from the latest snapshot
(``lexlab.data.snapshot``) when stage 01 has built one, else straight from the installed statute package, so
``lexlab ask`` works on a fresh clone. They are written once under ``work/ask/<source>/articles.parquet`` and
reused; ``source`` names the snapshot version and a digest of its statutes (or the package version), so a new
snapshot, or another one with the same version name, gets a new index.

``exists`` / ``in_force`` answer from the *full* table (deleted articles included), which is how a citation is
verified: an article the snapshot does not hold, or holds as deleted, can never become a citation.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from lexlab.workbench import paths

COLUMNS = ("law", "article", "article_no", "title", "text", "paragraphs", "deleted")


def doc_id(law: str, article_no: str) -> str:
    return f"{law}|{article_no}"


def norm_law(name: str) -> str:
    return re.sub(r"[\s「」『』]", "", str(name or ""))


def norm_article(article: str) -> str:
    """'제347조의2' / '347의2' / '제 347 조의 2' → '347의2' (the contract's ``article_no``)."""
    s = re.sub(r"\s", "", str(article or ""))
    m = re.fullmatch(r"제?(\d+(?:-\d+)?)조?(?:의(\d+))?", s)
    return (m.group(1) + (f"의{m.group(2)}" if m.group(2) else "")) if m else s


@dataclass
class StatuteIndex:
    """In-force articles (``articles``, indexed by ``doc_id``) plus the keys of every article, deleted or not."""

    articles: pd.DataFrame
    source: str
    deleted_keys: set = field(default_factory=set)
    snapshot_path: str = ""          # the snapshot the rows come from ("" for the package or hand-written rows)

    def __post_init__(self):
        missing = set(COLUMNS) - set(self.articles.columns)
        if missing:
            raise ValueError(f"statute index {self.source}: missing column(s) {sorted(missing)}")
        live = self.articles[~self.articles["deleted"].astype(bool)]
        self.deleted_keys = self.deleted_keys | {
            (norm_law(r.law), norm_article(r.article_no)) for r in self.articles[self.articles["deleted"]].itertuples()}
        self.articles = live.assign(doc_id=[doc_id(a, n) for a, n in zip(live["law"], live["article_no"])]
                                    ).set_index("doc_id", drop=False)
        self._keys = {(norm_law(a), norm_article(n)): d
                      for a, n, d in zip(self.articles["law"], self.articles["article_no"], self.articles["doc_id"])}
        self.laws = sorted(set(self.articles["law"]))

    def __len__(self) -> int:
        return len(self.articles)

    def lookup(self, law: str, article: str) -> str | None:
        """The ``doc_id`` of an in-force article, or None (unknown, or deleted)."""
        return self._keys.get((norm_law(law), norm_article(article)))

    def in_force(self, law: str, article: str) -> bool:
        return self.lookup(law, article) is not None

    def is_deleted(self, law: str, article: str) -> bool:
        return (norm_law(law), norm_article(article)) in self.deleted_keys

    def row(self, did: str) -> dict:
        return self.articles.loc[did].to_dict()

    def without_laws(self, laws: Iterable[str]) -> "StatuteIndex":
        """A copy without whole laws (the evaluation's held-out laws). Their articles no longer 'exist' here."""
        drop = {norm_law(x) for x in laws}
        keep = self.articles[[norm_law(x) not in drop for x in self.articles["law"]]]
        return StatuteIndex(keep.drop(columns="doc_id").reset_index(drop=True).assign(deleted=False),
                            f"{self.source}-minus{_digest(sorted(drop))}",
                            {k for k in self.deleted_keys if k[0] not in drop}, self.snapshot_path)

    def corpus(self, title_weight: int = 1, law_weight: int = 1) -> list[dict]:
        """Retriever input: ``{"id", "text"}`` with the law name and title repeated ``*_weight`` times."""
        out = []
        for r in self.articles.itertuples():
            title = str(r.title or "")
            head = " ".join([str(r.law)] * law_weight + [str(r.article)] + [title] * title_weight)
            out.append({"id": r.doc_id, "text": f"{head}\n{r.text}"})
        return out


def _digest(value) -> str:
    return hashlib.sha1(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:10]


def _from_snapshot(snapshot: str | Path | None) -> tuple[pd.DataFrame, str, str] | None:
    from lexlab.data.snapshot import load_snapshot

    try:
        snap = load_snapshot(snapshot, tables=("statutes",))
    except FileNotFoundError:
        if snapshot not in (None, "", "latest"):
            raise
        return None
    # keyed by content: another snapshot with the same version name must not get this one's cached index
    content = _digest(snap.manifest.get("hashes", {}).get("statutes") or snap.manifest)
    return snap.statutes, f"snapshot-{snap.manifest.get('version', snap.path.name)}-{content}", str(snap.path)


def _from_package(progress: bool) -> tuple[pd.DataFrame, str, str]:
    from lexlab.data.snapshot import package_versions
    from lexlab.data.sources import StatutesSource

    key = "package-" + _digest(package_versions())
    if (paths.work_dir("ask", key) / "articles.parquet").exists():
        return pd.DataFrame(columns=list(COLUMNS)), key, ""  # already written: load_statute_index reads it
    return pd.DataFrame([a.to_row() for a in StatutesSource().load(progress=progress)]), key, ""


def load_statute_index(snapshot: str | Path | None = None, progress: bool = True) -> StatuteIndex:
    """The index for ``snapshot`` (default: the latest, else the installed statute package), built once."""
    found = _from_snapshot(snapshot)
    df, source, snap_path = found if found is not None else _from_package(progress)
    out = paths.work_dir("ask", source) / "articles.parquet"
    if not out.exists():
        df = df[list(COLUMNS)].copy()
        df["paragraphs"] = [list(p) if p is not None else [] for p in df["paragraphs"]]
        _atomic_parquet(df, out)
    else:
        df = pd.read_parquet(out)
        df["paragraphs"] = [list(p) if p is not None else [] for p in df["paragraphs"]]
    return StatuteIndex(df.reset_index(drop=True), source, snapshot_path=snap_path)


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".tmp.parquet")
    df.to_parquet(tmp, index=False)
    tmp.replace(path)


def from_rows(rows: Sequence[dict], source: str = "rows") -> StatuteIndex:
    """An index from hand-written rows (tests, users' own statute tables); missing optional fields filled."""
    df = pd.DataFrame(list(rows))
    for col, default in (("title", ""), ("paragraphs", None), ("deleted", False)):
        if col not in df.columns:
            df[col] = default
    df["paragraphs"] = [list(p) if isinstance(p, (list, tuple)) else [] for p in df["paragraphs"]]
    df["deleted"] = df["deleted"].fillna(False).astype(bool)
    return StatuteIndex(df.reset_index(drop=True), source)
