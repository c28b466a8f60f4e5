"""The runs screen (l in the editor): every run with its state, opened with enter, deleted
only after a yes and never while its search runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.run.rundir import RunDir
from tests.tui.helpers import screen_text, wait_until
from tests.tui.runs import write_run
from tui.app import make_app
from tui.screens.dialogs import ConfirmScreen, PromptScreen
from tui.screens.run import RunScreen
from tui.screens.runs import RunsScreen

SIZE = (80, 24)


@pytest.mark.asyncio
async def test_runs_are_listed_opened_and_deleted_after_a_yes(workdir: Path) -> None:
    write_run(Path("runs/a-done"), finished=True)
    write_run(Path("runs/b-cut"), finished=False)  # no runner: interrupted
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        assert isinstance(app.screen, RunsScreen)
        text = screen_text(app)
        assert "a-done" in text and "finished" in text and "4/4" in text and "0.9531" in text
        assert "b-cut" in text and "interrupted" in text and "3/4" in text

        await pilot.press("down", "D")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete runs/b-cut (interrupted, 3/4 trials) for good?" in screen_text(app)
        await pilot.press("n")
        assert Path("runs/b-cut").is_dir(), "no: nothing deleted"
        await pilot.press("D", "y")
        await pilot.pause()
        assert not Path("runs/b-cut").exists() and "deleted runs/b-cut" in screen_text(app)

        await pilot.press("enter")  # the one left: its monitor, the journal replayed
        monitor = await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen)
        assert monitor.run_dir == Path("runs/a-done") and "finished" in screen_text(app)


@pytest.mark.asyncio
async def test_a_run_in_use_is_not_deleted(workdir: Path) -> None:
    run = write_run(Path("runs/live"), finished=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        with RunDir(run).lock():  # a runner holds it
            (run / "runner.pid").write_text(str(os.getpid()))
            await pilot.press("l", "D", "y")
            await pilot.pause()
            assert "not deleted" in screen_text(app) and "a search is running there" in screen_text(
                app
            )
        assert run.is_dir()


@pytest.mark.asyncio
async def test_no_runs_yet_says_how_to_make_one(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        assert "no runs in runs/ yet: r in the editor starts one" in screen_text(app)


@pytest.mark.asyncio
async def test_more_trials_continue_a_finished_run_from_the_runs_and_results_screens(
    workdir: Path,
) -> None:
    write_run(Path("runs/a-done"), finished=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "plus")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+u", "0", "enter")
        assert isinstance(app.screen, PromptScreen)
        assert "a number of trials, 1 or more" in screen_text(app)
        await pilot.press("ctrl+u", "2", "enter")  # `tunedeck resume runs/a-done --more 2`
        monitor = await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen)
        await wait_until(
            pilot,
            lambda: len(monitor.results.trials) == 6 and monitor.state == "finished",
            timeout=60,
        )
        assert "search resumed: fake random, 6 trials" in monitor.log_lines
        await pilot.press("v", "plus")  # the results screen offers the same
        assert isinstance(app.screen, PromptScreen)
        assert "More trials for a-done" in screen_text(app)
