"""Everyday-language evaluation questions for ``lexlab ask`` that the project's templates did not write.

``decision_questions``: one question per **dev/test** criminal decision with one or two charges (``MAX_CHARGES``)
and a gold article
in the index (the split comes from ``lexlab.data.splits.case_split``, so the lay term map, mined from train
decisions only, never saw it). The question is the decision's own account of what the accused did, rewritten by
these rules (``lay_question``):

1. *Sentence*: the first sentence of the 범죄사실 (else of the 이유) that tells what "피고인" did — it names 피고인
   and ends in a past-tense verb (…하였다, …했다, …였다는 것이다), taken from "피고인" on ("이 사건 공소사실의
   요지는, 피고인이 …"); those whose part from "피고인" on argues (판단, 법리, 상고, 원심, 항소, 주장, 증거, 인정,
   공소, 선고, …) are skipped.
2. *Masking*: the names of the laws the decision applied, its charge words, article and case numbers are masked
   (``lexlab.ask.lay.narrative``'s rule) and the masks dropped; dates and times ("2014. 1. 28. 05:41경", "같은
   날"), parentheses, anonymised names ("김○○", "공소외 1") go too.
3. *Everyday words*: ``LAY_WORDS`` replaces the legal verbs and nouns by everyday ones (절취하였다 → 몰래
   가져갔다, 편취 → 속여서 받아 냄, 기망 → 거짓말, 횡령 → 마음대로 써 버림, 상해를 가하 → 다치게 하, 재물 →
   물건, 금원 → 돈, 피고인 → 제가, 피해자 → 상대방, …); the table is the whole rule, nothing is hand-edited.
4. *Length*: at most ``MAX_CHARS`` characters, cut at a clause boundary from the end (the act that decides the
   case comes last in a Korean narrative sentence), "제가 " put back in front when the cut dropped the subject.
5. *Question*: the past ending becomes the polite 해요 form and one of ``ENDINGS`` ("처벌받나요?", …) is added,
   chosen by a stable hash of the case id.

Gold: the decision's substantive applied articles in the index (``lexlab.ask.lay.decision_gold``). A question
whose text still holds a charge word, law name or article number of its decision is dropped.

``HAND_WRITTEN``: everyday questions with their deciding article written by hand (dev split only: a tuning aid,
never a reported test number).
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Mapping

import pandas as pd

from lexlab.ask.statute_index import StatuteIndex

MAX_CHARS = 110
MAX_CHARGES = 2          # decisions with more charges tell several stories; their first sentence may not be gold's
ENDINGS = ("처벌받나요?", "이거 죄가 되나요?", "법적으로 문제가 되나요?", "어떤 처벌을 받나요?")
_ARGUING = re.compile(r"판단|법리|상고|원심|항소|주장|증거|인정|판시|유죄|무죄|취지|해당한다|볼 수|공소(?!외)|기소|선고")
_PAST_END = re.compile(r"(?:였|었|았|했|갔|왔|쳤|냈|줬|웠|렸|겼|졌|셨|혔|켰|뒀|봤|짰|쌌)다(?:는|고 하는)?\s*(?:것이다)?\.?$")
_SENTENCE = re.compile(r"(?<=다)\.\s+|(?<=것이다)\.?\s*|\n")


def _forms(legal: str, past: str, conn: str, attr: str, noun: str) -> list[tuple[str, str]]:
    """A legal ``X하다`` verb in its common forms → an everyday verb's forms (past stem ending in ㅆ, …)."""
    return [(legal + "하였다", past + "다"), (legal + "했다", past + "다"), (legal + "하였고", past + "고"),
            (legal + "하였으나", past + "으나"), (legal + "하여", conn), (legal + "하고", conn.rstrip("서") + "고"),
            (legal + "한", attr), (legal, noun)]


