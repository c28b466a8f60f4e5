"""The console's estimates: the editor's plan (candidates, fits, time from the warm engine's
timing, rough before it) and the monitor's ETA before the first fit has trained."""

from __future__ import annotations

import pytest
from rich.console import Console

from engine.face import Estimate, RunSettings, Space, Timing, estimate_for, events, plan, replay
from engine.space import default_space
from tui.widgets.run_status import Progress
from tui.widgets.side_panel import budget_text, render_panel

TWELVE = Space.from_dict(
    {
        "architecture": {"nodes": [4, 8, 16, 32]},
        "training": {"batch_size": [16, 32, 64], "epochs": 2},
    }
)
TIMED = Timing(
    step_seconds=0.002,
    sample_seconds=1e-7,
    trace_seconds=1.0,
    start_seconds=0.25,
    params=1210,
    sizes=((10, 1000), (50, 2000)),  # (batch size, parameters) of two configurations
    train_rows=1000,
    val_rows=250,
)


def words(space: Space, settings: RunSettings, timing: Timing | None = None) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(render_panel(space, settings, timing))
    return " ".join(console.export_text().split())


def test_the_plan_counts_candidates_and_fits_and_the_whole_grid() -> None:
    settings = RunSettings(backend="sklearn", algorithm="grid", cv=3)
    text = words(TWELVE, settings)
    assert "Plan 12 candidates × 3 folds = 36 fits, ≤ 72 epochs" in text
    assert "Budget all 12" in text and "(the whole grid: 12 configurations × 3 folds" in text
    assert budget_text(settings.but(max_trials=5), plan(TWELVE, settings.but(max_trials=5))) == "5"
    assert budget_text(RunSettings(), None) == "10"


def test_a_timed_model_gives_the_searchs_own_estimate() -> None:
    # an epoch of 1,250 rows (trained and evaluated): 125 steps of 0.002 + 1e-7 × 10 × 1,000 s,
    # or 25 of 0.002 + 1e-7 × 50 × 2,000 s; the estimate takes their mean
    epoch = (125 * 0.003 + 25 * 0.012) / 2
    assert TIMED.epoch_seconds(1250) == pytest.approx(epoch)
    settings = RunSettings(backend="keras-tuner", algorithm="grid")
    seconds = estimate_for(TIMED, plan(TWELVE, settings), settings.cv).seconds
    assert seconds == pytest.approx(12 * 1.0 + 12 * 0.25 + 24 * epoch)  # traces, starts, epochs
    folds = settings.but(backend="sklearn")  # 3 folds: 36 fits, 72 epochs
    assert estimate_for(TIMED, plan(TWELVE, folds), 3).seconds == pytest.approx(
        12 * 1.0 + 36 * 0.25 + 72 * epoch
    )
    assert estimate_for(TIMED, plan(TWELVE, settings), 3, share=0.5).seconds < seconds
    assert Timing.from_dict(TIMED.to_dict()) == TIMED  # as the warm engine sends it
    assert "Estimate about 25 s (timed, 1,210 params)" in words(TWELVE, settings, TIMED)
    assert "Estimate about 25 s (rough)" in words(TWELVE, settings)


def test_a_loader_is_unknown_until_timed(tmp_path) -> None:
    settings = RunSettings(dataset=f"{tmp_path}/data.py:load", backend="keras-tuner")
    assert "Estimate unknown until timed" in words(default_space(), settings)
    assert "Estimate about" in words(default_space(), settings, TIMED)


def started(seconds: float | None) -> list[events.Event]:
    return [
        events.SearchStarted(
            time=100.0,
            space={},
            backend="keras-tuner",
            algorithm="grid",
            planned_trials=4,
            planned_epochs=8,
            estimated_seconds=seconds,
        ),
        events.TrialStarted(time=101.0, trial_id="0", number=0, hyperparameters={}, epochs=2),
    ]


def test_the_monitor_counts_down_the_estimate_until_a_fit_has_trained() -> None:
    results = replay(started(60.0))
    assert results.estimate == Estimate(4, 1, 60.0, 0)
    before = Progress.of(results, "running", now=110.0, last=None)
    assert (before.eta, before.guessed) == (50.0, True)  # shown as `ETA ~0:50`
    assert Progress.of(replay(started(None)), "running", now=110.0, last=None).eta is None
    trained = [*started(60.0), events.EpochEnded(time=120.0, trial_id="0", epoch=1, logs={})]
    after = Progress.of(replay(trained), "running", now=120.0, last=None)
    assert (after.eta, after.guessed) == (140.0, False)  # 20 s for half a trial of four
