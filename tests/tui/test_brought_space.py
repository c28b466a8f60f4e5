"""A W&B sweep opened in the console as it is: the editor says what was converted, and saving
proposes a space file of its own rather than writing over the sweep."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from engine.space import Space
from tests.tui.helpers import screen_text
from tui.app import make_app
from tui.screens.dialogs import PromptScreen

pytestmark = pytest.mark.asyncio
SWEEP = """method: bayes
metric: {name: val_loss, goal: minimize}
parameters:
  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
  batch_size: {values: [16, 32]}
"""


async def test_a_sweep_opens_with_a_line_saying_what_was_converted(workdir: Path) -> None:
    (workdir / "sweep.yaml").write_text(SWEEP)
    app = make_app(Space.load(workdir / "sweep.yaml"), space_path="sweep.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "converted a W&B sweep: lr → optimizer.learning_rate" in text.replace("\n", " ")
        assert "batch_size  [16, 32]" in text
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value == "space.yaml"
    assert (workdir / "sweep.yaml").read_text() == SWEEP
