"""LegalSearchLM training on the shared trainer: its config, searchlm.json, and a finished run that is not redone."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from legalsearchlm import cases
from lexlab.legalsearchlm.searchlm.train import (VARIANTS, SearchLMConfig, category_train_ids,
                                                 train_searchlm, variant_recipe)
from lexlab.workbench.config import config_from_dict
from lexlab.workbench.io import read_jsonl


def test_config_reads_cli_strings_and_checks_choices(tmp_path):
    cfg = config_from_dict(SearchLMConfig, {"out_dir": str(tmp_path), "max_steps": "5", "targets": "naive",
                                            "extractor": "offline", "first_token_aware": "false"}, source="--opt")
    assert (cfg.max_steps, cfg.targets, cfg.first_token_aware, cfg.report_to) == (5, "naive", False, "auto")
    assert cfg.model_dir() == tmp_path
    with pytest.raises(ValueError, match="targets must be one of"):
        SearchLMConfig(out_dir=str(tmp_path), targets="random")
    with pytest.raises(ValueError, match="extractor must be one of"):
        SearchLMConfig(out_dir=str(tmp_path), extractor="gpt")
    with pytest.raises(ValueError, match="out_dir is required"):
        SearchLMConfig().model_dir()
    with pytest.raises(ValueError, match="batch_size must be positive"):
        SearchLMConfig(out_dir=str(tmp_path), batch_size=0)


def test_variant_recipes():
    assert variant_recipe("legal", targets="naive", first_token_aware=False, train_category="사기") == VARIANTS["legal"]
    assert variant_recipe("legal_no_fta") == {"targets": "legal", "first_token_aware": False, "train_category": ""}
    assert variant_recipe("ood")["train_category"] == "지식재산"
    assert variant_recipe("ood", train_category="사기") == {"targets": "legal", "first_token_aware": True,
                                                           "train_category": "사기"}
    assert VARIANTS["ood"]["train_category"] == "지식재산"  # the table itself is left alone
    assert variant_recipe("custom", "naive", False, "노동") == {"targets": "naive", "first_token_aware": False,
                                                              "train_category": "노동"}
    with pytest.raises(ValueError, match="unknown variant 'colbert'"):
        variant_recipe("colbert")


def test_category_train_ids():
    corpus = [{"id": "a", "category": "사기"}, {"id": "b", "category": "노동"}, {"id": "c", "category": "사기"}]
    assert category_train_ids(corpus, "") is None
    assert category_train_ids(corpus, "사기") == ["a", "c"]
    with pytest.raises(ValueError, match="no corpus case has category '지식재산'"):
        category_train_ids(corpus, "지식재산")


@pytest.mark.slow
def test_a_finished_run_is_loaded_not_trained_again(tmp_path):
    cfg = SearchLMConfig(out_dir=str(tmp_path), max_steps=2, batch_size=4, vocab_size=400, max_input_tokens=48,
                         model_config=cases.TINY_LLAMA, progress=False, report_to="none", save_steps=100,
                         extra_meta={"variant": "legal"})
    first = train_searchlm(cases.corpus(), cfg)
    assert first.global_step == 2 and first.resumed_from is None
    saved = json.loads((Path(first.final_dir) / "searchlm.json").read_text(encoding="utf-8"))
    assert saved == first.extra and saved["variant"] == "legal" and saved["train_loss"] == first.train_loss
    targets = read_jsonl(tmp_path / "targets.jsonl", required=("id",))
    assert [t["id"] for t in targets] == [c["id"] for c in cases.corpus()]
    assert all(isinstance(t["targets"], list) for t in targets)
    again = train_searchlm(cases.corpus(), cfg)
    assert again.global_step == 2 and again.resumed_from.endswith("checkpoint-2")
    assert again.losses() == first.losses()


def test_training_windows_hold_their_first_target_and_share_the_prompt(tmp_path):
    from lexlab.legalsearchlm.searchlm.elements import Element
    from lexlab.legalsearchlm.searchlm.prompt import find_tokens, suffix_ids
    from lexlab.legalsearchlm.searchlm.train import _collate, _PairDataset, build_training_pairs
    from lexlab.models import hf

    words = [f"단어{i}" for i in range(300)]
    text = " ".join(words[:100] + ["영업비밀을", "누설하였다"] + words[100:])
    tok = hf.cached_tokenizer([text], 400)
    els = [[Element("영업비밀을 누설하였다", "concept", 1.0), Element("단어3 단어4", "concept", 1.0),
            Element("단어7", "concept", 1.0)]]
    pairs, stats = build_training_pairs([{"text": text}], tok, els, max_input_tokens=64, targets_per_example=2,
                                        seed=0)
    assert stats["pairs"] == 2 and stats["windows_holding_target"] == 2  # 3 targets, 2 per prompt
    for prompt, targets in pairs:
        assert find_tokens(prompt, targets[0]) is not None  # the window shows the group's first target
        assert prompt[-len(suffix_ids(tok)):] == suffix_ids(tok)
    batch = _collate(tok.pad_token_id)([_PairDataset(pairs, tok.eos_token_id)[i] for i in range(2)])
    keep = batch["logits_to_keep"]
    assert batch["labels"].shape[1] == keep and keep == max(sum(len(t) + 1 for t in ts) for _, ts in pairs) + 1
    assert (batch["labels"][:, 0] == -100).all()  # the last prompt position predicts; it is no label itself
