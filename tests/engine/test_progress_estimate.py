"""A headless search updates its plan's estimate as trials end: each trial line says how long
is left at the pace of the trials this search has ended (no TensorFlow: journal events only)."""

from __future__ import annotations

import io

import pytest

from engine.export import report
from engine.run import events as ev


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(report.time, "time", lambda: now[0])
    return now


def trial(printer: report.LinePrinter, n: int, clock: list[float], took: float) -> str:
    printer(ev.TrialStarted(trial_id=f"{n}", number=n, hyperparameters={"units": n}))
    clock[0] += took
    printer(ev.TrialEnded(trial_id=f"{n}", status="completed", score=0.5))
    return printer.out.getvalue().splitlines()[-1]  # type: ignore[attr-defined]


def test_each_trial_line_says_what_is_left_at_the_real_pace(clock, capsys) -> None:
    printer = report.LinePrinter(("units",), out=io.StringIO())
    printer(ev.SearchStarted(space={}, backend="sklearn", algorithm="grid", planned_trials=5))
    assert trial(printer, 1, clock, 60.0).endswith("elapsed 1:00, about 4 min left")
    assert trial(printer, 2, clock, 30.0).endswith("elapsed 1:30, about 2 min left")  # 3 × 45 s
    for n in (3, 4):
        trial(printer, n, clock, 45.0)
    assert trial(printer, 5, clock, 45.0).endswith("elapsed 3:45")  # the last: nothing left
    assert "plan: 5 candidates" in capsys.readouterr().err  # what it said before the first


def test_a_resumed_search_paces_only_its_own_trials(clock) -> None:
    printer = report.LinePrinter(("units",), out=io.StringIO())
    printer(ev.SearchStarted(space={}, backend="keras-tuner", algorithm="random", planned_trials=4))
    trial(printer, 1, clock, 10.0)
    clock[0] += 3600.0  # interrupted for an hour
    printer(
        ev.SearchStarted(
            space={}, backend="keras-tuner", algorithm="random", planned_trials=4, resumed=True
        )
    )
    assert trial(printer, 2, clock, 20.0).endswith("about 40 s left")  # 2 more at 20 s
