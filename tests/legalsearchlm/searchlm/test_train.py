"""LegalSearchLM training on the shared trainer: its config, searchlm.json, and a finished run that is not redone."""
from __future__ import annotations

import itertools
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
    with pytest.raises(ValueError, match="element_pairs"):
        SearchLMConfig(out_dir=str(tmp_path), element_pairs=-0.5)


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


def _element_pair_case():
    from lexlab.legalsearchlm.searchlm.elements import Element
    from lexlab.models import hf

    words = [f"단어{i}" for i in range(200)]
    texts = [" ".join(words[:100]), " ".join(words[100:]), " ".join(words[50:150])]
    tok = hf.cached_tokenizer(texts, 400)
    els = [[Element(f"단어{i} 단어{i + 1}", "concept", 1.0) for i in (3, 20, 40)],
           [Element(f"단어{i}", "concept", 1.0) for i in (110, 130)],
           [Element("단어60 단어61", "concept", 1.0)]]  # one element: nothing to pair it with
    return [{"text": t} for t in texts], tok, els


def test_element_pairs_map_elements_to_other_elements_of_the_same_case():
    from lexlab.legalsearchlm.searchlm.prompt import prompt_ids, span_token_ids
    from lexlab.legalsearchlm.searchlm.train import build_training_pairs

    recs, tok, els = _element_pair_case()
    kw = dict(max_input_tokens=64, targets_per_example=2, seed=0)
    plain, plain_stats = build_training_pairs(recs, tok, els, **kw)
    assert plain_stats["element_pairs"] == 0 and plain == build_training_pairs(recs, tok, els, element_pairs=0.0,
                                                                               **kw)[0]
    pairs, stats = build_training_pairs(recs, tok, els, element_pairs=1.0, **kw)
    # one element example per window example of a case with two or more targets: 2 (case 0) + 1 (case 1)
    assert stats["element_pairs"] == 3 and stats["pairs"] == plain_stats["pairs"] + 3 == len(pairs)
    case_targets = [[span_token_ids(tok, e.text) for e in es] for es in els]
    found = []
    for prompt, targets in pairs:
        for c, ts in enumerate(case_targets):
            for k in (1, 2):
                for given in itertools.permutations(ts, k):
                    if prompt == prompt_ids(tok, [t for g in given for t in g], 64):  # the same prompt builder
                        found.append(c)
                        assert targets and all(t in ts and t not in given for t in targets)
    assert sorted(found) == [0, 0, 1]
