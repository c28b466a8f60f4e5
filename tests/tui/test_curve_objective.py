"""The monitor's curve follows the run's objective: a loss or a regression metric is drawn, not
an absent `val_accuracy`."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.run import events as ev
from engine.run.results import replay
from engine.run.rundir import JOURNAL
from tests.tui.helpers import wait_until
from tests.tui.runs import write_run
from tui.app import make_app
from tui.screens.run import RunScreen
from tui.widgets.metric_curve import MetricCurve, curve_series


def test_the_series_are_the_loss_and_the_objective() -> None:
    events: list[ev.Event] = [
        ev.SearchStarted(
            space={},
            backend="fake",
            algorithm="random",
            planned_trials=1,
            objective="val_mae",
            direction="min",
        ),
        ev.TrialStarted(trial_id="000", number=1, hyperparameters={}),
    ]
    for epoch in (1, 2):
        logs = {"loss": 1.0 / epoch, "mae": 0.8 / epoch, "val_mae": 0.9 / epoch}
        events.append(ev.EpochEnded(trial_id="000", epoch=epoch, logs=logs))
    trial = replay(events).trials["000"]
    drawn = curve_series(trial, "val_mae")
    assert [(s.label, s.values, s.right) for s in drawn] == [
        ("loss", [1.0, 0.5], False),
        ("val_mae", [0.9, 0.45], True),
    ]
    assert [(s.label, s.right) for s in curve_series(trial, "loss")] == [("loss", False)]
    assert curve_series(trial, "val_accuracy")[1:] == []  # nothing invented


@pytest.mark.asyncio
async def test_the_monitor_draws_a_val_loss_run_on_its_objective(workdir: Path) -> None:
    run = write_run(Path("runs/loss"), finished=True)
    journal = run / JOURNAL
    text = journal.read_text().replace(
        '"objective":"val_accuracy","direction":"max"', '"objective":"val_loss","direction":"min"'
    )
    assert '"val_loss","direction":"min"' in text
    journal.write_text(text)
    app = make_app(attach=run)
    async with app.run_test(size=(80, 24)) as pilot:
        monitor = await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen)
        curve = monitor.query_one(MetricCurve)
        assert await wait_until(pilot, lambda: curve.labels) == ("loss", "val_loss")
