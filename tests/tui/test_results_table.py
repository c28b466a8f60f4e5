"""The results table at 80 columns: what tells trials apart, sorted by a picked column,
filtered by status or value."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.face import read_run, replay
from tests.tui.helpers import screen_text, wait_until
from tui.app import make_app
from tui.screens.dialogs import PickScreen
from tui.screens.results import ResultsScreen
from tui.widgets.leaderboard import Leaderboard, matches, parse_filter

SIZE = (80, 24)


async def open_results(pilot) -> Leaderboard:
    await pilot.press("v")
    screen = await wait_until(pilot, lambda: isinstance(pilot.app.screen, ResultsScreen))
    assert screen
    return pilot.app.screen.query_one(Leaderboard)


@pytest.mark.asyncio
async def test_columns_are_what_differs_and_the_key_ones_stay(finished_run: Path) -> None:
    app = make_app(attach=finished_run)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_results(pilot)
        names = [str(c.label) for c in board.ordered_columns]
        assert names[:4] == ["rank", "trial", "status", "score"] and board.fixed_columns == 4
        assert names[4:7] == ["batch_size", "optimizer", "learning_rate"], "tuned and differing"
        assert "epochs" in names and "worker" not in names, "one worker: no worker column"
        assert "epochs  = 3" not in screen_text(app)
        header = next(
            line for line in screen_text(app).splitlines() if line.split()[:1] == ["rank"]
        )
        assert header.split()[:5] == ["rank", "trial", "status", "score", "batch_size"]


@pytest.mark.asyncio
async def test_sort_by_picking_a_column_or_clicking_its_header(finished_run: Path) -> None:
    app = make_app(attach=finished_run)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_results(pilot)
        await pilot.press("o")
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down", "down", "down", "down", "enter")  # rank → … → batch_size
        assert board.sort_column == "batch_size"
        assert [t.hyperparameters["batch_size"] for t in board.ordered()] == [16, 16, 32, 32]
        assert "sorted by batch_size ↑" in screen_text(app)
        await pilot.click(
            Leaderboard, offset=(board.ordered_columns[1].get_render_width(board) + 2, 0)
        )
        assert board.sort_column == "trial"


@pytest.mark.asyncio
async def test_filter_by_status_and_by_value(finished_run: Path) -> None:
    app = make_app(attach=finished_run)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_results(pilot)
        await pilot.press("slash", *"status=failed", "enter")
        assert [t.trial_id for t in board.ordered()] == ["001"] and board.row_count == 1
        assert "filter status=failed: 1 of 4 trials" in screen_text(app)
        await pilot.press("slash", "ctrl+u", *"optimiser=adam", "enter")
        assert "no column 'optimiser'; columns: status, batch_size," in screen_text(app)
        await pilot.press("ctrl+u", *"optimizer=adam, batch_size=32", "enter")
        assert [t.trial_id for t in board.ordered()] == ["002"]
        await pilot.press("slash", "ctrl+u", "enter")  # empty: every trial again
        assert board.row_count == 4


def test_filter_text_is_parsed_and_matched_as_the_table_shows_values(finished_run: Path) -> None:
    with pytest.raises(ValueError, match="write COLUMN=VALUE"):
        parse_filter("status", ["status"])
    results = replay(read_run(finished_run))
    pairs = parse_filter(" learning_rate = 0.1 ", ["status", "learning_rate"])
    assert pairs == [("learning_rate", "0.1")]
    assert [t.trial_id for t in results.trials.values() if matches(t, pairs)] == ["001", "002"]