# Legal words → everyday words, applied in this order (the longer forms first). See the module docstring, rule 3.
LAY_WORDS: list[tuple[str, str]] = [
    *_forms("절취", "몰래 가져갔", "몰래 가져가서", "몰래 가져간", "도둑질"),
    *_forms("편취", "속여서 받아 냈", "속여서 받아 내서", "속여서 받아 낸", "속여서 받아 냄"),
    *_forms("횡령", "마음대로 써 버렸", "마음대로 써 버려서", "마음대로 써 버린", "마음대로 써 버림"),
    *_forms("갈취", "겁을 줘서 뜯어냈", "겁을 줘서 뜯어내서", "겁을 줘서 뜯어낸", "돈 뜯기"),
    *_forms("위조", "가짜로 만들었", "가짜로 만들어서", "가짜로 만든", "가짜 서류"),
    *_forms("강취", "힘으로 빼앗았", "힘으로 빼앗아서", "힘으로 빼앗은", "강제로 빼앗음"),
    ("상해를 가하", "다치게 하"), ("상해를 입게 하", "다치게 하"), ("상해를 입", "다치"),
    ("기망하", "거짓말하"), ("기망", "거짓말"), ("폭행하", "때리"), ("폭행", "주먹질"), ("협박하", "위협하"),
    ("교부받", "건네받"), ("교부하", "건네주"), ("교부", "전달"), ("행사하", "사용하"), ("취득하였", "얻었"), ("취득하여", "얻어"),
    ("취득한", "얻은"), ("취득하", "얻"),
    ("재산상 이익", "이득"), ("재산상 손해", "손해"), ("임무에 위배하여", "맡은 일을 어기고"), ("재물", "물건"),
    ("금원", "돈"), ("금품", "돈이나 물건"), ("허위", "거짓"), ("공연히", "여러 사람 앞에서"),
    ("적시하", "말하"), ("근로자", "직원"), ("임금", "월급"), ("사용자", "사장"), ("편의제공", "편의 봐주기"),
    ("피고인들은", "저희가 "), ("피고인들이", "저희가 "), ("피고인은", "제가 "), ("피고인이", "제가 "), ("피고인가", "제가 "),
    ("피고인는", "제가 "),
    ("피고인의", "제 "), ("피고인", "저"), ("피해자들", "사람들"), ("피해자", "상대방"), ("위 ", ""),
]
_DROP = [re.compile(p) for p in (
    r"\[[^\]]{1,10}\]", r"제○조", r"\([^()]*\)",
    r"\d{2,4}\s?\.\s?\d{1,2}\s?\.(?:\s?\d{1,2}\s?\.)?(?:\s?\d{1,2}:\d{2})?\s?(?:경|부터|까지|무렵|사이에)?",
    r"\d{1,2}:\d{2}\s?경?", r"같은 날(?:\s?\d{1,2}:\d{2})?\s?경?", r"일자\s?불상\s?경?", r"[가-힣]?[○△□×◇◎●]+[가-힣]?",
    r"공소외\s?\d*(?:\s?주식회사)?", r"그 무렵", r"[「」『』]")]


def narrative_sentence(text: str) -> str | None:
    """Rule 1: the first sentence that tells what 피고인 did (None when there is none)."""
    for s in _SENTENCE.split(text or ""):
        s = s.strip()
        told = s[s.index("피고인"):] if "피고인" in s else ""
        if _PAST_END.search(told) and not _ARGUING.search(told) and len(told) >= 20:
            return told
    return None


def everyday(text: str) -> str:
    """Rules 2–3 on one sentence: dates, masks and names out, ``LAY_WORDS`` in."""
    text = re.sub(r"피고인\s?\d+(?:\s?주식회사)?", "피고인", text)
    for pattern in _DROP:
        text = pattern.sub(" ", text)
    for legal, lay in LAY_WORDS:
        text = text.replace(legal, lay)
    return re.sub(r"\s+", " ", re.sub(r"\s+([,.])", r"\1", text)).strip(" ,")


