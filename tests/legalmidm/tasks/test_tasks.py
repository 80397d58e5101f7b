"""Task builders on small hand-written tables: shapes, the truncation rule, and no overlap with training data."""
import json
from types import SimpleNamespace

import pandas as pd
import pytest

from lexlab.legalmidm import formats, tasks
from lexlab.data import splits
from lexlab.legalmidm.tasks import BuildConfig, drafting, multiple_choice

REASONING = ("상고이유를 본다. 형법 제347조의 사기죄는 타인을 기망하여 착오에 빠뜨리고 처분행위를 하게 하여 재산상 이익을 "
             "얻음으로써 성립한다. 원심은 피고인이 피해자를 기망하였다고 보았다. 이러한 판단은 정당하다. ") * 6
SUMMARY = "사기죄는 타인을 기망하여 착오에 빠뜨리고 처분행위를 하게 하여 재산상 이익을 얻음으로써 성립한다."


def ids_in(prefix, make, split, k):
    """The first k ids whose key hashes into ``split`` (the fixture needs every split represented)."""
    out, i = [], 0
    while len(out) < k:
        ident = make(i)
        if splits.split_of(f"{prefix}:{ident}") == split:
            out.append(ident)
        i += 1
    return out


def decisions_table():
    rows = []
    titles = ["사기", "절도", "강도", "횡령", "특정경제범죄가중처벌등에관한법률위반(사기)"]
    for split in ("train", "dev", "test"):
        for j, cid in enumerate(ids_in("case", lambda i: f"2019도{1000 + i}", split, 12)):
            title = titles[j % len(titles)]
            lower = j % 3 == 0
            rows.append(dict(
                case_id=cid, title=title, court="서울중앙지방법원" if lower else "대법원", case_type="형사",
                decision_type="판결", date=f"2019-0{1 + j % 9}-01", ref_articles_raw="", ref_cases_raw="",
                ref_articles=["형법 제347조"], holdings=f"[1] {title}죄의 성립 요건", summary=SUMMARY,
                order="피고인을 징역 1년에 처한다.", reasoning=REASONING.replace("사기", title),
                facts=(f"피고인은 2018. 5. 1. 피해자에게 돈을 빌려주면 갚겠다고 거짓말하여 {title}하였다." if lower else ""),
                applied_law_text="형법 제347조 제1항" if lower else "", lower_case_ids=[], source_paths=["x.md"],
                folder="f"))
    return pd.DataFrame(rows)


def statutes_table():
    rows = []
    for law in ("형법", "도로교통법"):
        for n in range(1, 40):
            no = str(n)
            text = (f"제{n}조(조문{n}) ① 이 법에서 \"용어{n}\"란 법률이 정하는 {n}번째 대상을 말한다.\n② 위반한 자는 {n}년 이하의 징역에 처한다."
                    if n % 4 == 0 else f"제{n}조(조문{n}) ① 누구든지 {n}번째 행위를 하여서는 아니 된다. 위반한 자는 {n}만원 이하의 벌금에 처한다.")
            rows.append(dict(law=law, article=f"제{n}조", article_no=no, title=f"조문{n}", text=text,
                             paragraphs=[text], deleted=(n == 39), law_kind="법률", source_path="s.md"))
    return pd.DataFrame(rows)


def interpretations_table():
    rows = []
    for split in ("train", "dev", "test"):
        for did in ids_in("interp", lambda i: f"법령해석_{i}", split, 8):
            rows.append(dict(doc_id=did, title="질의", question=f"{did}: 카드사가 고객 정보를 제3자에게 제공할 수 있는지 여부",
                             answer="정보주체의 동의를 받은 경우에 한하여 제공할 수 있습니다.",
                             reason="개인정보 보호법 제17조에 따라 동의를 받아야 합니다. 따라서 동의 없이는 제공할 수 없습니다.",
                             related_laws=["형법 제4조", "없는법 제1조"], source_path="i.json"))
    return pd.DataFrame(rows)


