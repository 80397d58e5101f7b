"""Lay questions: the term map mined from decisions routes everyday words to the article they never occur in."""
from __future__ import annotations

import pandas as pd
import pytest

from lexlab.ask.config import EvaluateAskConfig
from lexlab.ask.lay import mining_records
from lexlab.ask.lay_questions import (ENDINGS, HAND_WRITTEN, decision_questions, everyday, lay_question,
                                      narrative_sentence)
from lexlab.ask.retrieve import RetrieverConfig, StatuteRetriever
from lexlab.ask.statute_index import from_rows
from lexlab.data import term_map as tm
from lexlab.data.splits import case_key, split_of

ARTICLES = [
    {"law": "형법", "article": "제329조", "article_no": "329", "title": "절도",
     "text": "타인의 재물을 절취한 자는 6년 이하의 징역 또는 1천만원 이하의 벌금에 처한다."},
    {"law": "형법", "article": "제347조", "article_no": "347", "title": "사기",
     "text": "① 사람을 기망하여 재물의 교부를 받거나 재산상의 이익을 취득한 자는 10년 이하의 징역에 처한다."},
    {"law": "형법", "article": "제260조", "article_no": "260", "title": "폭행, 존속폭행",
     "text": "① 사람의 신체에 대하여 폭행을 가한 자는 2년 이하의 징역, 500만원 이하의 벌금에 처한다."},
    {"law": "도로교통법", "article": "제44조", "article_no": "44", "title": "술에 취한 상태에서의 운전 금지",
     "text": "① 누구든지 술에 취한 상태에서 자동차등을 운전하여서는 아니 된다. 돈을 받고 운전을 대행하는 경우에도 같다."},
]
STORIES = {  # charge → (applied article, what the accused did, in the decisions' own narrative words)
    "절도": ("형법 제329조", "피고인은 피해자의 가방 속 지갑에서 현금을 몰래 꺼내어 가 이를 절도하였다."),
    "사기": ("형법 제347조", "피고인은 갚을 생각 없이 피해자에게 거짓말을 하여 돈을 빌려 이를 사기하였다."),
    "폭행": ("형법 제260조", "피고인은 술집에서 시비 끝에 피해자의 얼굴을 주먹으로 때려 폭행하였다."),
}


def _ids(split: str, n: int, prefix: str) -> list[str]:
    """Case ids whose (single-member appeal chain) split is ``split``."""
    out, i = [], 0
    while len(out) < n:
        cid = f"{prefix}{i}"
        if split_of(case_key(cid)) == split:
            out.append(cid)
        i += 1
    return out


def _decisions(split: str, per_charge: int = 4) -> pd.DataFrame:
    rows = []
    for charge, (article, story) in STORIES.items():
        for j, cid in enumerate(_ids(split, per_charge, f"2020고단{charge}")):
            rows.append({"case_id": cid, "title": charge, "court": "서울중앙지방법원", "case_type": "형사",
                         "date": "2020-01-01", "ref_articles": [article], "ref_articles_raw": article,
                         "applied_law_text": "", "lower_case_ids": [], "holdings": "", "summary": "",
                         "facts": f"{story} 피해 금액은 {j + 1}만 원이다.", "reasoning": ""})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def index():
    return from_rows(ARTICLES, "lay-test")


@pytest.fixture(scope="module")
def mined(index):
    return tm.mine(mining_records(_decisions("train"), index), tokenizer="char2", min_support=2)


def test_mining_uses_train_decisions_only_and_masks_the_charge(index):
    records = mining_records(pd.concat([_decisions("train"), _decisions("test")]), index)
    assert records and all(split_of(case_key(cid)) == "train" for cid, _, _ in records)
    assert all("절도" not in text and "사기" not in text for _, text, _ in records)
    assert {tuple(gold) for _, _, gold in records} == {("형법|329",), ("형법|347",), ("형법|260",)}


