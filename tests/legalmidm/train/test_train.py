"""CPT and IT on a tiny model: they train, save, log to MLflow, and a killed run resumes where it stopped."""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import mlflow
import pytest
import torch
from safetensors.torch import load_file
from mlflow.tracking import MlflowClient

from lexlab.legalmidm import formats, train
from lexlab.legalmidm.train.__main__ import main
from lexlab.models import hf as modeling
from lexlab.workbench import tracking
from train_callbacks import StopAt

pytestmark = pytest.mark.slow

LEGAL = [
    {"id": f"s{i}", "text": f"형법 제{i}조(처벌) 사람을 기망하여 재물의 교부를 받은 자는 {i}년 이하의 징역 또는 "
                             f"{i}천만원 이하의 벌금에 처한다. 미수범은 처벌한다."}
    for i in range(1, 61)
]
GENERAL = [
    {"id": f"g{i}", "title": f"보도자료 {i}",
     "text": f"금융위원회는 {i}일 회의를 열어 소비자 보호 방안을 논의하였다. 참석자들은 제도 개선에 뜻을 모았다."}
    for i in range(1, 41)
]
QA = [
    {"id": f"q{i}", "question": f"형법 제{i}조의 법정형은?", "answer": f"{i}년 이하의 징역 또는 {i}천만원 이하의 벌금",
     "reference": LEGAL[i - 1]["text"], "source": "template"}
    for i in range(1, 41)
]
GENERAL_IT = [
    {"id": f"gi{i}", "question": f"다음 보도자료 본문에 알맞은 제목을 붙이세요.\n\n{g['text']}", "answer": g["title"],
     "reference": "", "source": "general:title"}
    for i, g in enumerate(GENERAL)
]

TINY = dict(report_to="none", per_device_train_batch_size=2, tokenizer_vocab_size=300, tiny_hidden_size=32,
            tiny_layers=1, tiny_heads=2, tiny_intermediate_size=64, logging_steps=1, warmup_steps=0,
            learning_rate=5e-3, torch_threads=1)


@pytest.fixture(scope="module")
def cpt_result():
    cfg = train.CPTConfig(run_name="t_cpt", block_size=32, max_steps=8, save_steps=4, general_fraction=0.3, **TINY)
    return cfg, train.run_cpt(cfg, LEGAL, GENERAL)


def test_cpt_trains_a_tiny_model_and_saves_it(cpt_result):
    cfg, res = cpt_result
    assert res.global_step == 8 and res.resumed_from is None
    losses = res.losses()
    assert all(math.isfinite(v) for v in losses.values()) and losses[8] < losses[1]
    final = Path(res.final_dir)
    assert (final / "config.json").exists() and (final / "tokenizer.json").exists()
    assert json.loads((final / "lexlab_train.json").read_text())["config"]["general_fraction"] == 0.3
    model, tok = modeling.load_model_and_tokenizer(final)
    assert model.config.hidden_size == 32 and len(tok) == model.config.vocab_size
    assert res.n_params == modeling.count_parameters(model)
    assert 0.1 < res.extra["mix"]["general_fraction"] < 0.5


@pytest.mark.parametrize("fmt", ["ref_in_input"])
def test_it_with_lora_on_the_cpt_model(cpt_result, fmt):
    _, cpt = cpt_result
    cfg = train.ITConfig(run_name="t_it", model=cpt.final_dir, format=fmt, max_steps=4, save_steps=2,
                         max_length=512, general_fraction=0.25, lora_r=4, lora_alpha=8,
                         system_prompt="당신은 법률 전문가입니다.", **TINY)
    res = train.run_it(cfg, QA, GENERAL_IT)
    assert res.global_step == 4 and res.extra["base_model_path"] == cpt.final_dir
    assert 0 < res.n_trainable_params < res.n_params
    final = Path(res.final_dir)
    assert json.loads((final / "adapter_config.json").read_text())["base_model_name_or_path"] == cpt.final_dir
    model, tok = modeling.load_model_and_tokenizer(final)  # base + adapter
    # started again, the finished adapter run is loaded from its last checkpoint, not trained further
    adapter = load_file(str(final / "adapter_model.safetensors"))
    again = train.run_it(cfg, QA, GENERAL_IT)
    assert again.global_step == 4 and again.resumed_from.endswith("checkpoint-4")
    reloaded = load_file(str(final / "adapter_model.safetensors"))
    assert all(torch.equal(adapter[k], reloaded[k]) for k in adapter)
    pair = formats.render(QA[0], fmt, tok, cfg.system_prompt)
    ids = tok(pair["prompt"], return_tensors="pt", add_special_tokens=False)["input_ids"]
    assert model(input_ids=ids).logits.shape[-1] == len(tok)


