"""Law-QA generation: (question, answer, reference) triples from statute articles, plus human-written QA.

LegalMidm's instruction data pairs questions about statutes with answers grounded in the article they cite. Two
backends produce such triples from the snapshot's ``statutes`` table:

* ``template`` — deterministic and offline, so the pipeline runs with no endpoint and CI can test it. It asks
  only what the article's own wording answers: penalties ("…자는 어떻게 처벌되는가?"), numbers as a cloze,
  definitions ("X"란 … 말한다), which article says this, and an article's title. Answers are the article's own
  sentences, which is exactly what the verifier can check and what a small model can learn.
* ``openai`` — any OpenAI-compatible chat endpoint through ``lexlab.models.llm_client`` (cached on disk, retried),
  prompted in Korean to write one question and answer from the article alone.

FSC law interpretations (question → 회답) join the pool as human-written items. Only articles and
interpretations in the ``train`` split take part, so no evaluation question is ever derived from them.

Every item is a flat dict (one JSONL line): ``id, question, answer, reference, citation, law, article,
article_no, source, kind, human``. ``reference`` is the cited article as printed (heading + text, amendment notes
removed) — what the training formats put after the answer or into the prompt; ``citation`` is "법령 제N조".
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from lexlab.data import splits
from lexlab.legalmidm.qa.verify import (ArticleIndex, VerifyConfig, VerifyReport, quantities, strip_annotations,
                                        verify_items)
from lexlab.workbench.io import write_jsonl

BACKENDS = ("template", "openai")
TEMPLATE_KINDS = ("penalty", "number_cloze", "definition", "which_article", "title")

# -- article text --------------------------------------------------------------------------------------------------
_PARA_MARK = re.compile(r"^\s*[①-⑳㉑-㉟]\s*")
_ITEM_MARK = re.compile(r"^\s*(?:\d+(?:의\d+)?\.|[가-하]\.)\s*")
_DELETED = re.compile(r"^\s*삭제\s*(?:<[^>]*>)?\s*$")


def citation(row: Mapping[str, Any]) -> str:
    return f"{row['law']} {row['article']}"


def heading(row: Mapping[str, Any]) -> str:
    title = str(row.get("title") or "").strip()
    return f"{citation(row)}({title})" if title else citation(row)


def reference_text(row: Mapping[str, Any]) -> str:
    """The cited article as a reader sees it: heading, then the text without amendment notes."""
    return f"{heading(row)}\n{strip_annotations(row['text'])}"


def sentences(row: Mapping[str, Any]) -> list[str]:
    """The article's lines with paragraph/item markers removed — the units answers are cut from."""
    out = []
    for line in strip_annotations(row.get("text") or "").splitlines():
        line = _ITEM_MARK.sub("", _PARA_MARK.sub("", line)).strip()
        if len(line) >= 10 and not _DELETED.match(line):
            out.append(line)
    return out


def usable(row: Mapping[str, Any], min_chars: int = 15) -> bool:
    """Deleted or near-empty articles ("삭제 <2016.1.6>") have nothing to ask about."""
    text = strip_annotations(row.get("text") or "")
    return not row.get("deleted") and len(text) >= min_chars and not _DELETED.match(text)


def _josa(word: str, with_final: str, without_final: str) -> str:
    """Pick the particle form by whether the word's last syllable has a final consonant (받침)."""
    ch = word.strip()[-1:] if word.strip() else ""
    if "가" <= ch <= "힣":
        return with_final if (ord(ch) - 0xAC00) % 28 else without_final
    return with_final if ch.isdigit() and ch in "013678" else without_final


def _excerpt(text: str, max_chars: int = 200) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut + " …"


