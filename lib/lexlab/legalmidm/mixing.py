"""Legal + general data mixing, for continual pre-training (raw text) and instruction tuning (QA items).

LegalMidm mixes general data into both stages so the specialist does not forget how to write ordinary prose.
Here that is one number, ``general_fraction``: the probability that the next training example comes from the
general side. ``datasets.interleave_datasets`` draws each example from legal or general with those probabilities
and a seed, so the mixture is reproducible and the ratio holds in every stretch of the stream, not just overall.

Every example carries an ``origin`` column ("legal"/"general") so the ratio that was actually realised can be
counted afterwards (``realised_ratio``) and logged next to the one that was asked for. What is mixed is read by
``lexlab.legalmidm.train.data``.
"""
from __future__ import annotations

import typing
from collections import Counter
from typing import Any, Iterable, Literal, Mapping, Sequence

from datasets import Dataset, interleave_datasets

# The one default. Notebooks, YAML and configs pass their own value; nothing else hard-codes a ratio.
DEFAULT_GENERAL_FRACTION = 0.2

LEGAL, GENERAL = "legal", "general"
StoppingStrategy = Literal["first_exhausted", "all_exhausted"]
STOPPING_STRATEGIES: tuple[str, ...] = typing.get_args(StoppingStrategy)
# The fields of an instruction item, legal (stage 02's QA) or general.
QA_FIELDS = ("id", "question", "answer", "reference", "source")


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
    stopping_strategy: StoppingStrategy = "first_exhausted",
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


def items_dataset(items: Sequence[Mapping[str, Any]]) -> Dataset:
    """QA-like dicts → a Dataset with exactly ``QA_FIELDS`` (missing ones empty), so legal and general align."""
    return Dataset.from_dict({f: [str(it.get(f) or "") for it in items] for f in QA_FIELDS})