def test_it_full_finetune_from_a_fresh_tiny_model():
    cfg = train.ITConfig(run_name="t_it_full", model="tiny", lora=False, format="no_ref", max_steps=2,
                         save_steps=100, max_length=512, general_fraction=0.0, **TINY)
    res = train.run_it(cfg, QA[:10])
    assert res.n_trainable_params == res.n_params and res.extra["mix"]["n_general"] == 0
    assert (Path(res.final_dir) / "model.safetensors").exists()


def test_killed_cpt_resumes_from_its_last_checkpoint():
    base = dict(block_size=32, max_steps=6, save_steps=2, general_fraction=0.3, **TINY)
    reference = train.run_cpt(train.CPTConfig(run_name="t_whole", **base), LEGAL, GENERAL)

    cfg = train.CPTConfig(run_name="t_killed", **base)
    with pytest.raises(KeyboardInterrupt):
        train.run_cpt(cfg, LEGAL, GENERAL, callbacks=[StopAt(3)])
    ckpts = sorted(p.name for p in (cfg.model_dir() / "checkpoints").iterdir())
    assert ckpts == ["checkpoint-2"] and not (cfg.model_dir() / "final").exists()

    resumed = train.run_cpt(cfg, LEGAL, GENERAL)
    assert resumed.resumed_from.endswith("checkpoint-2")
    assert resumed.global_step == 6
    # the resumed steps see the same data and state as the uninterrupted run
    whole, again = reference.losses(), resumed.losses()
    assert sorted(again) == [1, 2, 3, 4, 5, 6]  # the checkpoint carries the history of steps 1–2
    for step in (3, 4, 5, 6):
        assert again[step] == pytest.approx(whole[step], rel=1e-3)

    # a finished run started again takes no step (HF alone would take one more) and keeps its weights
    before = load_file(str(cfg.model_dir() / "final" / "model.safetensors"))
    rerun = train.run_cpt(cfg, LEGAL, GENERAL)
    assert rerun.global_step == 6 and rerun.resumed_from.endswith("checkpoint-6")
    after = load_file(str(cfg.model_dir() / "final" / "model.safetensors"))
    assert before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)


