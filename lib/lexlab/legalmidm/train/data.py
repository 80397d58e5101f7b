"""What CPT and IT train on: legal and general documents or QA items, read per the config, and made into tokens.

The legal side comes from the snapshot's ``train`` split (never dev/test: those belong to evaluation; see
``lexlab.data.legal_text``), from QA items written by stage 02, or from a user's JSONL; the general side from
``lexlab.data.general_text``. How much general data is read and mixed is the config's
``effective_general_fraction`` (0 for a legal-only stage).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from datasets import Dataset

from lexlab.data import general_text
from lexlab.data.legal_text import legal_texts
from lexlab.data.snapshot import load_snapshot
from lexlab.legalmidm import formats
from lexlab.workbench import paths
from lexlab.workbench.io import OnError, read_jsonl

if TYPE_CHECKING:
    from lexlab.legalmidm.train.config import CPTConfig, ITConfig

QA_FILE = "accepted.jsonl"


# ------------------------------------------------------------------------------------------------ CPT

def cpt_corpus(cfg: CPTConfig) -> tuple[list[dict], list[dict]]:
    """(legal docs, general docs) for CPT from the snapshot's train split, or the user's JSONL files."""
    mixes = cfg.effective_general_fraction > 0
    need_snapshot = not cfg.legal_jsonl or (mixes and not cfg.general_jsonl)
    snap = load_snapshot(cfg.snapshot or None) if need_snapshot else None
    if cfg.legal_jsonl:
        legal = general_text.read_text_jsonl(cfg.legal_jsonl)
        legal = legal[: cfg.max_legal_docs] if cfg.max_legal_docs else legal
    else:
        legal = legal_texts(snap, cfg.legal_tables, max_docs=cfg.max_legal_docs or None)
    general: list[dict] = []
    if mixes or not cfg.general_jsonl:
        # general text is read even for legal-only runs when it comes from the snapshot, so that the
        # tokenizer (trained on both sides) is the same in every variant of a mixing ablation
        general = general_text.general_texts(snap, jsonl=cfg.general_jsonl or None,
                                             max_docs=cfg.max_general_docs or None)
    return legal, general


def pack(texts: Sequence[str], tokenizer, block_size: int) -> list[list[int]]:
    """Concatenate documents (each ended by EOS) and cut into ``block_size`` blocks; the ragged tail is dropped.

    Packing each side (legal, general) separately before mixing makes every example one full block, so the
    example ratio that ``mixing.mix`` realises is also the token ratio.
    """
    if not texts:
        return []  # the tokenizer raises IndexError on an empty batch
    eos = tokenizer.eos_token_id
    stream: list[int] = []
    for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]:
        stream.extend(ids)
        stream.append(eos)
    return [stream[i: i + block_size] for i in range(0, len(stream) - block_size + 1, block_size)]


# ------------------------------------------------------------------------------------------------- IT

def resolve_qa(qa_dir: str) -> Path:
    """Stage 02's output: a JSONL file, a directory holding ``accepted.jsonl``, or a run name under work/qa."""
    path = Path(qa_dir)
    for candidate in (path, paths.work_dir("qa") / qa_dir):
        if candidate.is_file() or (candidate / QA_FILE).is_file():
            return candidate
    raise FileNotFoundError(
        f"qa_dir {qa_dir!r}: neither {path} nor {paths.work_dir('qa') / qa_dir} holds {QA_FILE}; run "
        "stage 02 (notebooks/02_generate_law_qa.ipynb) first or point qa_dir at a JSONL of QA items")


def load_qa(qa: str | Path, on_error: OnError = "raise", max_items: int | None = None,
            errors: list | None = None) -> list[dict[str, str]]:
    """Legal instruction items from stage 02 (``work/qa/<run>/accepted.jsonl``) or any JSONL of the same shape.

    ``qa`` is that file or its directory. Only the fields the formats use are kept: id, question, answer,
    reference (statute text or citation; may be empty), source (template/openai/interpretation/...). Bad lines
    follow ``lexlab.workbench.io.read_jsonl``'s ``on_error`` policy (skipped ones are appended to ``errors``).
    """
    path = Path(qa)
    if path.is_dir():
        path = path / QA_FILE
    rows = read_jsonl(path, ("id", "question", "answer"), on_error=on_error, errors=errors, unique_ids=False)
    items = [
        {
            "id": r["id"],
            "question": str(r["question"]),
            "answer": str(r["answer"]),
            "reference": str(r.get("reference") or ""),
            "source": str(r.get("source") or "qa"),
        }
        for r in rows
    ]
    return items[:max_items] if max_items else items


def it_items(cfg: ITConfig) -> tuple[list[dict], list[dict]]:
    """(legal QA items, general instruction items) per the config; see ``load_qa`` and
    ``general_text.general_instructions``."""
    legal = load_qa(resolve_qa(cfg.qa_dir), max_items=cfg.max_qa_items or None)
    general: list[dict] = []
    if cfg.effective_general_fraction > 0:
        if cfg.general_jsonl:
            general = general_text.read_instruction_jsonl(cfg.general_jsonl)
        else:
            docs = general_text.general_texts(load_snapshot(cfg.snapshot or None),
                                              max_docs=cfg.max_general_docs or None)
            general = general_text.general_instructions(docs, cfg.general_tasks, seed=cfg.seed)
        general = general[: cfg.max_general_items] if cfg.max_general_items else general
    return legal, general


def encode_items(items: Sequence[dict], tokenizer, cfg: ITConfig) -> tuple[Dataset, int]:
    """Render + tokenize items in the configured format; returns (dataset, number dropped for lack of room)."""
    rows, dropped = [], 0
    system = cfg.system_prompt_text or None
    for it in items:
        enc = formats.encode(it, cfg.format, tokenizer, cfg.max_length, system, cfg.max_ref_chars)
        if enc.pop("n_target_tokens") == 0:
            dropped += 1
            continue
        rows.append({**enc, "origin": it["origin"]})
    if not rows:
        raise ValueError(f"no IT example fits max_length={cfg.max_length}")
    return Dataset.from_list(rows), dropped
