"""Everyday words → statute articles: the term map ``lexlab ask`` routes lay questions with.

A question in everyday language ("친구 지갑에서 몰래 돈을 꺼내 쓰면 처벌받나요?") shares few words with the article
that decides it (형법 제329조 "타인의 재물을 절취한 자는 …"): BM25 over the statutes misses it. Criminal decisions
bridge the two: their facts are told in plain narrative ("피해자의 지갑에서 현금을 꺼내어 가") and the articles they
applied are known. From every **train-split** criminal decision of the snapshot (``lexlab.data.splits.case_split``,
so questions built from dev/test decisions are never mined) we take

- the narrative: the 범죄사실 section, else the 이유, with precedent citations, case numbers, the names of the laws
  it applied, its charge words and article numbers masked (``lexlab.legalsearchlm.bench.case_text.mask_text``, the
  rule LEGAR queries are masked by), so that what is mined is the lay-ish narrative, not the answer's name;
- the labels: its substantive applied articles (``lexlab.legalsearchlm.bench.provisions``: 참조조문, else the
  해당법조 of 법령의 적용; procedure law and 형법's general part left out) that are in-force articles of the index;

and count term–article co-occurrences with their supporting decisions (``lexlab.data.term_map``). The map is saved
under ``work/ask/<index source>/lay-map-<fingerprint>.parquet`` (+ ``.json`` with its size and provenance); the
fingerprint digests the snapshot's decisions hash, the index and the mining options, so a new snapshot gets a new
map. ``LayRouter.rank`` turns a question into a ranking of articles (``TermMap.score``).
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd

from lexlab.ask.statute_index import StatuteIndex
from lexlab.data import term_map as tm
from lexlab.data.text import clean_markup
from lexlab.workbench import paths

MAP_VERSION = 1          # bump when the mining rules change (old maps are then not reused)
NARRATIVE_CHARS = 1500   # the head of a narrative that is mined (the facts come first; dev: 1500 > 3000 > 6000)


def applied_articles(row: Mapping[str, Any], known: set[str] | None = None) -> list[str]:
    """A decision's substantive applied article keys ("형법 제329조")."""
    from lexlab.legalsearchlm.bench.provisions import decision_articles, substantive_articles

    return substantive_articles(decision_articles(row, known))


def decision_gold(row: Mapping[str, Any], index: StatuteIndex, known: set[str] | None = None) -> list[str]:
    """doc_ids of a decision's substantive applied articles that are in-force articles of ``index``."""
    out = []
    for key in applied_articles(row, known):
        law, _, number = key.rpartition(" ")
        did = index.lookup(law, number)
        if did and did not in out:
            out.append(did)
    return out


def narrative(row: Mapping[str, Any], articles: Iterable[str] = ()) -> str:
    """The decision's facts (else its 이유), masked of citations, case numbers, law names, charges and article
    numbers. ``articles``: its applied article keys ("형법 제329조"), whose law names are masked too."""
    from lexlab.legalsearchlm.bench.case_text import leak_terms, mask_text

    text = clean_markup(str(row.get("facts") or ""), html=True) or clean_markup(str(row.get("reasoning") or ""),
                                                                                 html=True)
    laws, words = leak_terms(row, list(articles))
    return mask_text(text[:NARRATIVE_CHARS], laws, words, [str(row.get("case_id") or "")])


def criminal_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    """The criminal decisions with their split (appeal chains kept in one split)."""
    from lexlab.data.splits import add_split_column

    crim = decisions[decisions["case_type"].astype(str).str.strip() == "형사"]
    return add_split_column(crim.reset_index(drop=True), "decisions")


def mining_records(decisions: pd.DataFrame, index: StatuteIndex) -> list[tuple[str, str, list[str]]]:
    """(case_id, masked narrative, gold doc_ids) of the train-split criminal decisions with a gold article."""
    from lexlab.legalsearchlm.bench.provisions import known_laws

    crim = criminal_decisions(decisions)
    known = known_laws(crim)
    out = []
    for row in crim[crim["split"] == "train"].to_dict("records"):
        gold = decision_gold(row, index, known)
        if gold:
            out.append((str(row["case_id"]), narrative(row, applied_articles(row, known)), gold))
    return out


@dataclass
class LayRouter:
    """Ranks an index's articles for a question by the term map (labels not in the index are skipped)."""

    map: tm.TermMap
    index: StatuteIndex
    smoothing: float = 3.0

    def rank(self, question: str, k: int = 50) -> list[tuple[str, float]]:
        ranked = [(d, s) for d, s in self.map.score(question, self.smoothing) if d in self.index.articles.index]
        return ranked[:k]


def _map_key(index: StatuteIndex, tokenizer: str, min_support: int) -> str:
    """Digest of what the map is mined from: the snapshot's decisions (their hash), the index, the options."""
    from lexlab.data.snapshot import load_snapshot

    manifest = load_snapshot(index.snapshot_path, tables=()).manifest
    blob = {"decisions": manifest.get("hashes", {}).get("decisions", index.snapshot_path), "index": index.source,
            "tokenizer": tokenizer, "min_support": min_support, "version": MAP_VERSION, "chars": NARRATIVE_CHARS}
    return hashlib.sha1(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:12]


def load_term_map(index: StatuteIndex, tokenizer: str = "", min_support: int = 2,
                  progress: bool = True) -> tm.TermMap | None:
    """The lay term map of ``index``'s snapshot (mined once against the snapshot's full statute index, then read
    from ``work/ask``); None for an index without a snapshot (the statute package alone has no decisions)."""
    from lexlab.ask.statute_index import load_statute_index

    if not index.snapshot_path:
        return None
    full = load_statute_index(index.snapshot_path, progress=False)  # a reduced evaluation index shares its map
    tokenizer = tokenizer or ("kiwi" if tm.has_kiwi() else "char2")
    path = paths.work_dir("ask", full.source) / f"lay-map-{_map_key(full, tokenizer, min_support)}.parquet"
    if path.exists():
        return tm.TermMap.load(path)
    from filelock import FileLock

    with FileLock(str(path) + ".lock"):
        if path.exists():
            return tm.TermMap.load(path)
        return _mine_and_save(full, tokenizer, min_support, path, progress)


def _mine_and_save(index: StatuteIndex, tokenizer: str, min_support: int, path, progress: bool) -> tm.TermMap:
    from lexlab.data.snapshot import load_snapshot

    if progress:
        print(f"mining the lay term map from the snapshot's train decisions (once; saved to {path})",
              file=sys.stderr, flush=True)
    try:
        decisions = load_snapshot(index.snapshot_path, tables=("decisions",)).decisions
    except FileNotFoundError:  # a snapshot without a decisions table: nothing to mine, an empty map
        decisions = pd.DataFrame(columns=["case_id", "case_type"])
    records = mining_records(decisions, index)
    mined = tm.mine(records, tokenizer, min_support, progress=progress)
    mined.save(path, {"snapshot": index.snapshot_path, "index": index.source, "n_decisions": len(records),
                      "fingerprint": tm.fingerprint(records, tokenizer=tokenizer, min_support=min_support),
                      "split": "train", "version": MAP_VERSION})
    return mined