def test_training_logs_to_mlflow(cpt_result):
    _, cpt = cpt_result
    cfg = train.ITConfig(run_name="t_it_mlflow", model=cpt.final_dir, format="ref_in_output", max_steps=2,
                         save_steps=100, max_length=512, general_fraction=0.25, lora_r=4,
                         **{**TINY, "report_to": "mlflow"})
    assert mlflow.active_run() is None
    train.run_it(cfg, QA, GENERAL_IT)
    assert mlflow.active_run() is None  # the run we opened is closed again
    runs = mlflow.search_runs(experiment_names=["lexlab"], filter_string="tags.`lexlab.stage` = 'instruction_tuning'",
                              output_format="list")
    run = max(runs, key=lambda r: r.info.start_time)
    assert run.info.status == "FINISHED"
    params, metrics = run.data.params, run.data.metrics
    assert params["format"] == "ref_in_output" and params["general_fraction"] == "0.25"
    assert params["lora_r"] == "4" and params["n_legal_items"] == str(len(QA))
    # our config as params; the Trainer's and the model's full settings as JSON artifacts, not ~180 params
    assert params["max_steps"] == "2" and params["learning_rate"] == str(TINY["learning_rate"])
    assert params["report_to"] == "mlflow" and "hidden_size" not in params
    assert "loss" in metrics and 0 < metrics["realised_general_fraction"] < 1
    model_config = json.loads(mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/trainer/model_config.json"))
    assert model_config["hidden_size"] == 32
    from lexlab.models import mlflow_model  # the adapter is an MLflow model of the run

    assert (mlflow_model.local_dir(mlflow_model.run_model_uri(run.info.run_id)) / "adapter_config.json").exists()


def test_command_line_entry_point_trains_from_users_jsonl(tmp_path, capsys):
    """``python -m lexlab.legalmidm.train cpt --config x.yaml`` (what ``accelerate launch -m`` runs), on a user's own
    legal and general corpora instead of the snapshot."""
    legal, general = tmp_path / "legal.jsonl", tmp_path / "general.jsonl"
    legal.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in LEGAL), encoding="utf-8")
    general.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in GENERAL), encoding="utf-8")
    config = tmp_path / "cpt.yaml"
    config.write_text(
        "params:\n"
        f"  legal_jsonl: {legal}\n  general_jsonl: {general}\n  general_fraction: 0.5\n"
        "  run_name: t_cli\n  block_size: 32\n  max_steps: 2\n  save_steps: 100\n"
        + "".join(f"  {k}: {v}\n" for k, v in TINY.items()),
        encoding="utf-8")
    assert main(["cpt", "--config", str(config), "--set", "learning_rate=1e-3"]) == 0
    printed = capsys.readouterr().out
    summary = json.loads(printed[printed.index("{\n"):])
    assert summary["global_step"] == 2 and summary["n_general_docs"] == len(GENERAL)
    saved = json.loads((train.CPTConfig(run_name="t_cli").model_dir() / "final" / "lexlab_train.json").read_text())
    assert saved["config"]["legal_jsonl"] == str(legal) and saved["config"]["learning_rate"] == 1e-3
    with pytest.raises(ValueError, match="unknown CPTConfig field"):
        main(["cpt", "--set", "no_such_field=1"])


def test_legal_only_cpt_logs_its_mix_and_trains_on_legal_text_alone():
    """cpt_mix=legal: the params say what was configured (cpt_mix=legal, general_fraction=0.2: the share used when
    mixing), the metric what was trained on (no general block); the general text still trains the tokenizer."""
    cfg = train.CPTConfig(run_name="t_cpt_legal", cpt_mix="legal", general_fraction=0.2, block_size=32, max_steps=2,
                          save_steps=100, log_model=False, **{**TINY, "report_to": "mlflow"})
    res = train.run_cpt(cfg, LEGAL, GENERAL)
    assert res.extra["mix"]["n_general"] == 0 and res.extra["n_general_docs"] == len(GENERAL)
    runs = mlflow.search_runs(experiment_names=["lexlab"],
                              filter_string="tags.`lexlab.stage` = 'continual_pretraining'", output_format="list")
    run = max(runs, key=lambda r: r.info.start_time)
    params = run.data.params
    assert params["cpt_mix"] == "legal" and params["general_fraction"] == "0.2"
    assert params["n_general_blocks"] == "0" and run.data.metrics["realised_general_fraction"] == 0.0


def test_a_training_run_logs_our_config_and_the_changed_trainer_arguments_only():
    """Not the Trainer's ~180 params (every TrainingArguments field and the model config): the full dump is JSON."""
    tracking.setup_mlflow("test-train-params")
    with mlflow.start_run() as run:
        cfg = train.ITConfig(run_name="t_it_params", model="tiny", lora=False, format="no_ref", max_steps=2,
                             save_steps=100, max_length=512, general_fraction=0.0, **{**TINY, "report_to": "mlflow"})
        train.run_it(cfg, QA[:10])
    params = mlflow.get_run(run.info.run_id).data.params
    assert not any(k.startswith("lora_") for k in params)  # LoRA is off
    assert params["learning_rate"] == "0.005" and params["format"] == "no_ref"
    assert "adam_beta1" not in params and "hidden_size" not in params and "num_attention_heads" not in params
    assert len(params) <= len(dataclasses.fields(train.ITConfig)) + 15
    logged = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "trainer")}
    assert logged == {"trainer/training_args.json", "trainer/model_config.json"}