def general_table():
    rows = []
    for split in ("train", "dev", "test"):
        for did in ids_in("general", lambda i: f"press_{i}", split, 5):
            rows.append(dict(doc_id=did, title="보도자료", text="금융위원회는 오늘 소비자 보호를 위한 제도 개선 방안을 발표하였다. " * 5,
                             source="fsc_press", source_path="p.json"))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def snap():
    return SimpleNamespace(decisions=decisions_table(), statutes=statutes_table(),
                           interpretations=interpretations_table(), general=general_table())


def training_keys(snap):
    """What training and QA generation may read: the train split of every table, chain-aware for decisions."""
    keys = set()
    for kind, key in (("decisions", lambda r: f"case:{r.case_id}"),
                      ("statutes", lambda r: f"statute:{r.law}:{r.article_no}"),
                      ("interpretations", lambda r: f"interp:{r.doc_id}"), ("general", lambda r: f"general:{r.doc_id}")):
        df = splits.add_split_column(getattr(snap, kind), kind)
        keys |= {key(r) for r in df[df["split"] == "train"].itertuples()}
    return keys


BUILT_IN = [n for n in tasks.TASKS if not n.startswith("draft_")]


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_task_builds_from_eval_splits_only(snap, name):
    train = training_keys(snap)
    seen = {}
    for split in ("dev", "test"):
        examples = tasks.build_task(name, snap, BuildConfig(split=split, n=0))
        assert examples, f"{name} built nothing for {split}"
        for ex in examples:
            assert ex.task == name and ex.keys
            assert not set(ex.keys) & train, f"{name}:{ex.id} overlaps training"
        seen[split] = {k for ex in examples for k in ex.keys}
    assert not seen["dev"] & seen["test"]


def test_appeal_chain_keeps_lower_court_case_out_of_eval(snap):
    decisions = snap.decisions.copy()
    supreme = decisions[(decisions["court"] == "대법원")].iloc[0]   # a train-split Supreme Court case
    assert splits.split_of(f"case:{supreme.case_id}") == "train"
    lower = ids_in("case", lambda i: f"2018고단{i}", "dev", 1)[0]   # its lower court hashes into dev on its own
    row = decisions.iloc[0].to_dict() | dict(case_id=lower, court="서울중앙지방법원", date="2018-01-01",
                                             facts="피고인은 사기하였다.")
    decisions.loc[decisions.index == supreme.name, "lower_case_ids"] = pd.Series([[lower]], index=[supreme.name])
    decisions = pd.concat([decisions, pd.DataFrame([row])], ignore_index=True)
    chained = SimpleNamespace(decisions=decisions)
    for name in ("summary", "mrc_decision", "mc_charge", "proxy_facts_drafting"):
        ids = {ex.meta["case_id"] for ex in tasks.build_task(name, chained, BuildConfig(split="dev", n=0))}
        assert lower not in ids, name


def test_check_disjoint_rejects_training_records():
    key = f"statute:형법:{ids_in('statute:형법', lambda i: str(i), 'train', 1)[0]}"
    bad = tasks.Example(id="x", task="qa_statute", keys=[key])
    with pytest.raises(AssertionError, match="training record"):
        tasks.check_disjoint([bad])
    with pytest.raises(AssertionError):
        tasks.check_disjoint([tasks.Example(id="y", task="summary", keys=["case:1"])], train_keys={"case:1"})
    with pytest.raises(ValueError, match="train is for training"):
        BuildConfig(split="train")


def test_sampling_is_capped_and_deterministic(snap):
    a = [e.id for e in tasks.build_task("summary", snap, BuildConfig(split="dev", n=3, seed=0))]
    b = [e.id for e in tasks.build_task("summary", snap, BuildConfig(split="dev", n=3, seed=0))]
    c = [e.id for e in tasks.build_task("summary", snap, BuildConfig(split="dev", n=0, seed=1))]
    assert a == b and len(a) == 3 and set(a) <= set(c)


def test_truncation_rule_is_character_based_and_marked(snap):
    long = tasks.build_task("summary", snap, BuildConfig(split="dev", n=1, max_input_chars=0))[0]
    cut = tasks.build_task("summary", snap, BuildConfig(split="dev", n=1, max_input_chars=200))[0]
    assert len(cut.source) <= 200 and cut.source.endswith("…") and long.source.startswith(cut.source[:-1].rstrip())
    assert cut.reference == long.reference  # gold text is never cut
    assert tasks.clip("가나다", 10) == "가나다"
    text = "첫 문장이다. " * 30
    clipped = tasks.clip(text, 100)
    assert clipped.endswith("다.…")  # cut at a sentence end inside the last fifth of the budget


