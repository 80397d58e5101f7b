"""When to answer "not found", and the calibration of that decision on a dev set.

Two signals, either one suffices:

- ``unknown_law``: the question names a law (``lexlab.ask.law_names``) and none of the laws it names is in the
  index — asking about 「저작권법」 where no 저작권법 is held has no answer here, whatever the retriever returns;
- ``low_confidence``: the retrieval confidence (``StatuteRetriever.confidence``) is below ``threshold``.

The threshold is calibrated on dev questions (answerable ones with a gold article, unanswerable ones from laws held
out of the index and out-of-scope questions; ``lexlab.ask.questions``): the highest threshold whose false "not
found" rate on answerable dev questions stays within ``max_false_not_found``. ``Calibration`` keeps it with the dev
rates it was chosen at and is stored next to the index, so ``lexlab ask`` calibrates once and reuses it.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

NOT_FOUND_ANSWER = "제공된 법령 자료에서 이 질문에 답하는 조문을 찾지 못했습니다. 질문을 더 구체적으로 하거나 해당 법령을 직접 확인하세요."
GENERATOR_SAYS_NO = "제공된 법령 자료의 조문만으로는 이 질문에 답할 수 없습니다."


@dataclass
class Calibration:
    threshold: float
    max_false_not_found: float
    dev_false_not_found: float      # answerable dev questions answered "not found" (either signal)
    dev_caught: float               # unanswerable dev questions answered "not found" (either signal)
    n_answerable: int
    n_unanswerable: int
    retriever: str = ""

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Calibration":
        try:
            return cls(**json.loads(Path(path).read_text(encoding="utf-8")))
        except (TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not a calibration file ({exc}); delete it to recalibrate") from exc


_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAGS = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->|&[a-z]+;|&#\d+;", re.S)
_MARKUP = re.compile(r"```\w*|`|\*\*|__|^#+\s|\[([^\]]*)\]\([^)]*\)|https?://\S+", re.M)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
MIN_HANGUL, MIN_KOREAN_SHARE = 2, 0.3


def clean_question(question: str) -> str:
    """The question without markup (HTML tags and entities, script/style blocks, Markdown marks, links), which
    retrieval would otherwise match as words."""
    text = _TAGS.sub(" ", _BLOCKS.sub(" ", question))
    text = _MARKUP.sub(lambda m: f" {m.group(1) or ''} ", text)
    return " ".join(text.split())


def out_of_scope(question: str) -> str | None:
    """``not_korean`` when the (cleaned) question is not Korean: the statutes are, and an English question
    ("What is the punishment for fraud?") retrieved an unrelated article with confidence; else None."""
    hangul, latin = len(_HANGUL.findall(question)), len(_LATIN.findall(question))
    if hangul < MIN_HANGUL or hangul / max(1, hangul + latin) < MIN_KOREAN_SHARE:
        return "not_korean"
    return None


def decide(confidence: float, unknown_law: bool, threshold: float) -> str | None:
    """The reason for "not found" (``unknown_law`` / ``low_confidence``), or None to answer."""
    if unknown_law:
        return "unknown_law"
    if confidence < threshold:
        return "low_confidence"
    return None


def calibrate(conf: Sequence[float], unknown: Sequence[bool], answerable: Sequence[bool],
              max_false_not_found: float = 0.1, retriever: str = "") -> Calibration:
    """The highest threshold keeping the false "not found" rate on answerable questions within the target."""
    conf, unknown, answerable = np.asarray(conf, float), np.asarray(unknown, bool), np.asarray(answerable, bool)
    if not answerable.any() or answerable.all():
        raise ValueError("calibration needs answerable and unanswerable dev questions")
    best = 0.0
    for t in np.unique(np.concatenate([[0.0], conf[answerable]])):
        nf = unknown | (conf < t)
        if nf[answerable].mean() <= max_false_not_found:
            best = float(t)
    nf = unknown | (conf < best)
    return Calibration(best, max_false_not_found, float(nf[answerable].mean()), float(nf[~answerable].mean()),
                       int(answerable.sum()), int((~answerable).sum()), retriever)
