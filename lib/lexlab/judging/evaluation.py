"""Stage 15 in steps the notebook calls: summaries of every candidate, the reference-based checks, the judge's
grades and A/B verdicts with their bias checks, agreement with humans, and the CaseHOLD accuracies — each as a
table with 95 % bootstrap intervals (``lexlab.workbench.stats``)."""
from __future__ import annotations

import math
from dataclasses import asdict
from itertools import combinations
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from lexlab.judging import bias, reference
from lexlab.judging.agreement import pair_key
from lexlab.judging.casehold import CaseHoldItem, length_choice, overlap_choice
from lexlab.judging.llm_judge import PairVerdict, compare, endpoint_configured, grade
from lexlab.judging.rubric import Rubric
from lexlab.workbench.stats import bootstrap_ci


def make_judge(cfg) -> tuple[object | None, str]:
    """The judge's client, or None and a note saying why there is none (``judge=auto`` without an endpoint)."""
    if cfg.judge == "off":
        return None, "judge=off: judge skipped"
    ok, note = endpoint_configured(cfg.judge_base_url, cfg.judge_key_env)
    if not ok and cfg.judge == "auto":
        return None, note
    from lexlab.models.llm_client import LLMClient

    client = LLMClient(base_url=cfg.judge_base_url or None, model=cfg.judge_model, api_key_env=cfg.judge_key_env,
                       price_per_mtok=(cfg.price_in_per_mtok, cfg.price_out_per_mtok))
    return client, note


def check_rows(items: pd.DataFrame, summaries: Mapping[str, Sequence[str]], threshold: float) -> pd.DataFrame:
    """One row per (item, variant): ROUGE-L and every reference-based check."""
    rows = []
    for variant, texts in summaries.items():
        for item, text in zip(items.itertuples(), texts):
            c = reference.check(text, item.reference, item.evidence, item.ref_articles, threshold)
            rows.append({"item_id": item.item_id, "variant": variant, "text": text, "chars": len(text),
                         **asdict(c), "has_invented": bool(c.invented_numbers),
                         "citation_ok": (1 - len(c.wrong_citations) / c.n_citations) if c.n_citations else math.nan})
    return pd.DataFrame(rows)


def ci_table(df: pd.DataFrame, metrics: Sequence[str], by: str = "variant") -> pd.DataFrame:
    """Mean and 95 % bootstrap interval of each metric per group (NaNs left out: e.g. no citation to check)."""
    out = []
    for name, group in df.groupby(by, sort=False):
        row = {by: name, "n": len(group)}
        for m in metrics:
            point, low, high = bootstrap_ci(group[m].dropna().astype(float))
            row.update({m: point, f"{m}_low": low, f"{m}_high": high})
        out.append(row)
    return pd.DataFrame(out)


def missed_by_rouge(checks: pd.DataFrame) -> pd.DataFrame:
    """Per variant: summaries in the variant's better ROUGE-L half (at or above its own median) that state none
    of the holdings, and those that invent a number or cite wrongly — what ROUGE-L does not see."""
    rows = []
    for variant, g in checks.groupby("variant", sort=False):
        upper = g["rouge_l"] >= g["rouge_l"].median()
        rows.append({"variant": variant, "n": len(g), "rouge_upper_half": int(upper.sum()),
                     "rouge_upper_half_no_holding": int((upper & (g["holding_coverage"] == 0)).sum()),
                     "invented_numbers": int(g["has_invented"].sum()),
                     "wrong_citations": int(g["wrong_citations"].map(len).gt(0).sum()),
                     "spearman_rouge_vs_coverage": bias.spearman(g["rouge_l"], g["holding_coverage"].fillna(0))})
    return pd.DataFrame(rows)


def pairwise_disagreement(checks: pd.DataFrame, a: str, b: str, metric: str) -> pd.DataFrame:
    """Items where ROUGE-L prefers one of two variants and ``metric`` (coverage, or a judge score) the other."""
    wide = checks.pivot_table(index="item_id", columns="variant", values=["rouge_l", metric], aggfunc="first")
    rouge = np.sign(wide[("rouge_l", a)] - wide[("rouge_l", b)])
    other = np.sign(wide[(metric, a)] - wide[(metric, b)])
    mask = (rouge * other) < 0
    return pd.DataFrame({"item_id": wide.index[mask], "rouge_prefers": np.where(rouge[mask] > 0, a, b),
                         f"{metric}_prefers": np.where(other[mask] > 0, a, b)}).reset_index(drop=True)


