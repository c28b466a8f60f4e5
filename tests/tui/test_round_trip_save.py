"""`w` saves over the user's own file in one key, keeping its comments, order and style: only
the edited values change, the console's settings join under `console:`, and nothing else is
written (no catalogue default the user never wrote)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from engine.space import Space
from tests.tui.helpers import screen_text
from tui.app import make_app
from tui.screens.dialogs import PromptScreen
from tui.screens.space import SpaceScreen

pytestmark = pytest.mark.asyncio
SIZE = (80, 24)
MINE = """\
# my quick search (kept small on purpose)
training:
  epochs: 3                    # enough to rank
  batch_size: [16, 32, 64]     # what fits in memory

optimizer:
  # the two I trust
  name: [adam, sgd]
  learning_rate: {min: 0.001, max: 0.1, sampling: log}
"""


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


async def test_w_keeps_every_comment_and_writes_only_the_edited_lines(workdir: Path) -> None:
    Path("mine.yaml").write_text(MINE)
    app = make_app(Space.load("mine.yaml"), space_path="mine.yaml")
    async with app.run_test(size=SIZE) as pilot:
        editor = app.screen
        assert isinstance(editor, SpaceScreen)
        await pilot.press("slash", *"batch_size", "enter", "j", "space")  # 16 off
        await pilot.press("t", "ctrl+u", "5", "enter")  # a trial budget: a console setting
        await pilot.pause()
        assert "(modified)" in screen_text(app).splitlines()[0]
        await pilot.press("w")  # one key: no name asked, no overwrite question
        await pilot.pause()
        assert isinstance(app.screen, SpaceScreen) and "saved mine.yaml" in screen_text(app)
        assert "(modified)" not in screen_text(app).splitlines()[0]
        await pilot.press("q")  # nothing unsaved: no question
        await pilot.pause()
        assert app.return_code == 0
    text = Path("mine.yaml").read_text()
    removed, added = changes(MINE, text)
    assert removed == ["  batch_size: [16, 32, 64]     # what fits in memory"]
    assert added == [
        "  batch_size: {values: [32, 64], disabled: [16]} # what fits in memory",
        "console:",
        "  max_trials: 5",
    ]
    saved = Space.load("mine.yaml")
    assert saved.params["batch_size"].values() == (32, 64) and saved.console == {"max_trials": 5}

    app = make_app(saved, space_path="mine.yaml")  # the file's settings come back with it
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.settings.max_trials == 5
        assert "(modified)" not in screen_text(app).splitlines()[0]


async def test_settings_alone_are_unsaved_edits_and_W_saves_as(workdir: Path) -> None:
    Path("mine.yaml").write_text(MINE)
    app = make_app(Space.load("mine.yaml"), space_path="mine.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")  # another backend: the file would lose it
        await pilot.pause()
        assert "mine.yaml (modified)" in screen_text(app).splitlines()[0]
        await pilot.press("W")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+u", *"copy.yaml", "enter")
        await pilot.pause()
        assert "saved copy.yaml" in screen_text(app)
    assert Path("mine.yaml").read_text() == MINE
    assert Space.load("copy.yaml").console["backend"] != "auto"
