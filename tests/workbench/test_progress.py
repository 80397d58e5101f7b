"""Progress bars: per item interactively; under the runner one text bar per step and no per-item bars."""
from __future__ import annotations

import io

from lexlab.workbench import progress


def test_modes_follow_the_environment(monkeypatch):
    monkeypatch.delenv("LEXLAB_PROGRESS", raising=False)
    assert progress.mode() == "item"
    for value, mode in (("step", "step"), ("0", "off"), ("1", "item")):
        monkeypatch.setenv("LEXLAB_PROGRESS", value)
        assert progress.mode() == mode


def test_under_the_runner_item_bars_are_off_and_a_step_bar_is_one_text_line(monkeypatch):
    monkeypatch.setenv("LEXLAB_PROGRESS", "step")
    assert progress.item_bar(range(3)).disable
    out = io.StringIO()
    assert list(progress.step_bar(range(5), desc="models", file=out, mininterval=60)) == list(range(5))
    lines = out.getvalue().replace("\r", "\n").strip().splitlines()
    assert lines[-1].startswith("models: 100%") and len({ln for ln in lines if ln.strip()}) <= 3


def test_the_runner_gives_the_kernel_step_mode_and_a_quiet_report():
    assert progress.kernel_env() == {"LEXLAB_PROGRESS": "step"}  # the one switch, no other variable
    assert any("progress.quiet_report()" in a for a in progress.kernel_arguments())


def test_a_quiet_report_has_text_bars_and_no_library_bars_or_user_warnings(monkeypatch):
    import warnings

    import tqdm.auto
    import tqdm.std
    from transformers.utils import logging as hf_logging

    monkeypatch.setattr(warnings, "filters", list(warnings.filters))
    progress.quiet_report()
    assert tqdm.auto.tqdm is tqdm.std.tqdm and not hf_logging.is_progress_bar_enabled()
    with warnings.catch_warnings(record=True) as seen:
        warnings.warn("noise", UserWarning)
    assert seen == []
    hf_logging.enable_progress_bar()


def test_the_trainer_shows_one_step_bar_and_no_loss_table_under_the_runner(monkeypatch):
    from types import SimpleNamespace

    from transformers.trainer_callback import CallbackHandler, ProgressCallback
    from transformers.utils.notebook import NotebookProgressCallback

    from lexlab.models import trainer

    monkeypatch.setenv("LEXLAB_PROGRESS", "step")
    fake = SimpleNamespace(args=SimpleNamespace(disable_tqdm=False),
                           callback_handler=CallbackHandler([NotebookProgressCallback], None, None, None, None))
    fake.remove_callback = fake.callback_handler.remove_callback
    fake.add_callback = fake.callback_handler.add_callback
    trainer.quiet_callbacks(fake)
    kinds = [type(c) for c in fake.callback_handler.callbacks]
    assert kinds[0] is trainer.OneLossName and trainer.StepBar in kinds
    assert NotebookProgressCallback not in kinds and ProgressCallback not in kinds
    logs = {"loss": 1.0, "train_loss": 2.0}
    fake.callback_handler.callbacks[0].on_log(None, None, None, logs=logs)
    assert logs == {"loss": 1.0}  # MLflow's callback sees one loss name


def test_with_progress_off_the_trainer_prints_no_loss_dicts():
    """``disable_tqdm``: the Trainer swaps its bar for ``PrinterCallback``, which prints every logged loss dict;
    quiet means quiet, so it goes."""
    from types import SimpleNamespace

    from transformers.trainer_callback import CallbackHandler, PrinterCallback

    from lexlab.models import trainer

    fake = SimpleNamespace(args=SimpleNamespace(disable_tqdm=True),
                           callback_handler=CallbackHandler([PrinterCallback], None, None, None, None))
    fake.remove_callback = fake.callback_handler.remove_callback
    fake.add_callback = fake.callback_handler.add_callback
    trainer.quiet_callbacks(fake)
    assert [type(c) for c in fake.callback_handler.callbacks] == [trainer.OneLossName]
