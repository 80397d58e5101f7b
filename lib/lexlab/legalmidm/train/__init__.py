"""Continual pre-training and instruction tuning: two plain functions on the shared trainer.

``run_cpt(CPTConfig)`` and ``run_it(ITConfig)`` are the whole API; each returns a
``lexlab.models.trainer.TrainResult``. Notebooks call them, and so does the command line
(``python -m lexlab.legalmidm.train cpt --config cpt.yaml``, also under ``accelerate launch -m``: the Trainer
picks up DDP/FSDP from the launcher's environment, so multi-GPU needs no code path of its own).

The same code takes "tiny" (a Llama built from a config, tokenizer trained on our corpus, minutes on 2 CPU
cores) or any Hugging Face model path. Runs are resumable: checkpoints go to ``work/models/<name>/checkpoints``
every ``save_steps`` and a re-run with the same name continues from the last one (model, optimizer, scheduler,
RNG and data position), so a killed job loses at most ``save_steps`` steps. The result lands in
``work/models/<name>/final`` (model or LoRA adapter + tokenizer + ``lexlab_train.json``) and is logged to MLflow
as an artifact (see ``lexlab.models.trainer`` for how the Trainer's MLflow callback and our params coexist).
"""
from lexlab.legalmidm.train.config import CPTConfig, ITConfig
from lexlab.legalmidm.train.cpt import CPT_STAGE, run_cpt
from lexlab.legalmidm.train.data import (
    cpt_corpus,
    encode_items,
    it_items,
    load_qa,
    pack,
    resolve_qa,
)
from lexlab.legalmidm.train.it import IT_STAGE, run_it

__all__ = ["CPTConfig", "ITConfig", "CPT_STAGE", "IT_STAGE", "run_cpt", "run_it", "cpt_corpus", "it_items",
           "load_qa", "pack", "encode_items", "resolve_qa"]
