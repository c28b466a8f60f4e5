"""A pruned trial in the monitor: its own status style, the epoch it stopped at, its verdict as
the note, no score and no rank; counted as done, never as failed."""

from __future__ import annotations

import pytest

from engine.export.report import summary
from engine.run import events as ev
from engine.run.results import replay
from tui.widgets.run_status import Progress
from tui.widgets.trial_table import STATUS_STYLE, Shown, trial_cells

VERDICT = "at epoch 2: best val_accuracy 0.1000 trails the median 0.9000 of 3 completed trials"


def pruned_run() -> list[ev.Event]:
    events: list[ev.Event] = [
        ev.SearchStarted(
            time=0.0, space={}, backend="keras-tuner", algorithm="grid", planned_trials=3
        )
    ]
    for tid, epochs, status in (("0", 3, "completed"), ("1", 2, "pruned"), ("2", 3, "failed")):
        events.append(
            ev.TrialStarted(trial_id=tid, number=int(tid) + 1, hyperparameters={}, epochs=3)
        )
        for epoch in range(1, epochs + 1):
            events.append(
                ev.EpochEnded(
                    trial_id=tid,
                    epoch=epoch,
                    epochs=3,
                    logs={"val_accuracy": 0.9 if tid == "0" else 0.1},
                )
            )
        events.append(
            ev.TrialEnded(
                trial_id=tid,
                status=status,
                score=0.9 if status == "completed" else None,
                reason=VERDICT if status == "pruned" else None,
            )
        )
    return events


def test_a_pruned_row_shows_where_it_stopped_and_why() -> None:
    results = replay(pruned_run())
    columns = Shown().columns()
    cells = trial_cells(results.trials["1"], Shown(), best=False, now=None)
    status = cells[columns.index("status")]
    assert str(status) == "pruned" and status.style == STATUS_STYLE["pruned"] == "cyan"
    assert len(set(STATUS_STYLE.values())) == len(STATUS_STYLE)  # each status its own look
    assert cells[columns.index("epoch")] == "2/3"
    assert str(cells[columns.index("score")]) == "-"
    assert cells[-1] == VERDICT


def test_pruned_trials_are_done_not_failed_and_never_ranked() -> None:
    results = replay(pruned_run())
    assert Progress.of(results, "running", now=1.0, last=1.0).done == 3
    assert results.best_trial_id == "0"
    assert [t.trial_id for t in results.leaderboard()] == ["0", "1", "2"]
    assert summary(results, "run", ()).splitlines()[0] == "running: 3/3 trials, 1 failed, 1 pruned"


@pytest.mark.asyncio
async def test_the_results_header_counts_pruned_trials(workdir) -> None:  # noqa: ANN001
    from pathlib import Path

    from engine.run.rundir import JOURNAL, RunDir
    from engine.run.settings import RunSettings
    from engine.space import default_space
    from tests.tui.helpers import screen_text, wait_until
    from tui.app import make_app
    from tui.screens.results import ResultsScreen

    run = RunDir.create(Path("runs/pruned"), default_space(), RunSettings(backend="keras-tuner"))
    (run.path / JOURNAL).write_text("".join(e.to_json() + "\n" for e in pruned_run()))
    app = make_app(attach=run.path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen))
        assert "3/3, 1 failed, 1 pruned" in screen_text(app)
