"""Trainer callbacks the training tests share (kept out of testdata.py so that tests without training do not
import transformers)."""
from __future__ import annotations

from transformers import TrainerCallback


class StopAt(TrainerCallback):
    """Simulates a killed job: raises at the end of a given step (after earlier checkpoints were written)."""

    def __init__(self, step: int):
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            raise KeyboardInterrupt(f"killed at step {self.step}")