def shorten(text: str, max_chars: int = MAX_CHARS) -> str:
    """Rule 4: the end of ``text`` within ``max_chars``, cut after a clause boundary; "제가" kept in front."""
    if len(text) <= max_chars:
        return text
    tail = text[-max_chars:]
    cut = re.search(r"(?:,|하고|하여|한 후|한 다음|서|며|면서|으나)\s", tail)
    tail = tail[cut.end():] if cut else tail[tail.find(" ") + 1:]
    return tail if tail.startswith(("제가", "저희가")) else "제가 " + tail


def as_question(text: str, key: str) -> str:
    """Rule 5: the past ending in the polite form, and a question after it."""
    text = re.sub(r"(?:다는|다고 하는)?\s*것이다\.?$", "다", text.rstrip(". "))
    text = re.sub(r"다\.?$", "어요.", text)
    text = re.sub(r"였어요\.$", "였어요.", text)
    ending = ENDINGS[int(hashlib.sha1(key.encode()).hexdigest(), 16) % len(ENDINGS)]
    return f"{text} {ending}"


def lay_question(row: Mapping[str, Any], articles: list[str]) -> str | None:
    """Rules 1–5 on one decision (``articles``: its applied article keys); None when no sentence qualifies."""
    from lexlab.ask.lay import narrative

    sentence = narrative_sentence(narrative(row, articles))
    if sentence is None:
        return None
    text = shorten(everyday(sentence))
    return as_question(text, str(row.get("case_id"))) if len(text) >= 15 else None


def _leaks(question: str, row: Mapping[str, Any], articles: list[str]) -> bool:
    from lexlab.legalsearchlm.bench.case_text import find_leaks

    return bool(find_leaks(question, row, articles)) or "제○조" in question or bool(re.search(r"제\s?\d+\s?조", question))


def decision_questions(decisions: pd.DataFrame, index: StatuteIndex) -> list[dict]:
    """Lay questions from the dev/test criminal decisions with one charge and a gold article in ``index``."""
    from lexlab.ask.lay import applied_articles, criminal_decisions, decision_gold
    from lexlab.legalsearchlm.bench import crime_categories as cc
    from lexlab.legalsearchlm.bench.provisions import known_laws

    crim = criminal_decisions(decisions)
    known = known_laws(crim)
    out = []
    for row in crim[crim["split"] != "train"].to_dict("records"):
        if not 1 <= len(cc.normalize_title(str(row.get("title") or ""))) <= MAX_CHARGES:
            continue
        gold, articles = decision_gold(row, index, known), applied_articles(row, known)
        question = lay_question(row, articles) if gold else None
        if question and not _leaks(question, row, articles):
            out.append({"id": f"lay:{row['case_id']}", "kind": "lay", "origin": "decision", "question": question,
                        "gold": gold, "gold_answer": "", "law": index.articles.loc[gold[0], "law"],
                        "split": row["split"], "answerable": True})
    return out