# -- template backend ----------------------------------------------------------------------------------------------
_PENALTY = re.compile(
    r"(?:\d[\d,]*(?:\s?[십백천만억]+)?\s?(?:년|개월|원)\s?(?:이상|이하|미만)의\s?(?:유기)?(?:징역|금고|벌금|과태료|자격정지)"
    r"|무기(?:징역|금고)|사형|구류|과료)"
)
_SUBJECT_END = re.compile(r"(?:자|사람|경우|때|기관|법인|단체)(?:는|에는|에도|은)\s")
_DEFINITION = re.compile(
    r"^[\"“‘'「](?P<term>[^\"”’'」]{1,40})[\"”’'」](?:이)?란\s+(?P<body>.+?)(?:을|를)\s*말한다"
)
_QTY_SPAN = re.compile(
    r"(?<![\d제.])\d[\d,]*(?:\.\d+)?(?:\s?[십백천만억조]+(?:\s?\d[\d,]*)?)*\s?(?:원|년|개월|일|시간|세|명|퍼센트|%|배|회)"
    r"|(?<![\d.])\d[\d,]*\s?분의\s?\d[\d,]*"
)


def _penalty_items(row, rng) -> Iterable[dict]:
    for sent in sentences(row):
        pen = _PENALTY.search(sent)
        if not pen or not re.search(r"처한다|처할 수 있다|부과한다", sent):
            continue
        subjects = [m for m in _SUBJECT_END.finditer(sent, 0, pen.start())]
        if not subjects:
            continue
        subject = sent[: subjects[-1].end()].strip()
        if len(subject) < 8 or "다음 각" in subject:  # "다음 각 호의 어느 하나에 해당하는 자는": which one?
            continue
        yield {"question": f"{heading(row)}에 따르면 {subject} 어떻게 처벌되는가?", "answer": sent}


def _cloze_items(row, rng) -> Iterable[dict]:
    for sent in sentences(row):
        if not sent.endswith("다."):  # list items ("…종료 후 3개월이 되는 날") lack the context to be asked alone
            continue
        spans = [m for m in _QTY_SPAN.finditer(sent) if quantities(m.group(0))]
        if not spans:
            continue
        m = rng.choice(spans)
        blanked = f"{sent[: m.start()]}(    ){sent[m.end():]}"
        yield {
            "question": f"다음은 {heading(row)}의 규정이다. 빈칸 (    )에 들어갈 말을 넣어 규정을 완성하시오.\n{blanked}",
            "answer": sent,
            "blank": m.group(0),
        }


def _definition_items(row, rng) -> Iterable[dict]:
    for sent in sentences(row):
        m = _DEFINITION.match(sent)
        if not m:
            continue
        term, body = m.group("term").strip(), m.group("body")
        if "다음 각" in body or len(body) < 5:  # the meaning lives in sub-items we did not quote: degenerate
            continue
        ran = _josa(term, "이란", "란")
        yield {"question": f"{row['law']}에서 \"{term}\"{ran} 무엇을 말하는가?", "answer": sent, "term": term}


def _which_article_items(row, rng) -> Iterable[dict]:
    body = " ".join(sentences(row))
    if len(body) < 20:
        return
    yield {"question": f"다음 내용을 규정한 {row['law']} 조문은?\n{_excerpt(body)}", "answer": heading(row)}


def _title_items(row, rng) -> Iterable[dict]:
    title = str(row.get("title") or "").strip()
    if len(title) < 2 or title == "삭제":
        return
    yield {"question": f"{citation(row)}의 제목은 무엇인가?", "answer": heading(row)}


_GENERATORS: dict[str, Callable] = {
    "penalty": _penalty_items,
    "number_cloze": _cloze_items,
    "definition": _definition_items,
    "which_article": _which_article_items,
    "title": _title_items,
}


def template_items(
    row: Mapping[str, Any], kinds: Sequence[str] = TEMPLATE_KINDS, per_kind: int = 2, seed: int = 0
) -> list[dict]:
    """All template items for one article (at most ``per_kind`` of each kind), deterministic given ``seed``."""
    unknown = set(kinds) - set(_GENERATORS)
    if unknown:
        raise ValueError(f"unknown template kind(s) {sorted(unknown)}; choose from {TEMPLATE_KINDS}")
    if not usable(row):
        return []
    rng = random.Random(f"{seed}:{row['law']}:{row['article_no']}")
    out = []
    for kind in kinds:
        for i, raw in enumerate(_GENERATORS[kind](row, rng)):
            if i >= per_kind:
                break
            out.append(_item(row, raw, source="template", kind=kind))
    return out


