"""The Pareto view of a run with two objectives and a constraint: the results table's columns,
the scatter's cursor walking the points, opening and exporting a trial, and its 80×24
snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from textual.widgets import Input, OptionList

from tests.multi_runs import write_multi_run
from tests.tui.helpers import screen_text, wait_until
from tui.app import make_app
from tui.screens.export import ExportScreen
from tui.screens.pareto import ParetoScreen
from tui.screens.results import ResultsScreen, TrialScreen
from tui.widgets.leaderboard import Leaderboard

SIZE = (80, 24)


@pytest.fixture
def multi_run(workdir: Path) -> Path:
    return write_multi_run(Path("runs/front"))


async def open_pareto(pilot) -> ParetoScreen:
    await pilot.press("v")
    assert await wait_until(pilot, lambda: isinstance(pilot.app.screen, ResultsScreen))
    await pilot.press("p")
    assert await wait_until(pilot, lambda: isinstance(pilot.app.screen, ParetoScreen))
    return pilot.app.screen


@pytest.mark.asyncio
async def test_table_ranks_by_front_and_the_scatter_opens_a_trial(multi_run: Path) -> None:
    app = make_app(attach=multi_run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen))
        board = app.screen.query_one(Leaderboard)
        names = [str(c.label) for c in board.ordered_columns]
        assert names[:6] == ["rank", "trial", "status", "score", "params", "front"]
        # the front (003, 001, 000) by accuracy, then 002 and 005 (dominated), 004 infeasible
        assert [t.trial_id for t in board.ordered()] == ["003", "001", "000", "002", "005", "004"]
        await pilot.press("p")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ParetoScreen))
        screen = app.screen
        assert "3 on the front of 6" in screen_text(app)
        assert "trial 003  on the front" in screen_text(app)  # the cursor starts on the best
        await pilot.press("right")
        assert "trial 004  infeasible" in screen_text(app)  # the next by params
        await pilot.press("f")  # the front's points only, from the lowest accuracy
        assert "trial 000  on the front" in screen_text(app)
        await pilot.press("right")  # over 005 and 002, dominated
        assert "trial 001  on the front" in screen_text(app)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, TrialScreen))
        assert app.screen.trial.trial_id == "001" and screen.cursor == 3


def test_pareto_snapshot(snap_compare, multi_run: Path) -> None:
    assert snap_compare(make_app(attach=multi_run), press=["v", "p"], terminal_size=SIZE)


@pytest.mark.asyncio
async def test_x_exports_the_chosen_point_of_the_front(multi_run: Path) -> None:
    """The export dialog opened on a point offers one trial's formats and writes that trial's
    configuration (`export --pick`), not the best's."""
    app = make_app(attach=multi_run)
    async with app.run_test(size=SIZE) as pilot:
        await open_pareto(pilot)
        await pilot.press("f", "right")  # the front's points: from 003, the best, round to 000
        assert await wait_until(pilot, lambda: "trial 000  on the front" in screen_text(app))
        await pilot.press("x")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        formats = app.screen.query_one("#formats", OptionList)
        assert [str(formats.get_option_at_index(i).prompt).split()[0] for i in range(3)] == [
            "yaml",
            "json",
            "python",
        ] and formats.option_count == 3
        assert app.screen.query_one("#export-path", Input).value == "front-trial000.yaml"
        assert "trial 000" in screen_text(app)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: "wrote" in screen_text(app), timeout=60)
    record = yaml.safe_load(Path("front-trial000.yaml").read_text())
    assert record["trial_id"] == "000" and record["hyperparameters"]["nodes"] == 8
    assert record["values"] == {"val_accuracy": 0.71, "params": 610.0}
