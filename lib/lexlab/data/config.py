"""Stage 01's parameters: the one place their defaults are written (notebook 01 and its YAML read them)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lexlab.workbench.config import check_choices, check_non_negative


@dataclass
class PrepareConfig:
    run_name: str = "prepare_corpus"
    seed: int = 0
    snapshot_name: str = ""               # "" → a version derived from the content hashes
    on_error: Literal["skip", "raise"] = "skip"  # skip: report malformed files and go on; raise: stop at the first
    max_decisions: int = 0                # 0: all; a positive cap makes a quick snapshot
    include_general: bool = True          # FSC/PIPC press releases as general text (see lexlab.data.general_text)
    extra_jsonl: str = ""                 # optional user corpus: a JSONL file of {"id", "text", ...}
    extra_jsonl_table: Literal["general", "decisions", "statutes", "interpretations"] = "general"  # the table the user corpus joins

    def __post_init__(self) -> None:
        check_choices(self)
        check_non_negative(self, "max_decisions")

    def sources(self) -> list:
        """The packages' sources, plus the user's JSONL corpus when given."""
        from lexlab.data import sources as corpus

        out = corpus.default_sources(press=self.include_general)
        if self.extra_jsonl:
            out.append(corpus.JsonlSource(self.extra_jsonl, table=self.extra_jsonl_table))
        return out

    def snapshot_options(self) -> dict:
        """``snapshot.build_snapshot`` keyword arguments beyond the sources."""
        return {"on_error": self.on_error, "version": self.snapshot_name or None,
                "max_decisions": self.max_decisions or None}
