"""A hand-written statute table for the ask tests: two small laws, one deleted article."""
from __future__ import annotations

from lexlab.ask.statute_index import from_rows

ROWS = [
    {"law": "형법", "article": "제347조", "article_no": "347", "title": "사기",
     "text": "① 사람을 기망하여 재물의 교부를 받거나 재산상의 이익을 취득한 자는 10년 이하의 징역 또는 2천만원 이하의 벌금에 처한다.\n"
             "② 전항의 방법으로 제삼자로 하여금 재물의 교부를 받게 하거나 재산상의 이익을 취득하게 한 때에도 전항의 형과 같다.",
     "paragraphs": ["① 사람을 기망하여 재물의 교부를 받거나 재산상의 이익을 취득한 자는 10년 이하의 징역 또는 2천만원 이하의 벌금에 처한다.",
                    "② 전항의 방법으로 제삼자로 하여금 재물의 교부를 받게 하거나 재산상의 이익을 취득하게 한 때에도 전항의 형과 같다."]},
    {"law": "형법", "article": "제348조", "article_no": "348", "title": "준사기",
     "text": "① 미성년자의 사리분별력 부족 또는 사람의 심신장애를 이용하여 재물의 교부를 받거나 재산상의 이익을 취득한 자는 "
             "10년 이하의 징역 또는 2천만원 이하의 벌금에 처한다."},
    {"law": "형법", "article": "제349조", "article_no": "349", "title": "삭제", "text": "삭제 <1995.12.29>", "deleted": True},
    {"law": "도로교통법", "article": "제44조", "article_no": "44", "title": "술에 취한 상태에서의 운전 금지",
     "text": "① 누구든지 술에 취한 상태에서 자동차등을 운전하여서는 아니 된다."},
    {"law": "도로교통법", "article": "제148조의2", "article_no": "148의2", "title": "벌칙",
     "text": "① 술에 취한 상태에서 자동차등을 운전한 사람은 2년 이상 5년 이하의 징역이나 1천만원 이상 2천만원 이하의 벌금에 처한다."},
]


def index():
    return from_rows(ROWS, "test-rows")
