"""Edits are never lost without a word: the title marks unsaved edits, `q` asks save / discard /
cancel, and undo and redo say what they undid or redid."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.space import Space, default_space
from engine.space.hyperparameters import Choice
from tests.tui.helpers import screen_text
from tui.app import make_app
from tui.screens.dialogs import PromptScreen, UnsavedScreen
from tui.screens.space import SpaceScreen

pytestmark = pytest.mark.asyncio
SIZE = (80, 24)


def editor(app) -> SpaceScreen:
    screen = app.screen_stack[1]
    assert isinstance(screen, SpaceScreen)
    return screen


def title(app) -> str:
    return screen_text(app).splitlines()[0]


async def remove_first_batch_size(pilot) -> None:
    await pilot.press("slash", *"batch_size", "enter", "j", "delete")
    await pilot.pause()


async def test_the_title_marks_unsaved_edits(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert "(modified)" not in title(app)
        await remove_first_batch_size(pilot)
        assert "built-in default space (modified)" in title(app)
        await pilot.press("u")
        assert "(modified)" not in title(app), "back to what was opened: nothing to save"
        await pilot.press("U", "w", "ctrl+u", *"mine.yaml", "enter")
        await pilot.pause()
        assert "tunedeck · space · mine.yaml   ? keys" in title(app)
        await pilot.press("t", "ctrl+u", "3", "enter")  # settings are saved with the file
        assert "mine.yaml (modified)" in title(app)
        await pilot.press("w")  # over its own file now, in one key
        await pilot.pause()
        assert "(modified)" not in title(app)
    assert Space.load("mine.yaml").console == {"max_trials": 3}


async def test_quit_with_unsaved_edits_cancel_then_discard(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await remove_first_batch_size(pilot)
        await pilot.press("q")
        assert isinstance(app.screen, UnsavedScreen)
        assert "built-in default space has unsaved edits" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, SpaceScreen) and app.return_code is None
        assert editor(app).space.params["batch_size"] == Choice((32, 64))
        await pilot.press("q", "d")
        await pilot.pause()
        assert app.return_code == 0
    assert not Path("space.yaml").exists()


async def test_quit_with_unsaved_edits_saves_through_the_save_dialog(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await remove_first_batch_size(pilot)
        await pilot.press("q", "s")
        assert isinstance(app.screen, PromptScreen), "no file yet: the usual save dialog"
        await pilot.press("escape")  # not saved: the console stays
        assert app.return_code is None and isinstance(app.screen, SpaceScreen)
        await pilot.press("q", "s", "ctrl+u", *"mine.yaml", "enter")
        await pilot.pause()
        assert app.return_code == 0
    assert Space.load("mine.yaml").params["batch_size"] == Choice((32, 64))


async def test_quit_with_unsaved_edits_saves_over_the_open_file(workdir: Path) -> None:
    Path("mine.yaml").write_text("training:\n  batch_size: [16, 32, 64]  # mine\n")
    app = make_app(Space.load("mine.yaml"), space_path="mine.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await remove_first_batch_size(pilot)
        await pilot.press("q", "s")  # its own file: saved in place, no question
        await pilot.pause()
        assert app.return_code == 0
    assert Path("mine.yaml").read_text() == "training:\n  batch_size: [32, 64]      # mine\n"


async def test_quit_without_edits_asks_nothing(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", "ctrl+u", "4", "enter", "t", "ctrl+u", "enter", "q")
        await pilot.pause()  # a budget set, then cleared: back to what the console began with
        assert app.return_code == 0


async def test_quit_after_changing_settings_asks(workdir: Path) -> None:
    """The console's settings are saved with the space: changed, they are unsaved edits."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "t", "ctrl+u", "4", "enter", "q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedScreen) and app.return_code is None


async def test_undo_and_redo_say_what_they_did(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = editor(app)
        await pilot.press("U")
        assert "nothing to redo" in screen_text(app)
        await remove_first_batch_size(pilot)
        await pilot.press("slash", *"activation", "enter", "j", "j", "space")
        await pilot.pause()
        assert screen.space.params["activation"].values() == ("relu", "sigmoid")

        await pilot.press("u")
        assert "undid: activation tanh switched off (U redoes)" in screen_text(app)
        assert screen.space.params["activation"].values() == ("relu", "tanh", "sigmoid")
        await pilot.press("u")
        assert "undid: 16 removed from batch_size" in screen_text(app)
        assert screen.space == default_space()
        await pilot.press("u")
        assert "nothing to undo" in screen_text(app)

        await pilot.press("U")
        assert "redid: 16 removed from batch_size (u undoes)" in screen_text(app)
        assert screen.space.params["batch_size"] == Choice((32, 64))
        await pilot.press("ctrl+r")
        assert "redid: activation tanh switched off" in screen_text(app)
        assert screen.space.params["activation"].values() == ("relu", "sigmoid")

        await pilot.press("u", "T")  # a new edit: what was undone can no longer be redone
        await pilot.press("U")
        assert "nothing to redo" in screen_text(app)
        assert screen.space.source.task == "classification"
        assert screen.space.params["activation"].values() == ("relu", "tanh", "sigmoid")


async def test_values_switched_off_are_saved_and_come_back_off(workdir: Path) -> None:
    """Off values stay in the file (as `off:`), out of the search, and reopen switched off."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"activation", "enter", "j", "j", "space")  # tanh off
        await pilot.press("w", "ctrl+u", *"mine.yaml", "enter")
        await pilot.pause()
        assert "saved mine.yaml" in screen_text(app)
    assert "disabled: [tanh]" in Path("mine.yaml").read_text()
    saved = Space.load("mine.yaml")
    assert saved.params["activation"] == Choice(("relu", "sigmoid"), disabled=("tanh",))
    assert saved.grid_size() == default_space().grid_size() * 2 // 3, "tanh is not searched"

    app = make_app(saved, space_path="mine.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"activation", "enter", "j", "j", "j", "space")  # tanh on
        await pilot.pause()
        assert editor(app).space.params["activation"] == Choice(("relu", "sigmoid", "tanh"))
        assert "(modified)" in title(app)
