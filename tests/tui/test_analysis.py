"""The analysis screen, reached from the results screen (key `a`, or the palette), and the runs
screen's compare, on fixture runs whose answers are known: optimizer decides the score,
dropout never changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from tests.analysis_runs import write_analysis_run
from tests.tui.helpers import screen_text, wait_until
from tui.app import make_app
from tui.screens.analysis import AnalysisScreen
from tui.screens.results import ResultsScreen
from tui.screens.runs import RunsScreen
from tui.screens.runs_compare import RunsCompareScreen
from tui.widgets.analysis_plots import RunsPlot

SIZE = (80, 24)


@pytest.fixture
def analysis_run(workdir: Path) -> Path:
    return write_analysis_run(Path("runs/analysis"), trials=12, failed=(5,))


async def open_analysis(pilot: Pilot, *moves: str, palette: bool = False) -> AnalysisScreen:
    """Results (`v`), the cursor `moves`, then the analysis by its key or by the palette; returns
    once importance has arrived."""
    await pilot.press("v")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ResultsScreen))
    await pilot.press(*moves)
    if palette:
        await pilot.press("ctrl+p", *"analysis")
        await pilot.pause(0.3)
        await pilot.press("enter")
    else:
        await pilot.press("a")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, AnalysisScreen))
    screen = pilot.app.screen
    assert isinstance(screen, AnalysisScreen)
    await wait_until(pilot, lambda: "estimating" not in text_of(screen, "#importance-table"))
    await pilot.pause()
    return screen


def rows(app: App) -> list[list[str]]:
    """The first three words of every screen line (a table row's cells)."""
    return [line.split()[:3] for line in screen_text(app).splitlines()]


def text_of(screen: AnalysisScreen, selector: str) -> str:
    return str(screen.query_one(selector).render())


@pytest.mark.asyncio
async def test_every_view_draws_what_the_engine_computed(analysis_run: Path) -> None:
    app = make_app(attach=analysis_run)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_analysis(pilot)
        assert "11 completed · best 0.9010 · 3 improvements" in text_of(screen, "#progress-head")
        await pilot.press("t")
        assert text_of(screen, "#progress-head").endswith("t: x by trial")
        await pilot.press("2")
        lines = screen_text(app).splitlines()
        names = ("optimizer", "batch_size", "dropout")
        ranked = [
            line.split()[0] for line in lines if line.split()[:1] and line.split()[0] in names
        ]
        assert ranked[:3] == ["optimizer", "batch_size", "dropout"]
        await pilot.press("3")
        assert text_of(screen, "#slices-head").startswith("batch_size (1 of 3)")
        await pilot.press("n")
        assert text_of(screen, "#slices-head").startswith("optimizer (2 of 3)")
        await pilot.press("4", "n")
        assert text_of(screen, "#curves-head").startswith("loss of 5 trials")
        assert screen.selected == ["005", "011", "001", "007", "003"]
        await pilot.press("space", "down", "down", "down", "down", "down", "down", "space")
        assert screen.selected == ["011", "001", "007", "003", "002"]  # 005 off, 002 (sgd) on
        await pilot.press("5")
        assert "batch_size" in screen_text(app) and "005" in screen_text(app)
        await pilot.press("6")
        failure = text_of(screen, "#failures-text")
        assert "trial 004 failed: ValueError: boom" in failure
        assert "warning: trial 004 broke" in failure and 'File "net.py", line 3' in failure
        await pilot.press("escape")
        assert isinstance(app.screen, ResultsScreen)


@pytest.mark.asyncio
async def test_the_cursor_trial_is_compared_with_the_best(analysis_run: Path) -> None:
    app = make_app(attach=analysis_run)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_analysis(pilot, *["down"] * 6)  # trial 002: sgd, 64
        assert screen.pair == ("005", "002") and screen.selected[-1] == "002"
        await pilot.press("5")
        assert ["optimizer", "adam", "sgd"] in rows(app) and ["score", "0.9010", "0.5010"] in rows(
            app
        )


@pytest.mark.asyncio
async def test_the_palette_opens_the_analysis(analysis_run: Path) -> None:
    app = make_app(attach=analysis_run)
    async with app.run_test(size=SIZE) as pilot:
        assert (await open_analysis(pilot, palette=True)).pair == ("005", "011")


@pytest.mark.asyncio
async def test_the_runs_beside_it_are_compared(analysis_run: Path) -> None:
    """Runs of its objective are compared (diffed, plotted); one of another objective is listed
    with why, never plotted beside it."""
    write_analysis_run(Path("runs/other"), trials=4, shift=0.05)
    write_analysis_run(Path("runs/loss"), trials=2, objective="val_loss", direction="min")
    app = make_app(attach=analysis_run)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_analysis(pilot)
        await pilot.press("7")
        shown = rows(app)
        assert ["analysis", "12", "0.9010"] in shown and ["other", "4", "0.9505"] in shown
        assert ["batch_size", "64", "32"] in shown
        assert screen.query_one(RunsPlot).labels == ("analysis", "other")
        said = screen_text(app)  # beside the plot, its lines wrapped at the table's width
        assert "loss not compared: optimises val_loss" in said


@pytest.mark.asyncio
async def test_a_run_alone_in_its_folder_says_so(analysis_run: Path) -> None:
    app = make_app(attach=analysis_run)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_analysis(pilot)
        await pilot.press("7")
        assert text_of(screen, "#runs-comparison .runs-table") == (
            "no other run beside it in its folder"
        )


@pytest.mark.parametrize("tab", ["1", "2", "3", "4", "5", "6", "7"])
def test_snapshot(snap_compare, analysis_run: Path, tab: str) -> None:
    if tab == "7":
        write_analysis_run(Path("runs/other"), trials=4, shift=0.05)

    async def before(pilot: Pilot) -> None:
        await open_analysis(pilot)
        await pilot.press(tab)
        await pilot.pause()

    assert snap_compare(make_app(attach=analysis_run), run_before=before, terminal_size=SIZE)


@pytest.mark.asyncio
async def test_few_trials_carry_the_warning(workdir: Path) -> None:
    app = make_app(attach=write_analysis_run(Path("runs/few"), trials=4))
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        await pilot.press("2")
        assert "only 4 completed trials: too few to trust (at least 10)" in screen_text(app)


@pytest.mark.asyncio
async def test_the_runs_screen_compares_the_run_under_the_cursor(analysis_run: Path) -> None:
    write_analysis_run(Path("runs/other"), trials=4, shift=0.05)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "c")  # the cursor is on the first run: analysis
        await wait_until(pilot, lambda: isinstance(app.screen, RunsCompareScreen))
        shown = rows(app)
        assert ["analysis", "12", "0.9010"] in shown and ["other", "4", "0.9505"] in shown
        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)


def test_runs_compare_snapshot(snap_compare, analysis_run: Path) -> None:
    write_analysis_run(Path("runs/other"), trials=4, shift=0.05)
    assert snap_compare(make_app(), press=["l", "c"], terminal_size=SIZE)
