"""The journal's objective decides the ranking: lowest first for a loss, highest for accuracy."""

from __future__ import annotations

import pytest

from engine.run import events as ev
from engine.run.results import replay


def run(direction: str, scores: list[float]) -> list[ev.Event]:
    events: list[ev.Event] = [
        ev.SearchStarted(
            space={},
            backend="fake",
            algorithm="random",
            planned_trials=len(scores),
            objective="val_loss" if direction == "min" else "val_accuracy",
            direction=direction,
        ),
    ]
    for i, score in enumerate(scores):
        tid = f"{i:04d}"
        events += [
            ev.TrialStarted(trial_id=tid, number=i + 1, hyperparameters={"x": i}),
            ev.TrialEnded(trial_id=tid, status="completed", score=score),
        ]
    return events


@pytest.mark.parametrize(
    ("direction", "order"), [("min", ["0001", "0002", "0000"]), ("max", ["0000", "0002", "0001"])]
)
def test_best_and_leaderboard_follow_the_direction(direction, order) -> None:
    results = replay(run(direction, [0.9, 0.1, 0.5]))
    assert [t.trial_id for t in results.leaderboard()] == order
    assert results.best_trial_id == order[0]
    assert results.goal.direction == direction


def test_an_old_journal_without_a_direction_maximises() -> None:
    started = run("max", [0.2])[0].to_dict()
    del started["direction"]
    assert ev.from_dict(started).direction == "max"
