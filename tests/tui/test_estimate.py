"""The console's estimates: the editor's plan (candidates, fits, time from the warm engine's
timing, rough before it) and the monitor's ETA before the first fit has trained."""

from __future__ import annotations

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
    row_seconds=0.001, start_seconds=1.0, params=1210, size=2.0, train_rows=1000, val_rows=250
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
    settings = RunSettings(backend="keras-tuner", algorithm="grid")
    chosen = plan(TWELVE, settings)
    seconds = estimate_for(TIMED, chosen, settings.cv).seconds
    assert seconds == 12 * 1.0 + 24 * 1000 * 0.001 * 2.0  # starts, then epochs × rows × size
    assert "Estimate about 1 min (timed, 1,210 params)" in words(TWELVE, settings, TIMED)
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