def judge_all(client, rubric: Rubric, items: pd.DataFrame, summaries: Mapping[str, Sequence[str]], pairwise: bool
              ) -> tuple[pd.DataFrame, list[PairVerdict], int]:
    """Pointwise grades of every summary, A/B verdicts of every two variants per item (both orders), and the
    number of pairs the judge gave no valid answer for."""
    batch = [{"item_id": it.item_id, "variant": v, "source": it.source, "text": texts[i]}
             for v, texts in summaries.items() for i, it in enumerate(items.itertuples())]
    grades = pd.DataFrame(grade(client, rubric, batch))
    if grades.empty:
        grades = pd.DataFrame(columns=["item_id", "variant", "error", *rubric.names])
    grades["judge_score"] = grades.reindex(columns=rubric.names).astype(float).mean(axis=1)
    pairs = [{"item_id": it.item_id, "source": it.source, "x": x, "y": y, "text_x": summaries[x][i],
              "text_y": summaries[y][i]}
             for x, y in combinations(summaries, 2) for i, it in enumerate(items.itertuples())] if pairwise else []
    results = compare(client, rubric, pairs) if pairs else []
    verdicts = [r for r in results if isinstance(r, PairVerdict)]
    return grades, verdicts, len(results) - len(verdicts)


def win_rates(verdicts: Sequence[PairVerdict]) -> pd.DataFrame:
    """Per variant: pairs played, wins, ties and the win rate (ties half) with its interval."""
    per: dict[str, list[float]] = {}
    for v in verdicts:
        for side in (v.x, v.y):
            per.setdefault(side, []).append(1.0 if v.winner == side else 0.5 if v.winner == "tie" else 0.0)
    rows = []
    for variant, scores in per.items():
        point, low, high = bootstrap_ci(scores)
        rows.append({"variant": variant, "pairs": len(scores), "win_rate": point, "win_rate_low": low,
                     "win_rate_high": high})
    return pd.DataFrame(rows)


def bias_report(verdicts: Sequence[PairVerdict], grades: pd.DataFrame, checks: pd.DataFrame, own: set[str],
                human_pairs: Mapping | None = None) -> dict[str, float]:
    texts = {(r.item_id, r.variant): r.text for r in checks.itertuples()}
    merged = grades.merge(checks[["item_id", "variant", "chars"]], on=["item_id", "variant"])
    human = {}
    for (item, first, second), label in (human_pairs or {}).items():  # ordinal label back to the winner's name
        human[(item, first, second)] = human[(item, second, first)] = {-1: first, 1: second}.get(label, "tie")
    return {**bias.position_bias(verdicts),
            "length_bias_pairwise": bias.length_bias(verdicts, texts) if verdicts else math.nan,
            "length_bias_pointwise": bias.spearman(merged["chars"], merged["judge_score"]) if len(merged) else math.nan,
            **bias.self_preference(verdicts, own, human)}


def judge_pair_labels(verdicts: Sequence[PairVerdict]) -> dict:
    """The judge's verdicts on the ordinal pair scale the human labels use (``agreement.pair_key``)."""
    return dict(pair_key(v.item_id, v.x, v.y, v.winner) for v in verdicts)


def casehold_table(items: Sequence[CaseHoldItem], choices: Mapping[str, Sequence[int]]) -> pd.DataFrame:
    """Accuracy with its interval per system, beside chance (1 / options), the no-model overlap baseline and the
    length artifact checks (shortest / longest option: near chance when length gives nothing away)."""
    labels = np.array([it.label for it in items])
    systems = {"overlap (no model)": [overlap_choice(it) for it in items],
               "shortest option": [length_choice(it) for it in items],
               "longest option": [length_choice(it, longest=True) for it in items], **choices}
    rows = [{"system": "chance", "n": len(items), "accuracy": float(np.mean([1 / len(it.options) for it in items]))
             if items else math.nan}]
    for name, chosen in systems.items():
        point, low, high = bootstrap_ci((np.asarray(chosen) == labels).astype(float))
        rows.append({"system": name, "n": len(items), "accuracy": point, "accuracy_low": low, "accuracy_high": high})
    return pd.DataFrame(rows)
