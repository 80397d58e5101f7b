# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (lexlab)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 15 · Judge answers as a legal team does
# Case summaries (이유 → 판결요지) of the evaluation split by every candidate (extractive `lead` = stage 06's
# baseline, `cited`, trained models, API models) are scored four ways: **ROUGE-L** (characters, as stage 06),
# **reference-based checks** that need no judge (holdings of 판결요지 covered sentence by sentence, invented numbers,
# citation correctness), an **LLM judge** with a rubric file (pointwise, and A/B in both orders; position, length
# and self-preference bias beside it; skipped with a note when no endpoint is configured), and **agreement with
# human labels** when a label file is given. Last, a **Korean CaseHOLD**: which cited Supreme Court holding fills
# the masked sentence, five options, leak-checked.
# %% tags=["parameters"]
CONFIG = "lexlab.judging.config:JudgeConfig"  # every parameter and its default (the one source)
params = {}  # overrides, injected by `lexlab run` from the experiment YAML and -p; empty: the defaults
# %%
import matplotlib.pyplot as plt
import mlflow
import pandas as pd

from lexlab.data import snapshot as snapshot_mod
from lexlab.judging import agreement, candidates, casehold, evaluation
from lexlab.judging.rubric import load_rubric
from lexlab.workbench import paths, tracking
from lexlab.workbench.config import stage_config
from lexlab.workbench.progress import step_bar

cfg = stage_config(CONFIG, params)
run = tracking.stage_run("judge", cfg)
rubric = load_rubric(cfg.rubric)  # a malformed rubric fails here, naming its file and field
snap = snapshot_mod.load_snapshot(paths.snapshot_dir(cfg.snapshot), tables=("decisions",))
mlflow.set_tag("lexlab.snapshot", snap.manifest.get("version", cfg.snapshot))
judge, judge_note = evaluation.make_judge(cfg)
mlflow.set_tag("lexlab.judge", judge_note)
print(judge_note)
# %% [markdown]
# ## The candidates' summaries
# %%
items = candidates.summary_items(snap.decisions, cfg.split, cfg.n_summaries, cfg.max_source_chars, cfg.seed)
models = candidates.resolve_models(cfg.models, cfg.max_models)
summaries = candidates.all_summaries(cfg, list(items["source"]), models, with_api=judge is not None)
mlflow.log_param("candidates", ",".join(summaries))
print(f"{len(items)} decisions × {len(summaries)} candidates: {list(summaries)}")
# %% [markdown]
# ## Reference-based checks (no judge) beside ROUGE-L
# `holding_coverage`: share of the 판결요지's holding sentences that one summary sentence covers;
# `has_invented`: the summary states a number, amount, period or article the decision never states;
# `citation_ok`: share of the summary's statute and precedent citations the decision itself cites.
# %%
checks = evaluation.check_rows(items, summaries, cfg.coverage_threshold)
ref_table = evaluation.ci_table(checks, ["rouge_l", "holding_coverage", "has_invented", "citation_ok"])
mlflow.log_table(ref_table, "judge/reference_checks.json")
mlflow.log_table(checks.drop(columns=["text"]), "judge/reference_checks_per_item.json")
for row in ref_table.itertuples():
    mlflow.log_metrics({tracking.metric_key(f"{row.variant}.{m}"): getattr(row, m)
                        for m in ("rouge_l", "holding_coverage", "has_invented", "citation_ok")
                        if pd.notna(getattr(row, m))})
ref_table
# %% [markdown]
# ### What ROUGE-L does not see
# Summaries in a candidate's better ROUGE-L half that state none of the holdings; summaries inventing a number or citing
# wrongly; and the items where ROUGE-L prefers one candidate and holding coverage the other.
# %%
missed = evaluation.missed_by_rouge(checks)
mlflow.log_table(missed, "judge/missed_by_rouge.json")
base, other = list(summaries)[:2] if len(summaries) > 1 else (list(summaries)[0], None)
flips = evaluation.pairwise_disagreement(checks, base, other, "holding_coverage") if other else pd.DataFrame()
mlflow.log_metric("rouge_vs_coverage_flips", len(flips))
print(f"ROUGE-L and holding coverage prefer different candidates ({base} vs {other}) on {len(flips)} of "
      f"{len(items)} decisions")
missed
# %%
fig, ax = plt.subplots(figsize=(6, 4))
for variant, g in checks.groupby("variant", sort=False):
    ax.scatter(g["rouge_l"], g["holding_coverage"], s=14, alpha=0.6, label=variant)
ax.set_xlabel("ROUGE-L (characters)")
ax.set_ylabel("holding coverage")
ax.legend(fontsize=8)
fig.tight_layout()
mlflow.log_figure(fig, "judge/rouge_vs_coverage.png")
# %% [markdown]
# ## LLM-as-judge (rubric `experiments/rubrics/<rubric>.yaml`)
# %%
grades, verdicts, judge_failures = pd.DataFrame(), [], 0
if judge is None:
    print(f"No judge: {judge_note}. The reference-based checks above are the stage's result.")
