"""The monitor counts a Hyperband search as the engine plans it: every trial, continuations
included, and an ETA from epochs (its trials differ tenfold in length)."""

from __future__ import annotations

from engine.run import events as ev
from engine.run.results import replay
from tui.widgets.run_status import Progress
from tui.widgets.trial_table import Shown, trial_cells


def hyperband_run() -> list[ev.Event]:
    """Keras Tuner's schedule for 3 epochs: three 1-epoch trials, the best continued to 3
    epochs, then two 3-epoch trials (6 trials, 11 epochs); the first four have ended."""
    events: list[ev.Event] = [
        ev.SearchStarted(
            time=0.0,
            space={},
            backend="keras-tuner",
            algorithm="hyperband",
            planned_trials=6,
            planned_epochs=11,
        ),
    ]
    clock = 0.0
    for tid, epochs, parent in (
        ("0000", 1, None),
        ("0001", 1, None),
        ("0002", 1, None),
        ("0003", 3, "0001"),
    ):
        first = 1 if parent is None else 2
        events.append(
            ev.TrialStarted(
                time=clock,
                trial_id=tid,
                number=int(tid) + 1,
                hyperparameters={"epochs": epochs},
                epochs=epochs,
                continues=parent,
                initial_epoch=first - 1,
            )
        )
        for epoch in range(first, epochs + 1):
            clock += 10.0
            events.append(
                ev.EpochEnded(
                    time=clock,
                    trial_id=tid,
                    epoch=epoch,
                    epochs=epochs,
                    logs={"loss": 1.0 / epoch, "val_accuracy": 0.5},
                )
            )
        events.append(ev.TrialEnded(time=clock, trial_id=tid, status="completed", score=0.5))
    return events


def test_progress_counts_every_trial_and_estimates_from_epochs() -> None:
    results = replay(hyperband_run())
    assert results.epochs_done == 1 + 1 + 1 + 2  # the continuation trained only 2 more
    progress = Progress.of(results, "running", now=50.0, last=50.0)
    assert (progress.done, progress.total) == (4, 6)
    # 50 s for 5 epochs; 6 epochs left: 60 s (by trials it would say 25 s)
    assert progress.eta == 60.0


def test_a_continuation_says_whom_it_continues() -> None:
    results = replay(hyperband_run())
    cells = trial_cells(results.trials["0003"], Shown(), best=False, now=None)
    assert cells[-1] == "continues 0001"
    assert cells[Shown().columns().index("epoch")] == "3/3"
    assert trial_cells(results.trials["0000"], Shown(), best=False, now=None)[-1] == ""


def test_the_side_panel_plans_hyperband_in_iterations() -> None:
    from rich.console import Console

    from engine.run.settings import RunSettings
    from engine.space import default_space
    from tui.widgets.side_panel import render_panel

    console = Console(width=80, record=True, no_color=True)
    for budget, text in ((10, "90 trials"), (60, "270 trials")):
        console.print(
            render_panel(default_space(), RunSettings(algorithm="hyperband", max_trials=budget))
        )
        shown = " ".join(console.export_text().split())
        assert f"Plan {text}" in shown, shown
        iterations = "1 iteration " if budget == 10 else "3 iterations "
        assert f"Hyperband {iterations}(budget t × epochs)" in shown
    console.print(render_panel(default_space(), RunSettings(backend="sklearn")))
    assert "Hyperband" not in console.export_text()  # no Hyperband line when it is not chosen