def _item(row: Mapping[str, Any], raw: Mapping[str, Any], source: str, kind: str) -> dict:
    item = {
        "question": raw["question"].strip(),
        "answer": raw["answer"].strip(),
        "reference": reference_text(row),
        "citation": citation(row),
        "law": row["law"],
        "article": row["article"],
        "article_no": str(row["article_no"]),
        "source": source,
        "kind": kind,
        "human": False,
    }
    item.update({k: v for k, v in raw.items() if k not in item})
    item["id"] = _item_id(source, kind, item["citation"], item["question"])
    return item


def _item_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


# -- openai backend ------------------------------------------------------------------------------------------------
SYSTEM_PROMPT = (
    "당신은 한국 법령을 정확하게 설명하는 법률 전문가입니다. 주어진 조문에 근거한 질문과 답을 "
    "JSON 객체 하나로만 출력합니다."
)
USER_PROMPT = """법령: {law}
조문: {heading}
본문:
{text}

위 조문의 내용만으로 답할 수 있는 질문 하나와 그 답을 만드세요.
- 질문에는 법령명과 조문 번호를 넣으세요.
- 답은 조문의 표현을 가능한 한 그대로 사용하세요.
- 조문에 없는 숫자, 기간, 금액, 조문 번호를 쓰지 마세요.
출력 형식(JSON): {{"question": "...", "answer": "..."}}"""
QA_SCHEMA = {"question": str, "answer": str}


def openai_messages(row: Mapping[str, Any], max_chars: int = 3000) -> list[dict[str, str]]:
    text = strip_annotations(row["text"])
    if len(text) > max_chars:
        text = text[:max_chars] + " …"
    user = USER_PROMPT.format(law=row["law"], heading=heading(row), text=text)
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def _nonblank(obj: dict) -> None:
    if not obj["question"].strip() or not obj["answer"].strip():
        raise ValueError("question or answer is blank")


def openai_items(
    rows: Sequence[Mapping[str, Any]], client, workers: int = 4, progress: bool = True
) -> tuple[list[dict], list[dict]]:
    """One LLM-written item per article; returns (items, failures) — failures are requests that never gave a
    valid answer, kept as rejects with reason ``llm_error`` rather than silently dropped."""
    rows = [r for r in rows if usable(r)]
    answers = client.map_json(
        [openai_messages(r) for r in rows], schema_hint=QA_SCHEMA, validate=_nonblank,
        workers=workers, progress=progress, desc="openai QA",
    )
    items, failures = [], []
    for row, ans in zip(rows, answers):
        if isinstance(ans, Exception):
            failures.append({
                "id": _item_id("openai", "llm_error", citation(row)), "question": "", "answer": "",
                "citation": citation(row), "law": row["law"], "article": row["article"], "source": "openai",
                "kind": "llm", "human": False, "verdict": {"accepted": False, "reason": "llm_error", "detail": str(ans)[:500]},
            })
        else:
            items.append(_item(row, {"question": ans["question"], "answer": ans["answer"]}, source="openai", kind="llm"))
    return items, failures