def test_the_map_keeps_its_provenance(mined, tmp_path):
    link = mined.support("지갑", "형법|329")
    assert link["n"] == 4 and link["n_label"] == 4 and len(link["docs"]) == 4
    assert not mined.support("지갑", "형법|347")
    again = tm.TermMap.load(mined.save(tmp_path / "map.parquet"))
    assert again.n_docs == mined.n_docs and again.support("지갑", "형법|329")["docs"] == link["docs"]


def test_a_lay_question_reaches_the_article_only_through_the_map(index, mined):
    question = "친구 지갑에서 몰래 돈을 꺼내 쓰면 처벌받나요?"
    plain = StatuteRetriever(index, RetrieverConfig(lay_weight=0), progress=False, cache=False)
    routed = StatuteRetriever(index, RetrieverConfig(), progress=False, cache=False, lay_map=mined)
    assert "형법|329" not in [h.doc_id for h in plain.search([question], 2)[0]]
    assert routed.search([question], 2)[0][0].doc_id == "형법|329"
    assert routed.search(["술집에서 남의 얼굴을 주먹으로 때렸어요"], 1)[0][0].doc_id == "형법|260"


def test_questions_naming_a_law_keep_the_retrievers_order(index, mined):
    question = "도로교통법에 따르면 술에 취한 상태에서 운전하면 어떻게 되나요?"
    plain = StatuteRetriever(index, RetrieverConfig(lay_weight=0), progress=False, cache=False)
    routed = StatuteRetriever(index, RetrieverConfig(), progress=False, cache=False, lay_map=mined)
    assert [h.doc_id for h in routed.search([question], 4)[0]] == [h.doc_id for h in plain.search([question], 4)[0]]


def test_the_eval_set_rules_turn_a_decision_into_an_everyday_question():
    facts = ("상고이유를 판단한다. 피고인은 2020. 3. 4. 14:00경 서울 강남구 소재 편의점에서 피해자 김○○(45세) 소유의 "
             "지갑에서 현금 5만 원을 꺼내어 절취하였다.")
    assert narrative_sentence(facts).startswith("피고인은 2020.")
    text = everyday(narrative_sentence(facts))
    assert "절취" not in text and "몰래 가져갔다" in text and "2020" not in text and "○" not in text
    assert text.startswith("제가") and "상대방" in text
    row = {"case_id": "2020고단1", "title": "절도", "facts": facts, "reasoning": ""}
    question = lay_question(row, ["형법 제329조"])
    assert question.endswith(ENDINGS) and "몰래 가져갔어요." in question and "절도" not in question


def test_decision_questions_come_from_held_out_decisions_and_carry_their_gold(index):
    qs = decision_questions(pd.concat([_decisions("train"), _decisions("dev", 2), _decisions("test", 2)]), index)
    assert qs and {q["split"] for q in qs} <= {"dev", "test"}
    by_gold = {q["gold"][0] for q in qs}
    assert by_gold == {"형법|329", "형법|347", "형법|260"}
    assert all("절도" not in q["question"] and "사기" not in q["question"] for q in qs)


def test_lay_options_are_checked():
    with pytest.raises(ValueError, match="lay_weight"):
        RetrieverConfig(lay_weight=-1)
    with pytest.raises(ValueError, match="lay_rrf_k"):
        RetrieverConfig(lay_rrf_k=0)
    with pytest.raises(ValueError, match="lay_below"):
        EvaluateAskConfig(lay_below=-0.5)
    assert EvaluateAskConfig().ask_config().retriever.lay_weight == RetrieverConfig().lay_weight
    assert RetrieverConfig(lay_weight=0).index_key() == RetrieverConfig().index_key()
    assert RetrieverConfig(lay_weight=0).key() != RetrieverConfig().key()


def test_hand_written_questions_name_their_gold_by_law_and_article():
    assert len(HAND_WRITTEN) >= 20 and all(gold for _, gold in HAND_WRITTEN)