def test_mc_examples_have_the_right_answer_at_the_label(snap):
    for name in ("mc_article", "mc_title", "mc_charge"):
        for ex in tasks.build_task(name, snap, BuildConfig(split="dev", n=0)):
            assert len(ex.options) == 4 and len(set(ex.options)) == 4
            if name == "mc_title":
                assert ex.options[ex.label] == f"조문{ex.meta['article'][1:-1]}"
                assert ex.options[ex.label] not in ex.prompt
            if name == "mc_article":
                assert ex.options[ex.label] == f"「{ex.meta['law']}」 {ex.meta['article']}"
                assert ex.meta["article"] not in ex.prompt
            if name == "mc_charge":
                assert ex.options[ex.label] not in ex.prompt


def test_charge_masking_covers_the_law_and_the_offence():
    title = "특정경제범죄가중처벌등에관한법률위반(사기)"
    text = "피고인은 특정경제범죄가중처벌등에관한법률위반(사기)죄로 기소되었고, 사기의 고의가 있었다."
    masked = multiple_choice.mask_charge(text, title)
    assert "사기" not in masked and "특정경제범죄" not in masked
    assert not multiple_choice.single_charge("사기, 횡령") and multiple_choice.single_charge("사기")


def test_qa_with_reference_uses_the_training_format(snap):
    ex = tasks.build_task("qa_interp_ref", snap, BuildConfig(split="dev", n=1))[0]
    assert ex.prompt.startswith(formats.REF_INPUT_HEADER) and formats.QUESTION_HEADER in ex.prompt
    assert "형법 제4조:" in ex.prompt       # resolved against the statutes table
    assert "없는법 제1조" in ex.prompt       # unresolved citations stay as written
    no_ref = tasks.build_task("qa_interp", snap, BuildConfig(split="dev", n=1))[0]
    assert formats.REF_INPUT_HEADER not in no_ref.prompt


def test_statute_qa_asks_definitions(snap):
    exs = tasks.build_task("qa_statute", snap, BuildConfig(split="test", n=0))
    defs = [e for e in exs if "이란 무엇을 말하는가" in e.prompt]
    assert all(e.reference.endswith("말한다") for e in defs)
    assert all(e.meta["article"] != "제39조" for e in exs)  # deleted article skipped


