"""Conventions the console promises: every key described, in `?` and in the command palette;
nothing heavy imported; bad input refused before the terminal is taken over."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.binding import Binding

from tests.tui.helpers import wait_until
from tui import app as app_module
from tui.commands import BindingCommands
from tui.screens import dialogs, editor, export, help, results, run, space
from tui.screens.help import HelpScreen
from tui.screens.results import ResultsScreen
from tui.screens.run import RunScreen
from tui.widgets import leaderboard, space_tree, trial_table

HEAVY = ("tensorflow", "keras", "keras_tuner", "sklearn", "scikeras")
OURS = (
    app_module,
    dialogs,
    editor,
    export,
    help,
    results,
    run,
    space,
    space_tree,
    leaderboard,
    trial_table,
)
BINARY = Path(sys.executable).with_name("tunedeck")


def our_bindings() -> list[tuple[str, Binding]]:
    out = []
    for module in OURS:
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                for binding in vars(value).get("BINDINGS", []):
                    out.append((value.__name__, binding))
    return out


def test_every_binding_has_a_description() -> None:
    bindings = our_bindings()
    assert len(bindings) > 30
    assert [(owner, b.key) for owner, b in bindings if not b.description] == []


@pytest.mark.asyncio
@pytest.mark.parametrize("where", ["space", "run", "results"])
async def test_help_and_palette_list_every_key_of_the_screen(
    where: str, finished_run: Path
) -> None:
    application = app_module.make_app(attach=finished_run if where != "space" else None)
    async with application.run_test(size=(80, 24)) as pilot:
        if where == "results":
            await pilot.press("v")
        wanted = {"space": space.SpaceScreen, "run": RunScreen, "results": ResultsScreen}[where]
        screen = await wait_until(
            pilot, lambda: isinstance(application.screen, wanted) and application.screen
        )
        expected = {b.description for b in wanted.BINDINGS} | {"Keys", "Quit"}
        widget = {
            "space": space_tree.SpaceTree,
            "run": trial_table.TrialTable,
            "results": leaderboard.Leaderboard,
        }[where]
        expected |= {b.description for b in widget.BINDINGS}
        palette = {text for text, _, _ in BindingCommands(screen)._commands()}
        assert expected <= palette
        await pilot.press("question_mark")
        assert isinstance(application.screen, HelpScreen)
        listed = {description for _, description, _ in application.screen.rows}
        assert expected <= listed
        await pilot.press("escape")
        assert application.screen is screen


@pytest.mark.asyncio
async def test_palette_runs_the_action(workdir: Path) -> None:
    application = app_module.make_app()
    async with application.run_test(size=(80, 24)) as pilot:
        screen = application.screen
        commands = {text: run_it for text, _, run_it in BindingCommands(screen)._commands()}
        await commands["Backend"]()
        await pilot.pause()
        assert screen.settings.backend == "keras-tuner"


@pytest.mark.asyncio
async def test_palette_finds_a_parameter_by_name_and_jumps_to_it(workdir: Path) -> None:
    application = app_module.make_app()
    async with application.run_test(size=(80, 24)) as pilot:
        tree = application.screen.query_one(space_tree.SpaceTree)
        await pilot.press("ctrl+p", *"kernel_str")
        await pilot.pause(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(application.screen, space.SpaceScreen)
        assert tree.cursor_node is not None and "kernel_strength" in str(tree.cursor_node.label)


@pytest.mark.asyncio
async def test_help_lists_the_screen_keys_before_textual_ones(workdir: Path) -> None:
    application = app_module.make_app()
    async with application.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        rows = [description for _, description, _ in application.screen.rows]
        assert rows[0] == "Run"
        assert rows.index("Focus Next") > rows.index("Quit"), "Textual's own keys come last"


def test_console_imports_nothing_heavy() -> None:
    code = (
        "import asyncio, sys\n"
        "import tui.app, tui.launch\n"
        "async def main():\n"
        "    app = tui.app.make_app()\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.press('b', 'm', 'escape', 'question_mark')\n"
        "asyncio.run(main())\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], "missing.yaml: no such file"),
        (["bad.yaml"], "training.batch_size[0]: must be >= 1"),
        (["open", "--dataset", "nope"], "unknown dataset 'nope'"),
        (["attach", "nowhere"], "nowhere: no such run directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, workdir: Path) -> None:
    Path("bad.yaml").write_text("training:\n  batch_size: [0]\n")
    done = subprocess.run(
        [str(BINARY), *args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr
    assert done.stderr.startswith("tunedeck: error: ")


def test_launch_opens_a_space_file_or_a_run(workdir: Path, finished_run: Path, monkeypatch) -> None:
    """`tunedeck SPACE --dataset D` and `tunedeck attach RUN` reach the app with their input."""
    import argparse

    from engine.space import Space
    from tui.launch import launch

    opened = []
    monkeypatch.setattr(app_module.TuneDeckApp, "run", lambda self: opened.append(self))
    Path("mine.yaml").write_text("training:\n  batch_size: [8, 128]\n")
    args = argparse.Namespace(command="open", space="mine.yaml", dataset="iris")
    assert launch(args) == 0
    app = opened[-1]
    assert app.initial_space == Space.load("mine.yaml") and app.space_path == "mine.yaml"
    assert app.settings.dataset == "iris"
    assert launch(argparse.Namespace(command="attach", run_dir=str(finished_run))) == 0
    app = opened[-1]
    assert app.attach == finished_run and app.settings.backend == "fake"
    assert app.initial_space.params["batch_size"].values() == (16, 32)
