"""Train/dev/test assignment, decided once, here, by a stable hash of a key.

Every stage that trains, generates QA or evaluates asks this module, so no item can be trained on in one
notebook and scored in another. The hash is sha1 of the key (not Python's ``hash``, which is salted per
process), so the split of an item never changes between runs, machines or corpus versions.

Keys: statutes ``statute:{law}:{article_no}`` (or ``lawfamily:{family}`` where a whole law family must stay
together), decisions ``case:{case_id}``, interpretations
``interp:{doc_id}``, general text ``general:{doc_id}``.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

SPLITS = ("train", "dev", "test")


def _unit(key: str) -> float:
    """The key mapped to [0, 1) by the first 8 bytes of its sha1."""
    digest = hashlib.sha1(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(key: str, dev: float = 0.1, test: float = 0.1) -> str:
    """"train" | "dev" | "test" for ``key``; test takes [0, test), dev [test, test+dev), train the rest."""
    if not (0 <= dev and 0 <= test and dev + test <= 1):
        raise ValueError(f"bad split fractions dev={dev} test={test}")
    u = _unit(key)
    if u < test:
        return "test"
    if u < test + dev:
        return "dev"
    return "train"


def statute_key(law: str, article_no: str) -> str:
    return f"statute:{law}:{article_no}"


_FAMILY_SUFFIX = re.compile(r"(?:시행령|시행규칙|시행세칙)$")
_FAMILY_ROOT = re.compile(r"(?:에관한)?(?:법률|감독규정|규정|법)$")


def law_family(law: str) -> str:
    """A law and its 시행령/시행규칙 (and a 규정 with its 시행세칙, an act with its 감독규정) share one family name:
    the normalised name without those endings ("근로기준법 시행령" → "근로기준")."""
    from lexlab.data.references import normalise_law

    key = _FAMILY_SUFFIX.sub("", normalise_law(law))
    return _FAMILY_ROOT.sub("", key) or key


def law_family_key(law: str) -> str:
    """Split key of a whole law family: every article of a law, its decrees and rules lands in one split."""
    return f"lawfamily:{law_family(law)}"


def case_key(case_id: str) -> str:
    return f"case:{case_id}"


def interp_key(doc_id: str) -> str:
    return f"interp:{doc_id}"


def general_key(doc_id: str) -> str:
    return f"general:{doc_id}"


_COURT_RANK = (("대법원", 3), ("고등법원", 2), ("고법", 2), ("특허법원", 2))


def court_rank(court: str) -> int:
    """3 Supreme Court, 2 high/patent court, 1 anything else (district courts, their appellate panels)."""
    for name, rank in _COURT_RANK:
        if name in (court or ""):
            return rank
    return 1


def appeal_chains(case_ids: Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Connected components of the appeal-chain graph: case_id → sorted members of its chain."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for c in case_ids:
        find(c)
    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for c in list(parent):
        groups.setdefault(find(c), []).append(c)
    return {c: sorted(members) for members in groups.values() for c in members}


def decision_chains(decisions) -> dict[str, list[str]]:
    """Appeal chains of a decisions table (``lower_case_ids`` links): case_id → sorted members of its chain."""
    ids = decisions["case_id"].astype(str).tolist()
    lower = decisions["lower_case_ids"] if "lower_case_ids" in decisions else [[] for _ in ids]
    links = [(cid, str(low)) for cid, lows in zip(ids, lower) for low in (list(lows) if lows is not None else [])]
    return appeal_chains(ids, links)


def case_split(decisions, dev: float = 0.1, test: float = 0.1):
    """Split of every decision such that an appeal chain (``lower_case_ids`` links) shares one split.

    The chain takes the split of its highest-court member (latest date, then case id, break ties), so a
    Supreme Court decision and the appellate judgment it reviewed never land on opposite sides. Takes the
    snapshot's decisions DataFrame (columns case_id, court, date, lower_case_ids) and returns a pandas Series
    indexed like it.
    """
    import pandas as pd

    df = decisions
    ids = df["case_id"].astype(str).tolist()
    chains = decision_chains(df)
    courts = df["court"].astype(str) if "court" in df else [""] * len(ids)
    dates = df["date"].astype(str) if "date" in df else [""] * len(ids)
    info = {cid: (court_rank(court), str(date or ""), cid) for cid, court, date in zip(ids, courts, dates)}
    head: dict[str, str] = {}
    for cid in ids:
        members = [m for m in chains[cid] if m in info]
        head[cid] = max(members, key=lambda m: info[m])
    return pd.Series([split_of(case_key(head[c]), dev, test) for c in ids], index=df.index, name="split")


def add_split_column(df, kind: str, dev: float = 0.1, test: float = 0.1):
    """Return ``df`` with a ``split`` column for a snapshot table ("decisions", "statutes", ...)."""
    df = df.copy()
    if kind == "decisions":
        df["split"] = case_split(df, dev, test)
    elif kind == "statutes":
        df["split"] = [split_of(statute_key(l, a), dev, test) for l, a in zip(df["law"], df["article_no"])]
    elif kind == "interpretations":
        df["split"] = [split_of(interp_key(d), dev, test) for d in df["doc_id"]]
    elif kind == "general":
        df["split"] = [split_of(general_key(d), dev, test) for d in df["doc_id"]]
    else:
        raise ValueError(f"unknown table {kind!r}")
    return df
