"""Fault: the job was killed while the Trainer saved its newest checkpoint. The restart resumes from the newest
*complete* checkpoint, says which, and the resumed MLflow run names the run and step it continues."""
from __future__ import annotations

import json

import mlflow

from lexlab.legalmidm import train

TINY = dict(per_device_train_batch_size=2, tokenizer_vocab_size=300, tiny_hidden_size=32, tiny_layers=1,
            tiny_heads=2, tiny_intermediate_size=64, logging_steps=1, warmup_steps=0, learning_rate=5e-3,
            torch_threads=1, block_size=32, general_fraction=0.0, cpt_mix="legal")
LEGAL = [{"id": f"s{i}", "text": f"형법 제{i}조(처벌) 사람을 기망하여 재물의 교부를 받은 자는 {i}년 이하의 징역에 처한다."}
         for i in range(1, 31)]


def test_half_saved_newest_checkpoint_is_skipped_and_the_resumed_run_is_linked(capsys):
    mlflow.set_experiment("faults")
    cfg = train.CPTConfig(run_name="f_ckpt", max_steps=4, save_steps=2, report_to="mlflow", **TINY)
    with mlflow.start_run() as first:
        train.run_cpt(cfg, LEGAL, [])
    ckpts = cfg.model_dir() / "checkpoints"
    (ckpts / "checkpoint-4" / "trainer_state.json").unlink()  # killed while saving step 4
    later = train.CPTConfig(run_name="f_ckpt", max_steps=6, save_steps=2, report_to="mlflow", **TINY)
    with mlflow.start_run() as second:
        result = train.run_cpt(later, LEGAL, [])
    assert result.resumed_from.endswith("checkpoint-2") and result.global_step == 6
    out = capsys.readouterr().out
    assert "skipping incomplete checkpoint(s) checkpoint-4 (no trainer_state.json)" in out
    assert "resuming from checkpoint-2 (step 2)" in out
    run = mlflow.get_run(second.info.run_id)
    assert run.data.tags["lexlab.resumed_from_run"] == first.info.run_id
    assert run.data.params["resumed_from_step"] == "2"
    assert run.data.params["resume_from_checkpoint"].endswith("checkpoint-2")  # was 'None'


def test_newest_complete_reports_each_skipped_checkpoint(tmp_path):
    from lexlab.models import checkpoints

    for step, files in ((2, {"trainer_state.json": "{}", "model.safetensors": ""}),
                        (4, {"trainer_state.json": "{trunc", "model.safetensors": ""}),
                        (10, {"model.safetensors": ""}), (6, {"trainer_state.json": "{}"})):
        ckpt = tmp_path / f"checkpoint-{step}"
        ckpt.mkdir()
        for name, text in files.items():
            (ckpt / name).write_text(text)
    last, skipped = checkpoints.newest_complete(tmp_path)
    assert last == str(tmp_path / "checkpoint-2")
    assert [s.split(" ")[0] for s in skipped] == ["checkpoint-10", "checkpoint-6", "checkpoint-4"]
    assert "no weights" in skipped[1] and "unreadable" in skipped[2]
    assert json.loads((tmp_path / "checkpoint-2" / "trainer_state.json").read_text()) == {}
