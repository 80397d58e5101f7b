"""Stage 11: how well ``lexlab ask`` answers, cites and abstains, on held-out questions (``lexlab.ask.questions``).

Per question (``score_results``): retrieval recall@k / hit@k of the gold articles; for answered answerable
questions, citation precision and recall (a citation counts when law and article both match a gold article) and
ROUGE-L of the answer against the gold answer (character tokens, ``lexlab.legalmidm.metrics``; the notice line is
not scored); whether the answer was "not found"; whether a guardrail flagged it. ``summarize`` turns the rows into
metrics with percentile-bootstrap intervals (``.ci_low`` / ``.ci_high``), every one a mean over the questions it is
defined on:

==========================  =================================================================================
``recall_at_k`` ``hit_at_k``  answerable questions
``citation_precision/recall`` answerable questions that were answered
``rougeL_char``               answerable questions that were answered
``false_not_found``           answerable questions answered "not found" (target ≤ 0.10)
``not_found_recall``          unanswerable questions answered "not found" — the caught rate (target ≥ 0.70)
``not_found_precision``       questions answered "not found" that were unanswerable
``flag_rate``                 answered questions a guardrail flagged
``gold_cited``                answerable questions whose answer cites a gold article ("not found" counts as not)
==========================  =================================================================================

The lay set (``lexlab.ask.lay_questions``: everyday-language questions from dev/test decisions' facts and a few
hand-written dev ones) is answered by the same calibrated pipeline (``evaluate_lay``); its headline numbers are
``hit_at_k`` (the deciding article among the top k) and ``gold_cited`` (the deciding article cited).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import pandas as pd

from lexlab.ask.answer import AskConfig, Asker, AskResult
from lexlab.ask.calibration import EvalSetup, calibrate_on, signals
from lexlab.ask.generators import Generator
from lexlab.ask.guardrails import without_notice
from lexlab.ask.retrieve import RetrieverConfig, StatuteRetriever
from lexlab.legalmidm.metrics import rouge_l
from lexlab.workbench import stats
from lexlab.workbench.stats import bootstrap_ci

METRICS = {  # metric → (row column, which rows)
    "recall_at_k": ("recall", "answerable"), "hit_at_k": ("hit", "answerable"),
    "citation_precision": ("citation_precision", "answered"), "citation_recall": ("citation_recall", "answered"),
    "rougeL_char": ("rougeL_char", "answered"), "false_not_found": ("not_found", "answerable"),
    "not_found_recall": ("not_found", "unanswerable"), "not_found_precision": ("unanswerable", "said_not_found"),
    "flag_rate": ("flagged", "found"), "gold_cited": ("gold_cited", "answerable"),
}


def retrieval_rows(setup: EvalSetup, questions: Sequence[dict], k: int) -> pd.DataFrame:
    """Recall@k and hit@k of the gold articles for the answerable questions (the retrieval ablation's unit)."""
    qs = [q for q in questions if q["answerable"]]
    hits, _, _ = signals(setup, qs, k)
    rows = []
    for q, h in zip(qs, hits):
        gold, got = set(q["gold"]), {x.doc_id for x in h[:k]}
        rows.append({"id": q["id"], "kind": q["kind"], "recall": len(gold & got) / len(gold),
                     "hit": float(bool(gold & got)), "p_at_1": float(bool(h) and h[0].doc_id in gold)})
    return pd.DataFrame(rows)


# The retrieval ablation: each row adds one change to the row above (the last row is `lexlab ask`'s default).
ABLATION = [
    ("char2", RetrieverConfig("bm25", {"tokenizer": "char2"}, title_weight=1, law_weight=1, law_first=False,
                              strip_question_words=False, lay_weight=0)),
    ("+word tokens", RetrieverConfig("bm25", {"tokenizer": "word+char2"}, title_weight=1, law_weight=1,
                                     law_first=False, strip_question_words=False, lay_weight=0)),
    ("+title x3, law x2", RetrieverConfig("bm25", {"tokenizer": "word+char2"}, law_first=False,
                                          strip_question_words=False, lay_weight=0)),
    ("+named law first", RetrieverConfig("bm25", {"tokenizer": "word+char2"}, strip_question_words=False,
                                         lay_weight=0)),
    ("+filler words dropped", RetrieverConfig("bm25", {"tokenizer": "word+char2"}, named_articles_first=False,
                                              lay_weight=0)),
    ("+named articles first", RetrieverConfig("bm25", {"tokenizer": "word+char2"}, lay_weight=0)),
    ("+lay term map", RetrieverConfig("bm25", {"tokenizer": "word+char2"})),
]


def ablation_variants(dense_model: str = "") -> list[tuple[str, RetrieverConfig]]:
    """``ABLATION``, plus a dense retriever over ``dense_model`` when given."""
    dense = [("dense", RetrieverConfig("dense", {"model": dense_model}, law_first=False, named_articles_first=False,
                                          lay_weight=0))]
    return ABLATION + (dense if dense_model else [])


def recall_table(setup: EvalSetup, questions: Sequence[dict], k: int,
                 variants: Sequence[tuple[str, RetrieverConfig]]) -> pd.DataFrame:
    """retriever × (recall@k, hit@k, P@1, recall@k per question kind) on the answerable ``questions``."""
    rows = []
    for name, rcfg in variants:
        variant_setup = EvalSetup(setup.index, StatuteRetriever(setup.index, rcfg), setup.questions, setup.heldout)
        rr = retrieval_rows(variant_setup, questions, k)
        row = {"retriever": name, "recall@k": rr["recall"].mean(), "hit@k": rr["hit"].mean(),
               "P@1": rr["p_at_1"].mean()}
        row.update({f"recall@k {kind}": v for kind, v in rr.groupby("kind")["recall"].mean().items()})
        rows.append(row)
    return pd.DataFrame(rows).set_index("retriever")


def threshold_curve(setup: EvalSetup, questions: Sequence[dict], k: int, confidence: str,
                    max_quantile: float = 0.6, points: int = 61) -> pd.DataFrame:
    """What each "not found" threshold would trade on ``questions`` (dev): the false "not found" rate on the
    answerable ones against the share of unanswerable ones caught, thresholds at quantiles of the answerable
    questions' confidence."""
    answerable = np.array([q["answerable"] for q in questions])
    _, conf, unknown = signals(setup, list(questions), k, confidence)
    conf, unknown = np.array(conf), np.array(unknown)
    thresholds = np.unique(np.quantile(conf[answerable], np.linspace(0, max_quantile, points)))
    said_not_found = [unknown | (conf < t) for t in thresholds]
    return pd.DataFrame({"threshold": thresholds,
                         "false_not_found": [nf[answerable].mean() for nf in said_not_found],
                         "caught": [nf[~answerable].mean() for nf in said_not_found]})


def score_results(questions: Sequence[dict], results: Sequence[AskResult], k: int) -> pd.DataFrame:
    rows = []
    for q, r in zip(questions, results):
        gold = set(q["gold"])
        cited = [c.doc_id for c in r.citations]
        got = {h.doc_id for h in r.retrieved[:k]}
        row = {"id": q["id"], "kind": q["kind"], "origin": q.get("origin", q["kind"]), "answerable": q["answerable"], "unanswerable": not q["answerable"],
               "found": r.found, "not_found": not r.found, "reason": r.not_found_reason or "",
               "confidence": r.confidence, "flagged": any(f.startswith("number_not_in_citation") for f in r.flags),
               "withheld": "withheld" in r.flags, "question": q["question"], "answer": without_notice(r.answer),
               "gold_answer": q.get("gold_answer", ""), "cited": "; ".join(f"{c.law} {c.article}" for c in r.citations)}
        if q["answerable"]:
            row.update(recall=len(gold & got) / len(gold), hit=float(bool(gold & got)),
                       gold_cited=float(r.found and bool(gold & set(cited))))
            if r.found:
                hit = len(gold & set(cited))
                row.update(citation_precision=hit / len(cited) if cited else 0.0, citation_recall=hit / len(gold))
        rows.append(row)
    df = pd.DataFrame(rows)
    answered = df["answerable"] & df["found"]
    df["rougeL_char"] = np.nan
    if answered.any():
        df.loc[answered, "rougeL_char"] = rouge_l(list(df.loc[answered, "answer"]),
                                                  list(df.loc[answered, "gold_answer"]), "char")
    return df


def _subset(df: pd.DataFrame, which: str) -> pd.DataFrame:
    masks = {"answerable": df["answerable"], "unanswerable": ~df["answerable"],
             "answered": df["answerable"] & df["found"], "found": df["found"], "said_not_found": df["not_found"]}
    return df[masks[which]]


def summarize(df: pd.DataFrame, n_boot: int = stats.N_RESAMPLES, seed: int = 0) -> dict[str, float]:
    out: dict[str, float] = {"n_answerable": float(df["answerable"].sum()),
                             "n_unanswerable": float((~df["answerable"]).sum())}
    for name, (col, which) in METRICS.items():
        sub = _subset(df, which)
        values = sub[col].astype(float).dropna() if col in sub else pd.Series(dtype=float)
        point, low, high = bootstrap_ci(values.to_numpy(), n_boot=n_boot, seed=seed)
        out.update({name: point, f"{name}.ci_low": low, f"{name}.ci_high": high})
    return out


def calibrated_asker(setup: EvalSetup, config: AskConfig, generator: Generator, progress: bool = False
                     ) -> tuple[Asker, object]:
    """An ``Asker`` on the evaluation index with the "not found" threshold calibrated on the dev questions."""
    cal = calibrate_on(setup, config)
    asker = Asker(setup.index, AskConfig(**{**config.__dict__, "threshold": cal.threshold}), setup.retriever,
                  generator, progress=progress)
    return asker, cal


def evaluate(setup: EvalSetup, config: AskConfig, generator: Generator, split: str = "test", n_boot: int = stats.N_RESAMPLES,
             seed: int = 0, progress: bool = False) -> tuple[dict[str, float], pd.DataFrame]:
    """Calibrate on the dev questions, answer the ``split`` questions with ``generator``, score them."""
    asker, cal = calibrated_asker(setup, config, generator, progress)
    qs = [q for q in setup.questions if q["split"] == split]
    rows = score_results(qs, asker.ask(qs), config.k)
    metrics = summarize(rows, n_boot, seed)
    metrics.update({"threshold": cal.threshold, "dev_false_not_found": cal.dev_false_not_found,
                    "dev_not_found_recall": cal.dev_caught})
    return metrics, rows


def evaluate_lay(setup: EvalSetup, config: AskConfig, generator: Generator, questions: Sequence[dict],
                 split: str = "test", origin: str = "", n_boot: int = stats.N_RESAMPLES, seed: int = 0
                 ) -> tuple[dict[str, float], pd.DataFrame]:
    """The lay ``questions`` of ``split`` (and ``origin`` when given), their gold cut to the articles the evaluation
    index holds (a question with none left is dropped), answered with the threshold calibrated as in ``evaluate``,
    scored."""
    asker, _ = calibrated_asker(setup, config, generator)
    held = setup.index.articles.index
    qs = [dict(q, gold=[g for g in q["gold"] if g in held]) for q in questions
          if q["split"] == split and (not origin or q.get("origin") == origin)]
    qs = [q for q in qs if q["gold"]]
    if not qs:
        return {}, pd.DataFrame()
    rows = score_results(qs, asker.ask(qs), config.k)
    return summarize(rows, n_boot, seed), rows


LAY_HEADLINE = ["recall_at_k", "hit_at_k", "gold_cited", "citation_precision", "false_not_found"]


def without_lay(setup: EvalSetup, config: AskConfig) -> tuple[EvalSetup, AskConfig]:
    """The same setup and config with the lay term map off (``lay_weight=0``)."""
    rcfg = replace(config.retriever, lay_weight=0.0)
    return (EvalSetup(setup.index, StatuteRetriever(setup.index, rcfg), setup.questions, setup.heldout),
            replace(config, retriever=rcfg))


def lay_report(setup: EvalSetup, config: AskConfig, generator: Generator, lay_qs: Sequence[dict], split: str = "test",
               n_boot: int = stats.N_RESAMPLES, seed: int = 0) -> tuple[dict, dict]:
    """Metrics and rows, keyed (retriever, question set), with and without the lay map: today's ``split``
    questions, the lay questions from decisions of ``split``, the hand-written lay questions (dev)."""
    metrics, rows = {}, {}
    for name, (s, c) in {"lay map": (setup, config), "no lay map": without_lay(setup, config)}.items():
        metrics[(name, f"today ({split})")], rows[(name, "today")] = evaluate(s, c, generator, split, n_boot, seed)
        for origin, qsplit in (("decision", split), ("hand", "dev")):
            m, r = evaluate_lay(s, c, generator, lay_qs, qsplit, origin, n_boot, seed)
            if m:
                metrics[(name, f"lay {origin} ({qsplit})")], rows[(name, origin)] = m, r
    return metrics, rows


def interval_table(metrics: dict, names: Sequence[str]) -> pd.DataFrame:
    """One row per key of ``metrics``: "point [low, high]" per metric of ``names``, and n (answerable)."""
    return pd.DataFrame({key: {k: f"{m[k]:.3f} [{m[k + '.ci_low']:.3f}, {m[k + '.ci_high']:.3f}]" for k in names}
                         | {"n": int(m["n_answerable"])} for key, m in metrics.items()}).T


def by_kind(rows: pd.DataFrame) -> pd.DataFrame:
    """Per question kind (held-out-law questions by the template they came from): count, recall@k, citation
    precision, ROUGE-L, share answered "not found", share flagged."""
    cols = [c for c in ("recall", "citation_precision", "rougeL_char", "not_found", "flagged") if c in rows]
    keys = [rows["kind"], rows["origin"].where(rows["kind"] == "heldout_law", "")]
    return rows.groupby(keys)[cols].mean().assign(n=rows.groupby(keys).size())
