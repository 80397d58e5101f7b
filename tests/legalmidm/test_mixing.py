"""Legal + general mixing: the ratio asked for is the ratio realised, batch by batch; general-text builders."""
from __future__ import annotations

import math

import pytest
import torch
from datasets import Dataset

from lexlab.data import general_text
from lexlab.legalmidm import mixing
from lexlab.legalmidm.train import pack
from lexlab.models import hf as modeling


def _items(prefix: str, n: int) -> Dataset:
    return mixing.items_dataset([{"id": f"{prefix}{i}", "question": f"{prefix} 질문 {i}", "answer": f"답 {i}"}
                                 for i in range(n)])


def _tolerance(p: float, n: int) -> float:
    return 4 * math.sqrt(p * (1 - p) / n)  # 4 binomial standard deviations


@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.5])
def test_requested_ratio_is_realised_in_every_training_batch(fraction):
    mixed = mixing.mix(_items("법", 3000), _items("일반", 3000), fraction, seed=1)
    overall = mixing.realised_ratio(mixed)
    assert abs(overall["general_fraction"] - fraction) < _tolerance(fraction, overall["n"])
    # batches as the Trainer draws them: a seeded random sampler over the mixed dataset
    loader = torch.utils.data.DataLoader(mixed, batch_size=256, shuffle=True,
                                         generator=torch.Generator().manual_seed(0), collate_fn=lambda rows: rows)
    for batch in list(loader)[:-1]:  # the last batch is ragged
        got = mixing.realised_ratio(batch)["general_fraction"]
        assert abs(got - fraction) < _tolerance(fraction, 256), got
    # and in order, without shuffling: interleaving spreads general examples over the whole stream
    for start in range(0, overall["n"] - 500, 500):
        got = mixing.realised_ratio(mixed.select(range(start, start + 500)))["general_fraction"]
        assert abs(got - fraction) < _tolerance(fraction, 500), (start, got)


def test_first_exhausted_never_repeats_and_all_exhausted_uses_everything():
    legal, general = _items("법", 400), _items("일반", 100)
    once = mixing.mix(legal, general, 0.2, seed=0)
    assert len(set(once["id"])) == len(once)
    everything = mixing.mix(legal, general, 0.2, seed=0, stopping_strategy="all_exhausted")
    assert set(everything["id"]) == set(legal["id"]) | set(general["id"])


def test_mixing_is_reproducible_by_seed():
    a = mixing.mix(_items("법", 200), _items("일반", 200), 0.4, seed=7)["id"]
    b = mixing.mix(_items("법", 200), _items("일반", 200), 0.4, seed=7)["id"]
    c = mixing.mix(_items("법", 200), _items("일반", 200), 0.4, seed=8)["id"]
    assert a == b and a != c


def test_edge_fractions_and_errors():
    legal, general = _items("법", 50), _items("일반", 50)
    only_legal = mixing.mix(legal, general, 0.0)
    assert mixing.realised_ratio(only_legal) == {"n": 50, "n_legal": 50, "n_general": 0, "general_fraction": 0.0}
    assert mixing.mix(legal, None, 0.0)["origin"] == ["legal"] * 50
    assert mixing.realised_ratio(mixing.mix(legal, general, 1.0))["general_fraction"] == 1.0
    with pytest.raises(ValueError, match="no general data"):
        mixing.mix(legal, None, 0.3)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        mixing.mix(legal, general, 1.5)
    with pytest.raises(ValueError, match="stopping_strategy"):
        mixing.mix(legal, general, 0.3, stopping_strategy="never")
    with pytest.raises(ValueError, match="share columns"):
        mixing.mix(legal, Dataset.from_dict({"text": ["x"]}), 0.3)


