"""Parallel workers in the console: `auto` is the default, `p` takes `auto` or a count (and
refuses anything else in its dialog), the side panel shows what auto became; the trials
table shows a `gpu` column only once a trial ran on one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from engine.face import AUTO_WORKERS, TrialRecord
from tests.tui.helpers import screen_text
from tui.app import make_app
from tui.screens.dialogs import PromptScreen
from tui.widgets.side_panel import render_panel
from tui.widgets.trial_table import Shown, trial_cells

SIZE = (80, 24)


def panel_text(screen: Any) -> str:
    """The side panel as one wide text (the 80-column screen wraps its lines)."""
    console = Console(width=300, record=True)
    console.print(render_panel(screen.space, screen.settings))
    return console.export_text()


@pytest.mark.asyncio
async def test_p_takes_auto_or_a_count(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert screen.settings.workers == AUTO_WORKERS
        assert "workers auto → 2 " in panel_text(screen)  # 2 cores (conftest), 10 × 30 epochs
        await pilot.press("p", "ctrl+u", *"many", "enter")
        assert isinstance(app.screen, PromptScreen)
        assert "expected auto or a whole number ≥ 1, got 'many'" in screen_text(app)
        await pilot.press("ctrl+u", "0", "enter")
        assert isinstance(app.screen, PromptScreen)  # 0 is not a count
        await pilot.press("ctrl+u", "3", "enter")
        await pilot.pause()
        assert screen.settings.workers == 3
        assert "workers 3 " in panel_text(screen)
        await pilot.press("p")
        assert app.screen.query_one("#prompt-input").value == "3"
        await pilot.press("ctrl+u", *"AUTO", "enter")
        await pilot.pause()
        assert screen.settings.workers == AUTO_WORKERS


def test_a_gpu_column_appears_only_once_a_trial_ran_on_one() -> None:
    cpu = TrialRecord("0", 1, {}, "tuner0")
    gpu = TrialRecord("1", 2, {}, "tuner1", gpu="1")
    plain = Shown().grown([cpu], (), "val_accuracy", {})
    assert "gpu" not in plain.columns()
    shown = plain.grown([gpu], (), "val_accuracy", {})
    assert shown.columns()[-2:] == ["gpu", "note"]
    assert trial_cells(gpu, shown, False, None)[-2] == "1"
    assert trial_cells(cpu, shown, False, None)[-2] == "-"
    assert len(trial_cells(gpu, shown, False, None)) == len(shown.columns())