else:
    grades, verdicts, judge_failures = evaluation.judge_all(judge, rubric, items, summaries, cfg.pairwise)
    scores = evaluation.ci_table(grades[grades["error"] == ""], [*rubric.names, "judge_score"])
    wins = evaluation.win_rates(verdicts)
    own = {f"api:{cfg.judge_model}"} & set(summaries)
    biases = evaluation.bias_report(verdicts, grades, checks, own)
    mlflow.log_table(scores, "judge/rubric_scores.json")
    mlflow.log_table(grades, "judge/grades_with_reasons.json")
    mlflow.log_table(pd.DataFrame([vars(v) for v in verdicts]), "judge/pairwise_verdicts.json")
    mlflow.log_metrics({tracking.metric_key(f"bias.{k}"): v for k, v in biases.items() if pd.notna(v)})
    mlflow.log_metrics({f"judge.{k}": float(v) for k, v in {**judge.stats, **judge.usage}.items()})
    mlflow.log_metric("judge.invalid_answers_final", judge_failures + int((grades["error"] != "").sum()))
    display(scores, wins, pd.Series(biases, name="bias").to_frame())
# %% [markdown]
# ### Where the judge and ROUGE-L disagree, with the judge's reasons
# %%
if judge is not None and other and len(grades):
    merged = checks.merge(grades[["item_id", "variant", "judge_score"]], on=["item_id", "variant"])
    judge_flips = evaluation.pairwise_disagreement(merged, base, other, "judge_score")
    mlflow.log_metric("rouge_vs_judge_flips", len(judge_flips))
    reason_cols = [c for c in grades.columns if c.startswith("reason.")]
    display(judge_flips.merge(grades[grades["variant"] == base][["item_id", *reason_cols]], on="item_id").head(10))
# %% [markdown]
# ## Agreement with human labels (Cohen's κ, quadratic-weighted κ, raw agreement)
# %%
if cfg.human_labels:
    human_pairs, human_rubric = agreement.read_labels(cfg.human_labels)
    judge_pairs = evaluation.judge_pair_labels(verdicts)
    judge_rubric = {(r.item_id, r.variant, c): int(getattr(r, c)) for r in grades.itertuples()
                    if not r.error for c in rubric.names} if len(grades) else {}
    agree = pd.concat([
        pd.DataFrame(agreement.agreement_table(judge_pairs, human_pairs, [-1, 0, 1])).assign(kind="pairwise"),
        pd.DataFrame(agreement.agreement_table(judge_rubric, human_rubric, list(rubric.scale))).assign(kind="rubric"),
    ], ignore_index=True)
    mlflow.log_table(agree, "judge/agreement.json")
    display(agree)
else:
    print("No human_labels file given: no agreement table.")
# %% [markdown]
# ## Korean CaseHOLD: which cited holding fills `[판시]`?
# %%
ch_items, ch_stats = ([], casehold.BuildStats()) if not cfg.casehold else casehold.build(
    snap.decisions, cfg.split, cfg.casehold_options, cfg.casehold_context_chars, cfg.casehold_context_chars // 2,
    cfg.casehold_leak_threshold, cfg.casehold_max_items, cfg.seed)
mlflow.log_metrics({f"casehold.{k}": float(v) for k, v in vars(ch_stats).items()})
mlflow.log_table(pd.DataFrame([vars(it) for it in ch_items[:20]]), "judge/casehold_sample20.json")
choices = {f"model:{spec}": casehold.choose_with_model(spec, ch_items, cfg.max_context_tokens)
           for spec in step_bar(models, desc="casehold models")} if ch_items else {}
ch_table = evaluation.casehold_table(ch_items, choices)
mlflow.log_table(ch_table, "judge/casehold_accuracy.json")
mlflow.log_metrics({tracking.metric_key(f"casehold.acc.{r.system}"): r.accuracy for r in ch_table.itertuples()
                    if pd.notna(r.accuracy)})
display(pd.Series(vars(ch_stats), name="CaseHOLD build").to_frame())
ch_table
# %%
if ch_items:
    fig, ax = plt.subplots(figsize=(6, 3))
    shown = ch_table[ch_table["system"] != "chance"]
    ax.barh(shown["system"], shown["accuracy"],
            xerr=[shown["accuracy"] - shown["accuracy_low"], shown["accuracy_high"] - shown["accuracy"]])
    ax.axvline(ch_table.loc[ch_table["system"] == "chance", "accuracy"].iloc[0], color="k", ls="--", label="chance")
    ax.set_xlabel(f"accuracy on {len(ch_items)} questions")
    ax.legend()
    fig.tight_layout()
    mlflow.log_figure(fig, "judge/casehold_accuracy.png")
# %%
first = ch_items[0] if ch_items else None
if first:
    print(first.context[:600], "\n")
    for i, option in enumerate(first.options):
        print("✔" if i == first.label else " ", option[:160])
# %%
headline = {"coverage." + v: r.holding_coverage for v, r in ref_table.set_index("variant").iterrows()}
headline["casehold_items"] = len(ch_items)
headline.update({f"casehold.{r.system}": r.accuracy for r in ch_table.itertuples() if r.system != "chance"})
tracking.log_headline(headline, description=f"judge: {judge_note}; CaseHOLD {len(ch_items)} items")
pd.Series(headline, name="headline").to_frame()
