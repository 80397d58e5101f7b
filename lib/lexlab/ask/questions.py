"""Evaluation questions for ``lexlab ask``: answerable ones with gold articles, unanswerable ones built honestly.

Answerable (held-out splits only, so nothing here was a training record):

- ``penalty`` / ``definition``: the law-QA templates (``lexlab.legalmidm.qa.generate``) applied to dev/test articles,
  with the article number taken out of the question ("「형법」 제347조(사기)에 따르면 …" becomes "형법에 따르면 …"):
  the retriever must find the article, not read its number. Gold: that article; gold answer: the template's answer.
- ``title``: a short question from an article's title alone ("술에 취한 상태에서의 운전 금지에 관한 규정을
  알려주세요"), for titles no other article of the index shares: people ask short questions too, and a "not found"
  threshold calibrated on long questions only would turn them away.
- ``interpretation``: FSC law interpretations of the dev/test split whose related laws all name an in-force
  article of the index. Gold: those articles; gold answer: the interpretation's answer.

Unanswerable:

- ``heldout_law``: whole law *families* (a law with its 시행령 / 시행규칙) removed from the index for the evaluation
  (``heldout_families``, chosen by a stable hash); their template questions and the interpretations that cite only
  them have no answer left in the index. A family's split (dev/test) decides where its questions go, so the
  threshold is calibrated on other laws than it is tested on.
- ``out_of_scope``: everyday questions no statute answers (``OUT_OF_SCOPE``, written by hand for this purpose).
"""
from __future__ import annotations

import random
import re
from typing import Iterable

import pandas as pd

from lexlab.ask.statute_index import StatuteIndex, doc_id, norm_article, norm_law
from lexlab.data.splits import split_of, statute_key
from lexlab.data.text import clean_markup

_FAMILY_SUFFIX = re.compile(r"\s*(?:시행령|시행규칙)$")
_CITE = re.compile(r"^\s*(?P<law>.+?)\s*(?P<art>제\s*\d+(?:-\d+)?\s*조(?:\s*의\s*\d+)?)")

OUT_OF_SCOPE = (
    "김치찌개를 맛있게 끓이는 방법을 알려주세요.", "내일 서울 날씨는 맑을까요?", "파이썬에서 리스트를 정렬하는 방법은?",
    "마라톤 완주를 위한 훈련 계획을 세워 주세요.", "고양이가 밥을 잘 먹지 않으면 어떻게 하나요?",
    "제주도 3박 4일 여행 코스를 추천해 주세요.", "감기에 걸렸을 때 좋은 음식은 무엇인가요?",
    "피아노를 독학으로 배우려면 어떻게 시작하나요?", "손흥민은 어느 팀에서 뛰고 있나요?", "커피를 하루에 몇 잔 마셔도 괜찮나요?",
    "좋은 이력서를 쓰는 요령이 있나요?", "아이가 밤에 잠을 잘 자게 하려면?", "빵을 구울 때 이스트는 얼마나 넣나요?",
    "스마트폰 배터리를 오래 쓰는 방법은?", "영어 회화 실력을 늘리는 공부법은?", "겨울철 실내 적정 습도는 얼마인가요?",
    "자전거 체인에 기름칠은 얼마나 자주 하나요?", "우주에서 가장 큰 별은 무엇인가요?", "명상을 처음 시작하는 방법을 알려주세요.",
    "집에서 키우기 쉬운 식물은 무엇인가요?", "수영을 배우면 어떤 운동 효과가 있나요?", "떡볶이 양념 비율을 알려주세요.",
    "사진을 잘 찍는 구도는 어떻게 잡나요?", "봄에 가볼 만한 꽃구경 명소는 어디인가요?", "달리기 후 스트레칭은 어떻게 하나요?",
    "엑셀에서 VLOOKUP 함수는 어떻게 쓰나요?", "강아지 산책은 하루에 몇 번 시키나요?", "기타 코드를 빨리 외우는 방법은?",
    "비행기에서 시차 적응을 잘 하는 방법은?", "와인과 어울리는 치즈를 추천해 주세요.", "눈이 피로할 때 도움이 되는 습관은?",
    "초등학생에게 맞는 독서 목록을 추천해 주세요.", "가을 캠핑에 챙겨야 할 준비물은?", "체스에서 초반 전략은 어떻게 세우나요?",
    "실내 자전거로 살을 빼려면 얼마나 타야 하나요?", "양파를 썰 때 눈물이 나지 않게 하려면?", "태양계 행성은 모두 몇 개인가요?",
    "좋은 수면 자세는 무엇인가요?", "밀가루 반죽이 질 때는 어떻게 하나요?", "바둑을 처음 배우는 사람에게 좋은 책은?",
)


def family(law: str) -> str:
    """'도로교통법 시행령' → '도로교통법': a law and its decrees go (or stay) together."""
    return _FAMILY_SUFFIX.sub("", str(law)).strip()


def heldout_families(laws: Iterable[str], fraction: float = 0.1) -> dict[str, str]:
    """{family: "dev"|"test"} for the families removed from the evaluation index (a stable hash decides)."""
    out = {}
    for fam in sorted({family(x) for x in laws}):
        s = split_of(f"asklaw:{fam}", dev=fraction / 2, test=fraction / 2)
        if s != "train":
            out[fam] = s
    return out


def _strip_article(question: str, row: dict) -> str:
    """Replace the heading "<law> 제N조(제목)" in a template question by the law name alone."""
    head = f"{row['law']} {row['article']}"
    title = f"({row['title']})" if row.get("title") else ""
    return question.replace(head + title, str(row["law"])).replace(head, str(row["law"]))