def test_user_drafting_file_schema(tmp_path):
    path = tmp_path / "complaints.jsonl"
    rows = [{"id": f"c{i}", "facts": "피고소인이 돈을 갚지 않았다.", "target": "고 소 장 …", "split": "test"}
            for i in range(3)]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    cfg = BuildConfig(split="test", n=0, data_paths={"complaint": str(path)})
    exs = tasks.build_task("draft_complaint", SimpleNamespace(), cfg)
    assert len(exs) == 3 and exs[0].prompt.startswith(drafting.INSTRUCTIONS["complaint"])
    assert tasks.build_task("draft_petition", SimpleNamespace(), cfg) == []  # no file → no examples
    path.write_text(json.dumps({"id": "c1", "facts": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"complaints.jsonl:1: field 'target'"):
        tasks.build_task("draft_complaint", SimpleNamespace(), cfg)
    with pytest.warns(UserWarning, match="skipped"):
        assert drafting.read_drafting_jsonl(path, "complaint", on_error="skip") == []



@pytest.mark.parametrize("row, field, message", [
    ({"id": "c1", "facts": "사실", "target": "고소장", "split": "train"}, "split", "must be 'dev' or 'test'"),
    ({"id": "c1", "facts": ["사실"], "target": "고소장"}, "facts", "expected a string"),
    ({"id": 7, "facts": "사실", "target": "고소장"}, "id", "expected a string"),
    ({"id": "c1", "facts": "사실", "target": "  "}, "target", "missing or empty"),
])
def test_user_drafting_rows_are_checked_with_file_line_and_field(tmp_path, row, field, message):
    path = tmp_path / "complaints.jsonl"
    good = {"id": "c0", "facts": "사실", "target": "고소장"}
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"complaints.jsonl:3: field '{field}': {message}"):
        drafting.read_drafting_jsonl(path, "complaint")
    with pytest.warns(UserWarning, match="skipped 1 bad line"):
        assert [r["id"] for r in drafting.read_drafting_jsonl(path, "complaint", on_error="skip")] == ["c0"]


def test_user_drafting_ids_are_unique(tmp_path):
    path = tmp_path / "complaints.jsonl"
    row = {"id": "c0", "facts": "사실", "target": "고소장"}
    path.write_text((json.dumps(row) + "\n") * 2, encoding="utf-8")
    with pytest.raises(ValueError, match=r"complaints.jsonl:2: field 'id': duplicate id 'c0'"):
        drafting.read_drafting_jsonl(path, "complaint")
    with pytest.raises(FileNotFoundError, match="complaint drafting data"):
        drafting.read_drafting_jsonl(tmp_path / "nope.jsonl", "complaint")


def test_proxy_is_labelled_as_a_proxy(snap):
    task = tasks.get_task("proxy_facts_drafting")
    assert task.proxy and task.description.startswith("PROXY")
    assert "proxy_facts_drafting" not in tasks.task_names(include_proxy=False)
    exs = tasks.build_task("proxy_facts_drafting", snap, BuildConfig(split="dev", n=0))
    assert exs and all(e.reference.startswith("피고인은") for e in exs)


def test_extractive_baseline_is_lead_sentences(snap):
    ex = tasks.build_task("summary", snap, BuildConfig(split="dev", n=1))[0]
    assert tasks.get_task("summary").extractive(ex) == " ".join(tasks.sentences(ex.source)[:3])
    assert tasks.get_task("qa_interp").extractive is None


def test_resolve_tasks():
    assert tasks.resolve_tasks("mc") == ["mc_article", "mc_title", "mc_charge"]
    assert tasks.resolve_tasks("summary,mc_title") == ["summary", "mc_title"]
    assert set(tasks.resolve_tasks("all")) == set(tasks.TASKS)
    with pytest.raises(KeyError, match="unknown task"):
        tasks.resolve_tasks("nope")


def test_no_task_reads_what_the_training_code_reads(snap):
    """The training side's own selectors (CPT text, QA-generation articles, human QA items, general text) against
    every evaluation example: the two sets of records must not meet."""
    from lexlab.data import general_text, legal_text
    from lexlab.legalmidm.qa import generate as law_qa

    trained = {d["id"] for d in legal_text.legal_texts(snap)}
    trained |= {d["id"] for d in general_text.general_texts(snap)}
    trained |= {f"statute:{r.law}:{r.article_no}" for r in law_qa.train_articles(snap.statutes).itertuples()}
    trained |= {f"interp:{i['doc_id']}" for i in law_qa.interpretation_items(snap.interpretations)}
    assert trained  # the fixture has training records, so this compares something
    for name in BUILT_IN:
        for split in ("dev", "test"):
            keys = {k for ex in tasks.build_task(name, snap, BuildConfig(split=split, n=0)) for k in ex.keys}
            assert not keys & trained, f"{name}/{split} shares {sorted(keys & trained)[:3]} with training"


def test_every_task_declares_its_headline_metric():
    for task in tasks.TASKS.values():
        assert task.metric == tasks.KIND_METRIC[task.kind]
    assert tasks.get_task("summary").headline() == "summary.rougeL_char"
    assert tasks.get_task("summary").headline("morph") == "summary.rougeL_morph"
    assert tasks.get_task("mc_title").headline("morph") == "mc_title.acc_norm"
    assert tasks.get_task("general_ppl").headline() == "general_ppl.perplexity"
    assert tasks.get_task("general_ppl").lower_is_better and not tasks.get_task("summary").lower_is_better
    own = tasks.Task("x", "choice", "mc", "d", build=lambda snapshot, config: [], metric="acc")
    assert own.headline() == "x.acc"
    with pytest.raises(ValueError, match="kind must be one of"):
        tasks.Task("x", "rank", "mc", "d", build=lambda snapshot, config: [])

