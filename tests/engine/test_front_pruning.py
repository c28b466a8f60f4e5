"""Pruning under several objectives on synthetic trials with known answers: a dominated trial
stops, a trial on the front never does, too few completed trials stop nothing, and a model
breaking a constraint on a measured quantity stops before it trains; fed from real journals."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.objective.metric import Objective
from engine.objective.several import Constraint, Objectives
from engine.plan.front_pruning import FrontPruner, FrontRule, breach
from engine.plan.planner import plan
from engine.run import events as ev
from engine.run.journal import JournalWriter
from engine.run.settings import RunSettings
from engine.space import Space

GOALS = Objectives.of(Objective("val_accuracy", "max"), [Objective("params", "min")])
# three completed trials of 1,000 parameters; their best accuracy by epoch 2: 0.6, 0.8, 0.9
COMPLETED = [
    ({"val_accuracy": [0.5, 0.6, 0.7]}, {"params": 1000.0}),
    ({"val_accuracy": [0.8, 0.7, 0.9]}, {"params": 1000.0}),
    ({"val_accuracy": [0.9, 0.85, 0.95]}, {"params": 1000.0}),
]


def judge(accuracy: list, params: float, completed=COMPLETED, **rule):
    return FrontRule(GOALS, **rule).judge({"val_accuracy": accuracy}, {"params": params}, completed)


def test_a_dominated_trial_is_stopped_with_its_numbers() -> None:
    verdict = judge([0.2, 0.3], 2000.0)  # worse accuracy and larger than all three
    assert verdict is not None and (verdict.epoch, verdict.dominating, verdict.trials) == (2, 3, 3)
    assert verdict.reason == (
        "at epoch 2: val_accuracy 0.3, params 2,000 dominated by 3 of 3 completed trials "
        "at the same epoch"
    )


@pytest.mark.parametrize(
    ("accuracy", "params", "stopped"),
    [
        ([0.2, 0.3], 999.0, False),  # the smallest model: on the front, whatever its accuracy
        ([0.2, 0.61], 2000.0, False),  # better than one of them at epoch 2: two dominate it
        ([0.61, 0.1], 2000.0, False),  # its best so far counts, not its last epoch
        ([0.2, 0.3], 1000.0, True),  # the same size, less accurate: dominated
        ([0.2, 0.6], 1000.0, False),  # equal to one in both: two dominate it
        ([0.2], 5000.0, False),  # epoch 1 is never judged
        ([None, None], 5000.0, False),  # nothing finite to judge
    ],
)
def test_dominance_at_the_same_epoch_decides(accuracy: list, params: float, stopped: bool) -> None:
    assert (judge(accuracy, params) is not None) is stopped


def test_a_trial_on_the_front_is_never_stopped_however_many_completed() -> None:
    many = [({"val_accuracy": [0.99, 0.99]}, {"params": 1000.0 + i}) for i in range(50)]
    assert judge([0.1, 0.1], 999.0, many) is None  # smaller than every one of them
    assert judge([0.1, 0.1], 1001.0, many) is None  # two are as small or smaller
    verdict = judge([0.1, 0.1], 1002.0, many)
    assert verdict is not None and (verdict.dominating, verdict.trials) == (3, 50)


def test_too_few_completed_trials_never_stop_anything() -> None:
    assert judge([0.0, 0.0], 9999.0, COMPLETED[:2]) is None
    assert judge([0.0, 0.0], 9999.0, COMPLETED[:2], min_dominating=2) is not None
    assert judge([0.0, 0.0, 0.0], 9999.0, min_epoch=4) is None


def test_completed_trials_are_read_at_the_same_epoch() -> None:
    """A trial that was weak at epoch 2 and strong later does not dominate at epoch 2; one
    that ended before epoch 3 counts with its final best."""
    late = [({"val_accuracy": [0.1, 0.1, 0.99]}, {"params": 100.0})] * 3
    assert judge([0.2, 0.2], 2000.0, late) is None
    assert judge([0.2, 0.2, 0.2], 2000.0, late) is not None
    short = [({"val_accuracy": [0.9]}, {"params": 100.0})] * 3
    assert judge([0.2, 0.2, 0.2], 2000.0, short) is not None


def test_a_completed_trial_without_a_value_does_not_count() -> None:
    unmeasured = [(curves, {}) for curves, _ in COMPLETED]
    assert judge([0.2, 0.3], 2000.0, unmeasured) is None


def test_a_model_breaking_a_measured_constraint_stops_before_training() -> None:
    goals = Objectives.of(
        GOALS.primary,
        GOALS.items[1:],
        [Constraint.parse("val_loss <= 0.5"), Constraint.parse("params <= 200")],
    )
    found = breach(goals, {"params": 2435.0})
    assert found is not None
    assert found.reason == "breaks params <= 200 (params = 2,435) before training: stopped at once"
    assert breach(goals, {"params": 200.0}) is None
    assert breach(goals, {}) is None  # nothing measured: nothing known to break
    latency = Objectives.of(GOALS.primary, (), [Constraint.parse("latency_ms <= 5")])
    assert breach(latency, {"latency_ms": 7.5}) is not None


def _trial(journal: JournalWriter, tid: str, curve: list, status: str, **end) -> None:
    journal(ev.TrialStarted(trial_id=tid, number=int(tid) + 1, hyperparameters={}, epochs=3))
    for epoch, value in enumerate(curve, 1):
        journal(ev.EpochEnded(trial_id=tid, epoch=epoch, logs={"val_accuracy": value}))
    journal(ev.TrialEnded(trial_id=tid, status=status, **end))


def test_the_pruner_counts_only_completed_feasible_trials_from_every_journal(
    tmp_path: Path,
) -> None:
    main = JournalWriter(tmp_path / "events.jsonl")
    worker = JournalWriter(tmp_path / "events-tuner0.jsonl")
    small = {"params": 500.0}
    _trial(main, "0", [0.8, 0.9], "completed", score=0.9, values=small)
    _trial(worker, "1", [0.8, 0.9], "completed", score=0.9, values=small)
    _trial(main, "2", [0.9, 0.9], "pruned", values=small)  # not a result
    _trial(worker, "3", [0.9, 0.9], "completed", score=0.9, values=small, infeasible="x")
    pruner = FrontPruner(tmp_path, GOALS)
    assert pruner.at_epoch({"val_accuracy": [0.1, 0.1]}, {"params": 900.0}) is None
    _trial(worker, "4", [0.7, 0.8], "completed", score=0.8, values=small)
    verdict = pruner.at_epoch({"val_accuracy": [0.1, 0.1]}, {"params": 900.0})
    assert verdict is not None and verdict.dominating == verdict.trials == 3
    main.close()
    worker.close()


def test_the_plan_says_which_rule_applies() -> None:
    one = Space.from_dict({"training": {"epochs": 3}, "architecture": {"nodes": [8, 16]}})
    several = Space.from_dict(
        {
            "objective": ["val_accuracy", "params:min"],
            "constraints": ["params <= 5000", "val_loss <= 1"],
            "training": {"epochs": 3},
            "architecture": {"nodes": [8, 16]},
        }
    )
    settings = RunSettings(backend="keras-tuner", algorithm="grid", prune=True)
    assert "trailing the median" in plan(one, settings).reason
    reason = plan(several, settings).reason
    assert "pruning on, by dominance: from epoch 2, a trial whose objectives are dominated at " in (
        reason
    )
    assert "by 3 completed trials stops, and a model breaking params <= 5,000 before" in reason