def template_questions(articles: pd.DataFrame, kinds=("penalty", "definition"), seed: int = 0) -> list[dict]:
    """Template questions (one per kind per article at most) with the article number taken out."""
    from lexlab.legalmidm.qa.generate import template_items

    out = []
    for row in articles.to_dict("records"):
        for item in template_items(row, kinds=kinds, per_kind=1, seed=seed):
            out.append({"id": f"{item['kind']}:{row['law']}:{row['article_no']}", "kind": item["kind"],
                        "question": _strip_article(item["question"], row), "gold": [doc_id(row["law"], row["article_no"])],
                        "gold_answer": item["answer"], "law": row["law"]})
    return out


def title_questions(articles: pd.DataFrame, all_titles: pd.Series) -> list[dict]:
    """One short question per article whose title (≥ 5 characters) is unique in the whole index."""
    counts = all_titles.value_counts()
    out = []
    for row in articles.to_dict("records"):
        title = str(row.get("title") or "").strip()
        if len(title) >= 5 and counts.get(title, 0) == 1 and "삭제" not in title:
            out.append({"id": f"title:{row['law']}:{row['article_no']}", "kind": "title",
                        "question": f"{title}에 관한 규정을 알려주세요.", "gold": [doc_id(row["law"], row["article_no"])],
                        "gold_answer": str(row["text"]), "law": row["law"]})
    return out


def resolve_citations(related: Iterable[str], keys: dict) -> list[str] | None:
    """doc_ids of an interpretation's related laws, or None unless every one names an article in ``keys``
    ((law, article_no) → doc_id, normalised)."""
    out = []
    for cite in related if related is not None else []:
        m = _CITE.match(str(cite))
        key = (norm_law(m.group("law")), norm_article(m.group("art"))) if m else None
        if key not in keys:
            return None
        out.append(keys[key])
    return out or None


def interpretation_questions(interpretations: pd.DataFrame, index: StatuteIndex) -> list[dict]:
    keys = {(norm_law(r.law), norm_article(r.article_no)): r.doc_id for r in index.articles.itertuples()}
    out = []
    for r in interpretations.itertuples():
        gold = resolve_citations(list(r.related_laws), keys)
        question, answer = _flat(r.question), _flat(r.answer)
        if gold and len(question) >= 10 and answer:
            out.append({"id": f"interp:{r.doc_id}", "kind": "interpretation", "question": question,
                        "gold": sorted(set(gold)), "gold_answer": answer, "split": split_of(f"interp:{r.doc_id}"),
                        "law": index.articles.loc[gold[0], "law"]})
    return out


def _flat(text) -> str:
    return re.sub(r"\s+", " ", clean_markup(text or "")).strip().lstrip("ㅇ○").strip()


def build_questions(index: StatuteIndex, interpretations: pd.DataFrame | None, heldout_fraction: float = 0.1,
                    max_per_kind: int = 300, max_per_heldout_law: int = 15, seed: int = 0) -> tuple[list[dict], dict]:
    """All evaluation questions (each with ``split`` dev/test and ``answerable``) and the held-out families."""
    held = heldout_families(index.laws, heldout_fraction)
    arts = index.articles.assign(family=index.articles["law"].map(family))
    in_held = arts["family"].isin(set(held))
    art_split = [split_of(statute_key(a, n)) for a, n in zip(arts["law"], arts["article_no"])]
    arts = arts.assign(split=art_split)
    answerable = [dict(q, split=s) for s, part in arts[~in_held & (arts["split"] != "train")].groupby("split")
                  for q in template_questions(part, seed=seed) + title_questions(part, arts["title"])]
    unanswerable = []
    for fam, part in arts[in_held].groupby("family"):
        qs = template_questions(part, seed=seed) + title_questions(part, arts["title"])
        random.Random(f"{seed}:{fam}").shuffle(qs)
        unanswerable += [dict(q, kind="heldout_law", origin=q["kind"], split=held[fam], gold=[])
                         for q in qs[:max_per_heldout_law]]
    if interpretations is not None and len(interpretations):
        for q in interpretation_questions(interpretations, index):
            fams = {family(index.articles.loc[g, "law"]) for g in q["gold"]}
            if fams <= set(held):
                unanswerable.append(dict(q, kind="heldout_law", origin=q["kind"], split=held[sorted(fams)[0]], gold=[]))
            elif not fams & set(held) and q["split"] != "train":
                answerable.append(q)
    unanswerable += [{"id": f"oos:{i}", "kind": "out_of_scope", "question": q, "gold": [], "gold_answer": "",
                      "law": "", "split": split_of(f"oos:{q}", dev=0.5, test=0.5)} for i, q in enumerate(OUT_OF_SCOPE)]
    out = [dict(q, answerable=True) for q in answerable] + [dict(q, answerable=False) for q in unanswerable]
    return _cap(out, max_per_kind, seed), held


def _cap(questions: list[dict], max_per_kind: int, seed: int) -> list[dict]:
    """At most ``max_per_kind`` questions per (kind, split), a seeded sample; order kept stable."""
    if not max_per_kind:
        return questions
    groups: dict[tuple, list[dict]] = {}
    for q in questions:
        groups.setdefault((q["kind"], q["split"]), []).append(q)
    out = []
    for key in sorted(groups):
        g = sorted(groups[key], key=lambda q: q["id"])
        random.Random(f"{seed}:{key}").shuffle(g)
        out += g[:max_per_kind]
    return out
