"""The space editor driven by real key presses at 80×24."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from engine.space import Space, default_space
from engine.space.hyperparameters import Choice, Fixed, Float
from tests.tui.helpers import screen_text, wait_until
from tui import bridge
from tui.app import make_app
from tui.screens.dialogs import ConfirmScreen, PromptScreen, SummaryScreen
from tui.screens.editor import EditorScreen
from tui.screens.space import SpaceScreen

pytestmark = pytest.mark.asyncio
SIZE = (80, 24)


def options(app, name: str) -> tuple:
    screen = app.screen_stack[1]
    assert isinstance(screen, SpaceScreen)
    return screen.space.params[name].values()


async def find(pilot, name: str) -> None:
    await pilot.press("slash", *name, "enter")
    await pilot.pause()


async def test_remove_add_refuse_and_undo(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, "batch_size")
        await pilot.press("j", "delete")  # the first value, 16
        assert options(app, "batch_size") == (32, 64)
        assert "[32, 64]" in screen_text(app)

        await find(pilot, "learning_rate")
        await pilot.press("plus", *"0.2", "enter")
        await pilot.pause()
        assert options(app, "learning_rate") == (0.01, 0.05, 0.1, 0.3, 0.2)

        await pilot.press("plus", *"-1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen), "an invalid value keeps the dialog open"
        assert "must be > 0" in screen_text(app)
        await pilot.press("escape")
        assert options(app, "learning_rate") == (0.01, 0.05, 0.1, 0.3, 0.2)

        await pilot.press("u")
        assert options(app, "learning_rate") == (0.01, 0.05, 0.1, 0.3)
        await pilot.press("u")
        assert options(app, "batch_size") == (16, 32, 64)


async def test_switch_off_keeps_the_value_in_the_editor(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, "activation")
        await pilot.press("j", "j", "space")  # tanh off
        await pilot.pause()
        assert options(app, "activation") == ("relu", "sigmoid")
        assert "tanh (off)" in screen_text(app)
        await pilot.press("space")  # and on again, in its place
        assert options(app, "activation") == ("relu", "tanh", "sigmoid")
        await pilot.press("j", "space", "k", "k", "space")  # sigmoid off, relu off
        await pilot.press("j", "space")  # tanh: the last value on cannot go
        await pilot.pause()
        assert options(app, "activation") == ("tanh",)
        assert "cannot switch off the last value" in screen_text(app)


async def test_editor_switches_kind_and_refuses_in_place(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, "learning_rate")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        await pilot.press("ctrl+t")  # choice -> range, min and max taken from the choice
        assert app.screen.query_one("#min").value == "0.01"
        assert app.screen.query_one("#max").value == "0.3"
        await pilot.press("ctrl+u", *"0.5", "tab", "ctrl+u", *"0.1", "tab", "tab", "space")
        await pilot.press("shift+tab", "enter")  # submit from the step field
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        assert "min 0.5 is greater than max 0.1" in screen_text(app)
        await pilot.press("shift+tab", "shift+tab", "ctrl+u", *"0.0001", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, EditorScreen)
        assert app.screen_stack[1].space.params["learning_rate"] == Float(0.0001, 0.1, None, "log")
        assert "infinite" in screen_text(app)  # the grid of a continuous space

        await find(pilot, "nodes")
        await pilot.press("enter", "ctrl+t", "ctrl+t", "ctrl+u", *"128", "enter")
        await pilot.pause()
        assert app.screen_stack[1].space.params["nodes"] == Fixed(128)


async def test_side_panel_settings_keys(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("b", "b", "b")
        assert screen.settings.backend == "fake"
        await pilot.press("t", "ctrl+u", "0", "enter")
        assert isinstance(app.screen, PromptScreen)
        assert "at least 1" in screen_text(app)
        await pilot.press("ctrl+u", "3", "enter", "e", "2", "enter", "s", "ctrl+u", *"7", "enter")
        await pilot.press("d")
        await pilot.pause()
        assert (screen.settings.max_trials, screen.settings.epochs) == (3, 2)
        assert (screen.settings.seed, screen.settings.dataset) == (7, "breast_cancer")
        text = screen_text(app)
        assert "3 candidates" in text and "breast_cancer" in text


async def test_save_never_overwrites_silently_and_open_refuses_bad_files(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "ctrl+u", *"mine.yaml", "enter")
        await pilot.pause()
        assert Space.load("mine.yaml") == default_space()
        await find(pilot, "batch_size")
        await pilot.press("j", "delete", "W", "enter")  # save as, the same name again
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert Space.load("mine.yaml") == default_space()
        await pilot.press("W", "enter", "y")
        await pilot.pause()
        assert Space.load("mine.yaml").params["batch_size"] == Choice((32, 64))

        Path("bad.yaml").write_text(yaml.safe_dump({"training": {"batch_size": [0]}}))
        await pilot.press("o", "ctrl+u", *"bad.yaml", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert "must be >= 1" in screen_text(app)
        await pilot.press("escape", "u", "o", "ctrl+u", *"mine.yaml", "enter")
        await pilot.pause()
        assert app.screen.space.params["batch_size"] == Choice((32, 64))


async def test_model_summary_runs_elsewhere(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary is a child process; here a stand-in prints what `engine summary` would."""
    script = (
        "import sys, yaml; args = sys.argv[1:]; print('Total params: 42'); print(*args, sep='\\n');"
        "print('batch_size' in str(yaml.safe_load(open(args[1]))))"
    )
    fake = [sys.executable, "-c", script]
    monkeypatch.setattr(bridge, "engine_command", lambda *args: [*fake, *args])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        assert isinstance(app.screen, SummaryScreen)
        await wait_until(pilot, lambda: "Total params: 42" in screen_text(app), timeout=10)
        lines = [
            line.split("█")[1].strip() for line in screen_text(app).splitlines() if "█" in line
        ]
        assert {"summary", "--dataset", "digits", "True"} <= set(lines)


async def test_log_sampling_is_a_glyph_and_enter_applies_from_it(workdir: Path) -> None:
    """☑/☐ tell the state without colour; space ticks; enter on the box applies the dialog."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await find(pilot, "learning_rate")
        await pilot.press("enter", "ctrl+t", "tab", "tab", "tab")  # a range; focus on the box
        assert "☐ log sampling" in screen_text(app)
        await pilot.press("space")
        assert "☑ log sampling" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, EditorScreen)
        assert app.screen_stack[1].space.params["learning_rate"] == Float(0.01, 0.3, None, "log")
