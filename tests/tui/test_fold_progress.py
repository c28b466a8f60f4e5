"""A scikit-learn trial is several fits: the monitor says which fold an epoch belongs to, and
its ETA counts the fits already trained, not only whole trials."""

from __future__ import annotations

from engine.run import events as ev
from engine.run.results import replay
from tui.widgets.run_status import Progress, trials_work
from tui.widgets.trial_table import Shown, trial_cells


def sklearn_run() -> list[ev.Event]:
    """4 candidates × 3 folds × 10 epochs; after 30 s the first is in its second fold, epoch 5."""
    events: list[ev.Event] = [
        ev.SearchStarted(
            time=0.0,
            space={},
            backend="sklearn",
            algorithm="grid",
            planned_trials=4,
            settings={"cv": 3},
        ),
        ev.TrialStarted(time=0.0, trial_id="000", number=1, hyperparameters={}, epochs=10),
    ]
    clock = 0.0
    for fold, epochs in ((1, 10), (2, 5)):
        for epoch in range(1, epochs + 1):
            clock += 2.0
            events.append(
                ev.EpochEnded(
                    time=clock,
                    trial_id="000",
                    epoch=epoch,
                    epochs=10,
                    fold=fold,
                    logs={"loss": 0.5},
                )
            )
    return events


def test_the_epoch_cell_names_the_fold() -> None:
    results = replay(sklearn_run())
    shown = Shown(folds=3)
    cells = trial_cells(results.trials["000"], shown, best=False, now=None)
    assert shown.columns()[4] == "fold·epoch" and cells[4] == "2/3·5/10"


def test_the_eta_is_calibrated_from_the_first_fits() -> None:
    results = replay(sklearn_run())
    assert trials_work(results) == 0.5  # 1.5 of 3 fits of one trial
    progress = Progress.of(results, "running", now=30.0, last=30.0)
    assert progress.done == 0, "no trial has ended, yet there is an estimate"
    assert progress.eta == 30.0 / 0.5 * 3.5  # 60 s a trial, 3.5 trials to go
