"""The no-model generator: the most relevant paragraph of the best retrieved article, verbatim.

"Most relevant" is the paragraph (항) sharing the most character bigrams with the question (each bigram weighted
by how rare it is among the article's paragraphs, so a word every paragraph repeats decides nothing); ties go to
the earlier paragraph. It cites exactly the one article it quotes.
"""
from __future__ import annotations

import math
import re
from typing import Sequence

from lexlab.ask.generators import Generation, Generator, Reference

_DROP = re.compile(r"[\s\W_]+")


def _bigrams(text: str) -> set[str]:
    s = _DROP.sub("", text)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def paragraphs(ref: Reference) -> list[str]:
    paras = [p.strip() for p in (ref.paragraphs or []) if p and p.strip()]
    if not paras:
        paras = [p.strip() for p in ref.body().split("\n") if p.strip()]
    return paras or [ref.body()]


def best_paragraph(question: str, ref: Reference) -> str:
    from lexlab.legalmidm.qa.verify import strip_annotations

    paras = [strip_annotations(p) for p in paragraphs(ref)]
    grams = [_bigrams(p) for p in paras]
    q = _bigrams(question)
    df = {g: sum(g in pg for pg in grams) for g in q}
    scores = [sum(math.log(1 + len(paras) / df[g]) for g in q & pg) for pg in grams]
    return paras[max(range(len(paras)), key=lambda i: (scores[i], -i))]


class ExtractiveGenerator(Generator):
    name = "extractive"

    def generate(self, questions: Sequence[str], references: Sequence[Sequence[Reference]]) -> list[Generation]:
        out = []
        for q, refs in zip(questions, references):
            if not refs:
                out.append(Generation("", [], answerable=False))
                continue
            out.append(Generation(f"{refs[0].heading()}: {best_paragraph(q, refs[0])}", [0]))
        return out
