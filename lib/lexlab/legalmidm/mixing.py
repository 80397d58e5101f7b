"""Legal + general data mixing, for continual pre-training (raw text) and instruction tuning (QA items).

LegalMidm mixes general data into both stages so the specialist does not forget how to write ordinary prose.
Here that is one number, ``general_fraction``: the probability that the next training example comes from the
general side. ``datasets.interleave_datasets`` draws each example from legal or general with those probabilities
and a seed, so the mixture is reproducible and the ratio holds in every stretch of the stream, not just overall.

Every example carries an ``origin`` column ("legal"/"general") so the ratio that was actually realised can be
counted afterwards (``realised_ratio``) and logged next to the one that was asked for.

The legal side lives here too: statute articles, court decisions and law interpretations from the snapshot's
``train`` split (never dev/test: those belong to evaluation), QA items written by stage 02, or a user's JSONL.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from datasets import Dataset, interleave_datasets

# The one default. Notebooks, YAML and configs pass their own value; nothing else hard-codes a ratio.
DEFAULT_GENERAL_FRACTION = 0.2

LEGAL, GENERAL = "legal", "general"
STOPPING_STRATEGIES = ("first_exhausted", "all_exhausted")


# ---------------------------------------------------------------------------------------------- mixing itself

def with_origin(ds: Dataset, origin: str) -> Dataset:
    """Tag every row with where it came from (overwrites an existing ``origin`` column)."""
    if "origin" in ds.column_names:
        ds = ds.remove_columns("origin")
    return ds.add_column("origin", [origin] * len(ds))


def mix(
    legal: Dataset,
    general: Dataset | None,
    general_fraction: float = DEFAULT_GENERAL_FRACTION,
    seed: int = 0,
    stopping_strategy: str = "first_exhausted",
) -> Dataset:
    """Interleave legal and general examples so a ``general_fraction`` share comes from general data.

    ``first_exhausted`` (default) stops when either side runs out, so no example is repeated and the realised
    ratio matches the requested one; ``all_exhausted`` keeps going, re-sampling the smaller side, which also
    keeps the ratio but repeats examples. Fractions 0 and 1 return one side alone (still tagged): there is
    nothing to interleave, and a legal-only run then needs no general data at all.
    """
    if not 0.0 <= general_fraction <= 1.0:
        raise ValueError(f"general_fraction must be in [0, 1], got {general_fraction}")
    if stopping_strategy not in STOPPING_STRATEGIES:
        raise ValueError(f"stopping_strategy must be one of {STOPPING_STRATEGIES}, got {stopping_strategy!r}")
    legal = with_origin(legal, LEGAL)
    if general_fraction == 0.0:
        return legal
    if general is None or len(general) == 0:
        raise ValueError(f"general_fraction={general_fraction} but no general data was given")
    general = with_origin(general, GENERAL)
    if general_fraction == 1.0:
        return general
    if len(legal) == 0:
        raise ValueError("no legal examples to mix")
    missing = set(legal.column_names) ^ set(general.column_names)
    if missing:
        raise ValueError(f"legal and general examples must share columns; differing: {sorted(missing)}")
    general = general.select_columns(legal.column_names).cast(legal.features)
    return interleave_datasets(
        [legal, general],
        probabilities=[1.0 - general_fraction, general_fraction],
        seed=seed,
        stopping_strategy=stopping_strategy,
    )


def realised_ratio(rows: Dataset | Iterable[Mapping[str, Any]] | Sequence[str]) -> dict[str, float]:
    """Count origins in a dataset, a batch of rows, or a list of origin labels.

    Returns ``{"n", "n_legal", "n_general", "general_fraction"}`` — the numbers to log beside the requested ratio.
    """
    if isinstance(rows, Dataset):
        origins = rows["origin"]
    elif isinstance(rows, Mapping) and "origin" in rows:  # a collated batch: {"origin": [...], ...}
        origins = rows["origin"]
    else:
        origins = [r if isinstance(r, str) else r["origin"] for r in rows]
    counts = Counter(origins)
    n = sum(counts.values())
    return {
        "n": n,
        "n_legal": counts.get(LEGAL, 0),
        "n_general": counts.get(GENERAL, 0),
        "general_fraction": counts.get(GENERAL, 0) / n if n else 0.0,
    }


# ---------------------------------------------------------------------------------------- the legal side: CPT

def legal_texts(
    snapshot,
    tables: Sequence[str] = ("statutes", "decisions", "interpretations"),
    split: str = "train",
    max_docs: int | None = None,
) -> list[dict[str, str]]:
    """Raw legal documents for CPT from a ``lexlab.data.snapshot.Snapshot``, restricted to one split.

    Statutes are "법명 제N조(제목)\\n본문"; decisions are 판시사항 + 판결요지 + 이유 (the parts written as prose);
    interpretations are question, answer and reasons. The split is the one decided in ``lexlab.data.splits`` so no
    evaluation document is ever trained on. ``max_docs`` caps each table (first rows: the snapshot order is
    stable) to size a CPU run.
    """
    from lexlab.data import splits

    docs: list[dict[str, str]] = []
    if "statutes" in tables:
        df = snapshot.statutes
        df = df[~df["deleted"]] if "deleted" in df else df
        keys = [f"statute:{law}:{no}" for law, no in zip(df["law"], df["article_no"])]
        df = df[[splits.split_of(k) == split for k in keys]]
        rows = df.head(max_docs) if max_docs else df
        for r in rows.itertuples():
            head = f"{r.law} {r.article}" + (f"({r.title})" if r.title else "")
            docs.append({"id": f"statute:{r.law}:{r.article_no}", "text": f"{head}\n{r.text}", "source": "statute"})
    if "decisions" in tables:
        df = snapshot.decisions
        df = df[[s == split for s in splits.case_split(df)]]
        rows = df.head(max_docs) if max_docs else df
        for r in rows.itertuples():
            parts = [p for p in (r.holdings, r.summary, r.reasoning) if isinstance(p, str) and p.strip()]
            if parts:
                docs.append({"id": f"case:{r.case_id}", "text": "\n\n".join(parts), "source": "decision"})
    if "interpretations" in tables:
        df = snapshot.interpretations
        df = df[[splits.split_of(f"interp:{d}") == split for d in df["doc_id"]]]
        rows = df.head(max_docs) if max_docs else df
        for r in rows.itertuples():
            parts = [p for p in (r.title, r.question, r.answer, r.reason) if isinstance(p, str) and p.strip()]
            docs.append({"id": f"interp:{r.doc_id}", "text": "\n\n".join(parts), "source": "interpretation"})
    return docs


def read_text_jsonl(path: str | Path, text_field: str = "text", on_error: str = "raise") -> list[dict[str, str]]:
    """A user's own corpus: one JSON object per line with at least ``id`` and ``text``.

    Bad lines raise (naming file, line and field) or, with ``on_error="skip"``, are left out; call
    ``read_jsonl_report`` directly to get the list of skipped lines.
    """
    rows, _ = read_jsonl_report(path, required=("id", text_field), on_error=on_error)
    return [{"id": str(r["id"]), "text": r[text_field], "source": f"jsonl:{Path(path).name}"} for r in rows]


def read_jsonl_report(
    path: str | Path, required: Sequence[str], on_error: str = "raise"
) -> tuple[list[dict], list[dict]]:
    """Read JSONL, checking required non-empty fields. Returns (rows, skipped) with skipped = {line, field, error}."""
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    rows, skipped = [], []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                problem = {"line": lineno, "field": None, "error": f"invalid JSON: {e.msg}"}
            else:
                bad = next((f for f in required if not isinstance(obj, dict) or obj.get(f) in (None, "")), None)
                if bad is None:
                    rows.append(obj)
                    continue
                problem = {"line": lineno, "field": bad, "error": "missing or empty"}
            if on_error == "raise":
                raise ValueError(f"{path}:{problem['line']}: field {problem['field']!r}: {problem['error']}")
            skipped.append(problem)
    return rows, skipped


# ------------------------------------------------------------------------------------------ the legal side: IT

QA_FILE = "accepted.jsonl"
QA_FIELDS = ("id", "question", "answer", "reference", "source")


def load_qa(qa: str | Path, on_error: str = "raise", max_items: int | None = None) -> list[dict[str, str]]:
    """Legal instruction items from stage 02 (``work/qa/<run>/accepted.jsonl``) or any JSONL of the same shape.

    ``qa`` is that file or its directory. Only the fields the formats use are kept: id, question, answer,
    reference (statute text or citation; may be empty), source (template/openai/interpretation/...).
    """
    path = Path(qa)
    if path.is_dir():
        path = path / QA_FILE
    rows, skipped = read_jsonl_report(path, required=("id", "question", "answer"), on_error=on_error)
    items = [
        {
            "id": str(r["id"]),
            "question": str(r["question"]),
            "answer": str(r["answer"]),
            "reference": str(r.get("reference") or ""),
            "source": str(r.get("source") or "qa"),
        }
        for r in rows
    ]
    return items[:max_items] if max_items else items


def items_dataset(items: Sequence[Mapping[str, Any]]) -> Dataset:
    """QA-like dicts → a Dataset with exactly ``QA_FIELDS`` (missing ones empty), so legal and general align."""
    return Dataset.from_dict({f: [str(it.get(f) or "") for it in items] for f in QA_FIELDS})
