"""A run of hundreds of trials in the console: the monitor keeps the latest trials, the
results table adds rows as the cursor nears its end, and sorting still sees every trial."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis_runs import write_analysis_run
from tests.tui.helpers import wait_until
from tui.app import make_app
from tui.screens.results import ResultsScreen
from tui.screens.run import RunScreen
from tui.widgets.leaderboard import Leaderboard
from tui.widgets.trial_table import TrialTable

SIZE = (100, 30)
TRIALS = 260


@pytest.fixture(scope="module")
def large_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_analysis_run(tmp_path_factory.mktemp("large") / "run", trials=TRIALS)


@pytest.mark.asyncio
async def test_the_monitor_and_the_results_of_a_large_run(
    large_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TrialTable, "window", 50)
    monkeypatch.setattr(TrialTable, "SLACK", 10)
    app = make_app(attach=large_run)
    async with app.run_test(size=SIZE) as pilot:
        monitor = await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen)
        table = monitor.query_one(TrialTable)
        await wait_until(pilot, lambda: table.row_count)
        ids = [row[1] for row in table.rows_text()]
        assert ids == [f"{n:03d}" for n in range(TRIALS - 50, TRIALS)] and table.hidden == 210

        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen))
        board = app.screen.query_one(Leaderboard)
        assert (board.row_count, board.total) == (Leaderboard.PAGE, TRIALS)
        for _ in range(4):
            await pilot.press("pagedown")
        assert Leaderboard.PAGE < board.row_count < TRIALS  # the next page, as the cursor came
        await pilot.press("ctrl+end")
        assert board.row_count == TRIALS and board.current().trial_id == board._order[-1].trial_id
        board.sort_by("trial")
        board.flip()  # the highest number first: sorted over every trial, not the rows shown
        assert board.row_count == Leaderboard.PAGE
        assert board.current().trial_id == f"{TRIALS - 1:03d}"
