"""The openai generator through a real (fake) OpenAI-compatible server: its citations are checked like any other."""
from __future__ import annotations

import json

from fake_llm import ScriptedChatServer

from lexlab.caselaw.answer import AnswerConfig, CaseAnswerer
from lexlab.caselaw.corpus import CaseLaw
from lexlab.caselaw.retrieve import case_retriever

Q = {"id": "2021도45", "case_id": "2021도45", "instance": "상고심", "question": "위드마크 공식 혈중알코올농도 추정"}


def test_openai_answer_keeps_verbatim_citations_and_drops_forged_ones(toy, monkeypatch):
    law = CaseLaw(toy)
    real = str(law.row("2020도1")["summary"])[:40]
    reply = {"outcome": "상고기각", "answer": "기각될 것입니다.",
             "citations": [{"case_no": "2020도1", "passage": real},
                           {"case_no": "2020도2", "passage": "지어낸 문장입니다."},
                           {"case_no": "2099도9", "passage": real}]}
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    with ScriptedChatServer(default=json.dumps(reply, ensure_ascii=False)) as srv:
        config = AnswerConfig(generator="openai:fake-model", k=3, llm_base_url=srv.base_url)
        [a] = CaseAnswerer(law, case_retriever("bm25", law), config).answer([Q])
        sent = srv.requests[0]["messages"]
    assert a["outcome"] == "상고기각" and [c["case_no"] for c in a["citations"]] == ["2020도1"]
    assert "citation_dropped:2020도2:passage_not_verbatim" in a["flags"]
    assert "citation_dropped:2099도9:unknown_case" in a["flags"]
    assert "2022도1" not in sent[-1]["content"] and "2020도1" in sent[-1]["content"]  # only earlier precedents shown
