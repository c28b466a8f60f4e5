"""The results screen ranks by the run's objective: lowest first for a loss."""

from __future__ import annotations

from engine.run import events as ev
from engine.run.results import replay
from tui.widgets.leaderboard import Leaderboard


def loss_run() -> list[ev.Event]:
    events: list[ev.Event] = [
        ev.SearchStarted(
            space={},
            backend="sklearn",
            algorithm="grid",
            planned_trials=3,
            objective="val_loss",
            direction="min",
            settings={"cv": 3},
        ),
    ]
    for i, score in enumerate([0.9, 0.2, 0.5]):
        events += [
            ev.TrialStarted(trial_id=f"{i:03d}", number=i + 1, hyperparameters={"units": i}),
            ev.TrialEnded(trial_id=f"{i:03d}", status="completed", score=score),
        ]
    return events


def test_a_loss_sorts_lowest_first_by_rank_and_by_score() -> None:
    board = Leaderboard(replay(loss_run()), ("units",))
    assert [t.trial_id for t in board.ordered()] == ["001", "002", "000"]
    board.sort_index = [name for name, _ in board.keys].index("score")
    assert [t.score for t in board.ordered()] == [0.2, 0.5, 0.9]
    board.reverse = True
    assert [t.score for t in board.ordered()] == [0.9, 0.5, 0.2]


def test_the_objective_is_labelled_with_its_direction_and_folds() -> None:
    from engine.face import objective_label

    assert objective_label(replay(loss_run())) == "val_loss (min, 3-fold cross-validated mean)"