def test_cpt_blocks_make_the_example_ratio_a_token_ratio():
    tok = modeling.train_tokenizer(["형법 제1조 범죄의 성립과 처벌은 행위 시의 법률에 따른다."] * 30
                                   + ["금융위원회는 오늘 보도자료를 배포하였다."] * 30, vocab_size=300)
    legal = pack(["형법 제1조 범죄의 성립과 처벌은 행위 시의 법률에 따른다."] * 200, tok, 16)
    general = pack(["금융위원회는 오늘 보도자료를 배포하였다."] * 200, tok, 16)
    assert {len(b) for b in legal + general} == {16}
    mixed = mixing.mix(Dataset.from_dict({"input_ids": legal}), Dataset.from_dict({"input_ids": general}),
                       0.25, seed=0)
    tokens = {"legal": 0, "general": 0}
    for row in mixed:
        tokens[row["origin"]] += len(row["input_ids"])
    share = tokens["general"] / sum(tokens.values())
    assert share == mixing.realised_ratio(mixed)["general_fraction"]
    assert abs(share - 0.25) < _tolerance(0.25, len(mixed))


def test_realised_ratio_accepts_batches_and_labels():
    assert mixing.realised_ratio(["legal", "general", "general", "legal"])["general_fraction"] == 0.5
    assert mixing.realised_ratio({"origin": ["general", "legal", "legal"]})["n_general"] == 1
    assert mixing.realised_ratio([])["general_fraction"] == 0.0


# ------------------------------------------------------------------------------------------- general text

RELEASE = {
    "id": "general:pr1",
    "title": "금융소비자 보호 제도 시행",
    "text": "제목: 금융소비자 보호 제도 시행\n\n금융소비자\n 보호 제도 시행\n\n- 소비자 권익 확대\n"
            "금융위원회는 오늘 금융소비자 보호에 관한 감독규정을 의결하였다. 새 제도는 다음 달부터 "
            "시행된다. 금융회사는 설명의무를 지켜야 한다. 위반 시 과징금이 부과된다.",
}


def test_title_copies_are_removed_from_the_body():
    body = general_text.body_without_title(RELEASE["title"], RELEASE["text"])
    assert body.startswith("- 소비자 권익 확대")
    assert "금융소비자 보호 제도 시행" not in body


def test_general_instructions_from_press_releases():
    items = {it["source"]: it for it in general_text.general_instructions([RELEASE])}
    title = items["general:title"]
    assert title["answer"] == RELEASE["title"]
    assert RELEASE["title"] not in title["question"]  # not a copy task
    cont = items["general:continue"]
    assert cont["question"].endswith("새 제도는 다음 달부터 시행된다.")
    assert cont["answer"] == "금융회사는 설명의무를 지켜야 한다."
    assert all(it["reference"] == "" for it in items.values())
    only_titles = general_text.general_instructions([RELEASE], tasks=["title"])
    assert [it["source"] for it in only_titles] == ["general:title"]
    with pytest.raises(ValueError, match="unknown general task"):
        general_text.general_instructions([RELEASE], tasks=["translate"])


def test_users_own_general_jsonl(tmp_path):
    corpus = tmp_path / "mine.jsonl"
    corpus.write_text('{"id": "d1", "text": "오늘은 날씨가 맑다."}\n{"id": "d2"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"mine.jsonl:2: field 'text'"):
        general_text.general_texts(jsonl=corpus)
    docs = general_text.general_texts(jsonl=corpus, on_error="skip")
    assert docs == [{"id": "d1", "text": "오늘은 날씨가 맑다.", "source": "jsonl:mine.jsonl"}]

    instr = tmp_path / "instr.jsonl"
    instr.write_text('{"id": "i1", "instruction": "요약하세요.", "input": "긴 글", "output": "짧은 글"}\n'
                     '{"id": "i2", "question": "수도는?", "answer": "서울"}\n{"id": "i3", "output": "x"}\n',
                     encoding="utf-8")
    with pytest.raises(ValueError, match="i3"):
        general_text.read_instruction_jsonl(instr)
    got = general_text.read_instruction_jsonl(instr, on_error="skip")
    assert [(g["question"], g["answer"]) for g in got] == [("요약하세요.\n\n긴 글", "짧은 글"), ("수도는?", "서울")]
