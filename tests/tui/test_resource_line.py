"""The monitor's resource line and an out-of-memory trial's row: read from the journal the
search wrote (samples taken in the engine), never measured by the console."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.run import events as ev
from engine.run.results import replay
from tests.tui.helpers import screen_text
from tui.app import make_app
from tui.widgets.resources import resources_text
from tui.widgets.trial_table import STATUS_STYLE, Shown, trial_cells

SIZE = (80, 24)


@pytest.mark.asyncio
async def test_the_monitor_shows_the_last_sample(running_run: Path) -> None:
    app = make_app(attach=running_run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "cpu 187% ram 1.2G gpu 87% 10G/80G" in screen_text(app)


def sample(worker: str, time: float, cpu: float) -> ev.ResourcesSampled:
    return ev.ResourcesSampled(worker=worker, time=time, cpu=cpu, rss=300 * 2**20)


def test_workers_are_named_once_there_are_several_and_the_gone_are_dropped() -> None:
    results = replay([sample("tuner0", 100.0, 99.6), sample("tuner1", 130.0, 50.0)])
    assert resources_text(results) == "tuner0 cpu 100% ram 300M  tuner1 cpu 50% ram 300M"
    results.apply(sample("tuner1", 200.0, 75.0))  # tuner0 silent for 100 s: gone
    assert resources_text(results) == "cpu 75% ram 300M"
    assert resources_text(replay([])) == ""


def test_an_oom_row_has_its_own_look_and_its_note() -> None:
    note = "out of memory at batch size 64 with 1,210 parameters (MemoryError)"
    results = replay(
        [
            ev.TrialStarted(trial_id="0", number=1, hyperparameters={"batch_size": 64}, epochs=2),
            ev.TrialEnded(trial_id="0", status="oom", reason=note, peak_memory=2**30),
        ]
    )
    cells = trial_cells(results.trials["0"], Shown(), best=False, now=None)
    columns = Shown().columns()
    assert str(cells[columns.index("status")]) == "oom" and cells[-1] == note
    assert cells[columns.index("status")].style == STATUS_STYLE["oom"]
    assert len(set(STATUS_STYLE.values())) == len(STATUS_STYLE)
    assert results.trials["0"].peak_memory == 2**30