# -- human-written items -------------------------------------------------------------------------------------------
def _clean_human(text: str) -> str:
    text = str(text or "").replace("\u00a0", " ")
    text = re.sub(r"(?m)^\s*[ㅇ○□■◦·-]\s*", "", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def interpretation_items(interpretations: pd.DataFrame, split: str = "train") -> list[dict]:
    """FSC law interpretations (질의 → 회답) of the given split as human-written QA items."""
    if interpretations is None or interpretations.empty:
        return []
    missing = {"doc_id", "question", "answer"} - set(interpretations.columns)
    if missing:
        raise ValueError(f"interpretations table lacks field(s) {sorted(missing)}")
    out = []
    for row in interpretations.to_dict("records"):
        if splits.split_of(splits.interp_key(row["doc_id"])) != split:
            continue
        laws = [str(x) for x in (row.get("related_laws") if row.get("related_laws") is not None else [])]
        q, a = _clean_human(row["question"]), _clean_human(row["answer"])
        out.append({
            "id": _item_id("interpretation", str(row["doc_id"])),
            "question": q, "answer": a, "reference": "; ".join(laws), "citation": "; ".join(laws),
            "law": "", "article": "", "article_no": "", "source": "interpretation", "kind": "interpretation",
            "human": True, "doc_id": str(row["doc_id"]), "title": str(row.get("title") or ""),
        })
    return out


# -- selection and the stage ---------------------------------------------------------------------------------------
def _law_list(laws: str | Sequence[str] | None) -> list[str]:
    if not laws:
        return []
    if isinstance(laws, str):
        laws = laws.split(",")
    return [re.sub(r"\s+", "", x) for x in laws if x.strip()]


def train_articles(
    statutes: pd.DataFrame,
    laws: str | Sequence[str] | None = None,
    max_articles: int = 0,
    seed: int = 0,
    split: str = "train",
) -> pd.DataFrame:
    """Articles eligible for generation: the given split (train by default), optional laws filter, optional
    deterministic sample of ``max_articles`` (0 = all)."""
    df = statutes
    wanted = _law_list(laws)
    if wanted:
        known = set(df["law"].str.replace(r"\s+", "", regex=True))
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise ValueError(f"laws filter names law(s) not in the snapshot's statutes table: {unknown}")
        df = df[df["law"].str.replace(r"\s+", "", regex=True).isin(wanted)]
    keys = [splits.statute_key(law, no) for law, no in zip(df["law"], df["article_no"])]
    df = df[[splits.split_of(k) == split for k in keys]]
    if max_articles and len(df) > max_articles:
        df = df.sample(n=max_articles, random_state=seed).sort_index()
    return df


def generate(
    statutes: pd.DataFrame,
    backend: str = "template",
    client=None,
    laws: str | Sequence[str] | None = None,
    max_articles: int = 0,
    seed: int = 0,
    kinds: Sequence[str] = TEMPLATE_KINDS,
    per_kind: int = 2,
    workers: int = 4,
    progress: bool = True,
) -> tuple[list[dict], list[dict]]:
    """Unverified items from the train-split articles; returns (items, generation_failures)."""
    articles = train_articles(statutes, laws=laws, max_articles=max_articles, seed=seed)
    return generate_from(articles, backend=backend, client=client, seed=seed, kinds=kinds, per_kind=per_kind,
                         workers=workers, progress=progress)


def generate_from(
    articles: pd.DataFrame,
    backend: str = "template",
    client=None,
    seed: int = 0,
    kinds: Sequence[str] = TEMPLATE_KINDS,
    per_kind: int = 2,
    workers: int = 4,
    progress: bool = True,
) -> tuple[list[dict], list[dict]]:
    """``generate`` on articles already selected (``train_articles``); returns (items, generation_failures)."""
    from lexlab.workbench.progress import item_bar as tqdm

    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")
    rows = articles.to_dict("records")
    if backend == "template":
        items = []
        for row in tqdm(rows, desc="template QA", disable=not progress):
            items.extend(template_items(row, kinds=kinds, per_kind=per_kind, seed=seed))
        return items, []
    if client is None:
        raise ValueError("backend 'openai' needs an LLMClient (lexlab.models.llm_client.LLMClient)")
    return openai_items(rows, client, workers=workers, progress=progress)


def run_stage(
    statutes: pd.DataFrame,
    interpretations: pd.DataFrame | None,
    out_dir: str | Path,
    backend: str = "template",
    client=None,
    include_interpretations: bool = True,
    verify_cfg: VerifyConfig = VerifyConfig(),
    progress: bool = True,
    **gen_kwargs: Any,
) -> dict[str, Any]:
    """Generate, verify and write ``accepted.jsonl`` (shuffled by ``seed``), ``rejected.jsonl`` and
    ``stats.json`` under ``out_dir``.

    Returns the stats: counts by source and reason, accepted counts by source/kind, timings and, for the openai
    backend, the client's request/cache counters.
    """
    t0 = time.perf_counter()
    # the articles are selected once: generation reads them and the stats count them
    selection = {k: gen_kwargs.pop(k) for k in ("laws", "max_articles") if k in gen_kwargs}
    articles = train_articles(statutes, seed=gen_kwargs.get("seed", 0), **selection)
    items, failures = generate_from(articles, backend=backend, client=client, progress=progress, **gen_kwargs)
    t_gen = time.perf_counter() - t0
    if include_interpretations:
        items += interpretation_items(interpretations)
    index = ArticleIndex(statutes, ngram=verify_cfg.ngram)
    report = _verify(items, failures, index, verify_cfg)
    out = Path(out_dir)
    # Shuffled (seeded) so that any prefix, e.g. a max_qa_items cap downstream, is a fair sample of kinds,
    # laws and sources rather than the first laws' title questions.
    random.Random(gen_kwargs.get("seed", 0)).shuffle(report.accepted)
    write_jsonl(report.accepted, out / "accepted.jsonl")
    write_jsonl(report.rejected, out / "rejected.jsonl")
    stats = {
        "backend": backend,
        "n_items": len(items) + len(failures),
        **_verdict_counts(report),
        "n_articles_used": len(articles),
        "n_articles_indexed": len(index),
        "generate_s": round(t_gen, 3),
        "total_s": round(time.perf_counter() - t0, 3),
    }
    if client is not None:
        stats["llm"] = client.stats
    (out / "stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
    if not report.accepted:
        raise NoAcceptedItems(_no_items_message(report, out))
    return stats


class NoAcceptedItems(RuntimeError):
    """Stage 02 produced nothing to train on (every item rejected, e.g. the LLM endpoint down)."""


def _no_items_message(report: VerifyReport, out: Path) -> str:
    """Why nothing was accepted: the reject reasons and, when requests failed, the first request error."""
    reasons = Counter(it["verdict"]["reason"] for it in report.rejected)
    text = ", ".join(f"{r} {n}" for r, n in reasons.most_common()) or "no items generated"
    errors = [it["verdict"].get("detail", "") for it in report.rejected if it["verdict"]["reason"] == "llm_error"]
    cause = f"; first LLM error: {errors[0]}" if errors else ""
    return (f"no QA item was accepted ({text}){cause}. Rejects are kept in {out / 'rejected.jsonl'}; "
            "stage 04 would have nothing to train on")


def _verify(items: list[dict], failures: list[dict], index: ArticleIndex, cfg: VerifyConfig) -> VerifyReport:
    """The verifier's report, with the generation failures added as ``llm_error`` rejects."""
    report = verify_items(items, index, cfg)
    report.rejected.extend(failures)
    if failures:
        report.counts["llm_error"] += len(failures)
    return report


def _verdict_counts(report: VerifyReport) -> dict[str, Any]:
    """Accepted/rejected totals, items per reason, per (source, reason), and accepted per (source, kind)."""
    by_reason = Counter((it["source"], it["verdict"]["reason"]) for it in report.accepted + report.rejected)
    by_kind = Counter((it["source"], it["kind"]) for it in report.accepted)
    return {
        "n_accepted": len(report.accepted),
        "n_rejected": len(report.rejected),
        "reasons": dict(report.counts),
        "by_source_reason": [{"source": s, "reason": r, "n": n} for (s, r), n in sorted(by_reason.items())],
        "accepted_by_source_kind": [{"source": s, "kind": k, "n": n} for (s, k), n in sorted(by_kind.items())],
    }
