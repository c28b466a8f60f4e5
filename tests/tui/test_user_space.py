"""A space for the user's own model in the editor: its `params` group is edited like the
built-in ones, task and objective are set from the side panel, and the file saves it all back.
The editor never imports the user's file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from engine.objective.metric import Objective
from engine.space import Space
from tests.tui.helpers import screen_text
from tui.app import make_app
from tui.screens.editor import EditorScreen
from tui.screens.space import SpaceScreen

pytestmark = pytest.mark.asyncio
SIZE = (80, 24)
SPACE = """model: net.py:build
params:
  filters: [8, 16]
  units: {min: 16, max: 64, step: 16}
training: {batch_size: 32, epochs: 3}
"""


def editor(app) -> SpaceScreen:
    screen = app.screen_stack[1]
    assert isinstance(screen, SpaceScreen)
    return screen


async def test_params_are_edited_like_builtin_ones(workdir: Path) -> None:
    (workdir / "net.py").write_text("raise SystemExit('the editor must not import me')\n")
    (workdir / "space.yaml").write_text(SPACE)
    space = Space.load(workdir / "space.yaml")
    app = make_app(space, space_path="space.yaml")
    async with app.run_test(size=SIZE) as pilot:
        text = screen_text(app)
        assert "params  2 tuned" in text and "filters  [8, 16]" in text
        assert "net.py:build" in text and "architecture" not in text

        await pilot.press("slash", *"filters", "enter", "j", "j", "space")  # 16 off
        await pilot.pause()
        assert editor(app).space.params["filters"].values() == (8,)
        await pilot.press("plus", *"32", "enter")
        await pilot.pause()
        assert editor(app).space.params["filters"].values() == (8, 32)

        await pilot.press("slash", *"units", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        await pilot.press("ctrl+t", "ctrl+t")  # range → fixed → choice
        await pilot.press(*"16, 48", "enter")
        await pilot.pause()
        assert editor(app).space.params["units"].values() == (16, 48)
        await pilot.press("u")
        assert editor(app).space.params["units"].values() == (16, 32, 48, 64)

        await pilot.press("T", "T")  # auto → classification → regression
        await pilot.press("O", *"val_mae", "enter")
        await pilot.pause()
        source = editor(app).space.source
        assert source.task == "regression" and source.objective == Objective("val_mae", "min")
        assert "val_mae (min)" in screen_text(app)

        await pilot.press("W", "ctrl+u", *"saved.yaml", "enter")
        await pilot.pause()
    saved = yaml.safe_load((workdir / "saved.yaml").read_text())
    assert saved["model"] == "net.py:build" and saved["task"] == "regression"
    assert saved["objective"] == {"metric": "val_mae", "direction": "min"}
    units = {"min": 16, "max": 64, "step": 16}
    assert saved["params"] == {"filters": {"values": [8, 32], "disabled": [16]}, "units": units}
    loaded = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
    assert str(workdir / "net.py") not in loaded  # the editor never imported the user's file


async def test_a_model_that_compiles_itself_shows_the_optimizer_unused(workdir: Path) -> None:
    """Its own compile keeps its optimizer: tunedeck's is marked unused, until a setting of it
    is tuned (each trial's model is then recompiled with them)."""
    (workdir / "net.py").write_text(
        "raise SystemExit('never imported')\n"
        "def build(hp):\n"
        "    model = make(hp['filters'])\n"
        "    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
        "    return model\n"
    )
    (workdir / "space.yaml").write_text(SPACE)
    app = make_app(Space.load(workdir / "space.yaml"), space_path="space.yaml")
    async with app.run_test(size=SIZE) as pilot:
        text = screen_text(app)
        assert "optimizer  unused: model compiles" in text
        assert "learning_rate  = 0.01  unused" in text and "schedule  unused" in text
        await pilot.press("slash", *"learning_rate", "enter", "enter", "ctrl+t")  # → choice
        await pilot.press("ctrl+u", *"0.01, 0.1", "enter")
        await pilot.pause()
        assert editor(app).space.params["learning_rate"].values() == (0.01, 0.1)
        text = screen_text(app)
        assert "optimizer  1 tuned" in text and "unused" not in text