# (question, gold articles as (law, article)). Written by hand for this purpose, dev only.
HAND_WRITTEN: list[tuple[str, list[tuple[str, str]]]] = [
    ("친구 지갑에서 몰래 돈을 꺼내 쓰면 처벌받나요?", [("형법", "329")]),
    ("편의점에서 과자를 계산 안 하고 주머니에 넣어 나왔어요. 죄가 되나요?", [("형법", "329")]),
    ("중고거래에서 돈만 받고 물건을 안 보냈어요. 처벌받나요?", [("형법", "347")]),
    ("갚을 생각도 없으면서 친구한테 돈을 빌렸어요. 문제가 되나요?", [("형법", "347")]),
    ("회사 공금을 제 개인 통장으로 옮겨서 썼어요. 어떤 처벌을 받나요?", [("형법", "355"), ("형법", "356")]),
    ("맡아 달라고 한 친구 돈을 제가 써 버렸어요. 처벌받나요?", [("형법", "355")]),
    ("술집에서 시비가 붙어 상대방 얼굴을 주먹으로 때렸어요. 처벌받나요?", [("형법", "260")]),
    ("싸우다가 상대방이 넘어져서 팔이 부러졌어요. 어떤 죄가 되나요?", [("형법", "257")]),
    ("단톡방에 동료가 바람을 피운다는 거짓 소문을 퍼뜨렸어요. 처벌받나요?", [("형법", "307")]),
    ("여러 사람 앞에서 동료에게 욕을 했어요. 죄가 되나요?", [("형법", "311")]),
    ("돈을 안 갚으면 가족을 해치겠다고 문자를 보냈어요. 처벌받나요?", [("형법", "283")]),
    ("헤어진 애인 집에 허락 없이 비밀번호를 누르고 들어갔어요. 죄가 되나요?", [("형법", "319")]),
    ("화가 나서 이웃 차 유리를 깨 버렸어요. 어떤 처벌을 받나요?", [("형법", "366")]),
    ("부모님 도장을 몰래 찍어서 계약서를 만들었어요. 문제가 되나요?", [("형법", "231")]),
    ("주운 신용카드로 편의점에서 결제를 했어요. 처벌받나요?", [("여신전문금융업법", "70")]),
    ("사장님이 퇴사한 뒤에도 밀린 월급을 석 달째 안 줘요. 처벌할 수 있나요?", [("근로기준법", "36"), ("근로기준법", "109")]),
    ("돈을 준다길래 제 통장과 체크카드를 남에게 빌려줬어요. 죄가 되나요?", [("전자금융거래법", "6"), ("전자금융거래법", "49")]),
    ("인터넷 게시판에 전 직장 상사에 대한 거짓 글을 올렸어요. 처벌받나요?",
     [("정보통신망 이용촉진 및 정보보호 등에 관한 법률", "70")]),
    ("영화 파일을 허락 없이 인터넷에 올려서 다른 사람이 받게 했어요. 처벌받나요?", [("저작권법", "136")]),
    ("소주 두 병 마시고 차를 몰다가 단속에 걸렸어요. 어떤 처벌을 받나요?", [("도로교통법", "148의2")]),
    ("공사 현장에서 안전 조치를 안 해서 인부가 다쳤어요. 책임이 있나요?", [("형법", "268")]),
    ("가게 앞에서 며칠 동안 소리를 지르고 손님을 쫓아냈어요. 처벌받나요?", [("형법", "314")]),
    ("법정에서 증인으로 나가 기억과 다른 말을 했어요. 처벌받나요?", [("형법", "152")]),
    ("미운 사람을 벌받게 하려고 없는 일을 경찰에 신고했어요. 죄가 되나요?", [("형법", "156")]),
    ("공무원에게 일을 잘 봐달라고 돈 봉투를 줬어요. 문제가 되나요?", [("형법", "133")]),
    ("길에서 주운 지갑을 돌려주지 않고 가졌어요. 처벌받나요?", [("형법", "360")]),
    ("약점을 잡아서 돈을 안 주면 폭로하겠다고 해서 돈을 받았어요. 죄가 되나요?", [("형법", "350")]),
    ("고객 개인정보를 허락 없이 다른 업체에 넘겼어요. 처벌받나요?", [("개인정보 보호법", "71")]),
]


def hand_written_questions(index: StatuteIndex) -> list[dict]:
    """``HAND_WRITTEN`` as evaluation questions (dev split), the gold articles the index holds."""
    out = []
    for i, (question, gold) in enumerate(HAND_WRITTEN):
        ids = [d for d in (index.lookup(law, no) for law, no in gold) if d]
        if ids:
            out.append({"id": f"lay-hand:{i}", "kind": "lay", "origin": "hand", "question": question, "gold": ids,
                        "gold_answer": "", "law": index.articles.loc[ids[0], "law"], "split": "dev",
                        "answerable": True})
    return out


def lay_questions(decisions: pd.DataFrame | None, index: StatuteIndex) -> list[dict]:
    """The lay evaluation set: questions from dev/test decisions, plus the hand-written dev questions."""
    from_decisions = decision_questions(decisions, index) if decisions is not None and len(decisions) else []
    return from_decisions + hand_written_questions(index)
