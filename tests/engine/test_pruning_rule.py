"""The median stopping rule on fixture curves with known answers, and fed from a real journal."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InputError
from engine.objective.metric import Objective
from engine.plan.planner import plan
from engine.plan.pruning import MedianRule, Pruner, best_by_epoch, prunes
from engine.run import events as ev
from engine.run.journal import JournalWriter
from engine.run.settings import RunSettings
from engine.space import Space

ACC = Objective("val_accuracy", "max")
LOSS = Objective("val_loss", "min")
# three completed trials; their best by epoch 2 is 0.6, 0.8 and 0.9: the median is 0.8
COMPLETED = [[0.5, 0.6, 0.7, 0.8], [0.8, 0.7, 0.9, 0.9], [0.9, 0.85, 0.9, 0.95]]


def test_best_by_epoch_follows_the_direction_and_skips_gaps() -> None:
    assert best_by_epoch([None, 0.3, 0.2, 0.5], ACC) == [None, 0.3, 0.3, 0.5]
    assert best_by_epoch([0.9, 0.7, None, 0.8], LOSS) == [0.9, 0.7, 0.7, 0.7]


def test_a_trial_below_the_median_is_pruned_with_its_numbers() -> None:
    verdict = MedianRule(ACC).judge([0.2, 0.3], COMPLETED)
    assert verdict is not None
    assert (verdict.epoch, verdict.value, verdict.median, verdict.trials) == (2, 0.3, 0.8, 3)
    assert verdict.reason == (
        "at epoch 2: best val_accuracy 0.3000 trails the median 0.8000 of 3 completed trials"
    )


@pytest.mark.parametrize(
    ("curve", "pruned"),
    [
        ([0.2, 0.8], False),  # level with the median: kept
        ([0.85, 0.1], False),  # a bad epoch after a good one: its best so far counts
        ([0.2, 0.79], True),
        ([0.2], False),  # epoch 1 is never judged
        ([None, None], False),  # nothing finite to judge
    ],
)
def test_the_median_at_the_same_epoch_decides(curve: list, pruned: bool) -> None:
    assert (MedianRule(ACC).judge(curve, COMPLETED) is not None) is pruned


def test_a_minimised_objective_prunes_the_higher_value() -> None:
    losses = [[1.0, 0.5], [0.8, 0.4], [0.6, 0.3]]  # best by epoch 2: 0.5, 0.4, 0.3
    assert MedianRule(LOSS).judge([0.9, 0.45], losses) is not None
    assert MedianRule(LOSS).judge([0.9, 0.4], losses) is None


def test_warm_up_needs_enough_completed_trials() -> None:
    assert MedianRule(ACC).judge([0.1, 0.1], COMPLETED[:2]) is None
    assert MedianRule(ACC, min_trials=2).judge([0.1, 0.1], COMPLETED[:2]) is not None
    assert MedianRule(ACC, min_epoch=3).judge([0.1, 0.1], COMPLETED) is None
    assert MedianRule(ACC, min_epoch=3).judge([0.1, 0.1, 0.1], COMPLETED) is not None


def test_a_trial_that_ended_earlier_counts_with_its_final_best() -> None:
    short = [[0.9], [0.95], [0.3, 0.4, 0.5, 0.6, 0.7]]  # two stopped after epoch 1
    verdict = MedianRule(ACC).judge([0.5, 0.6, 0.7, 0.8], short)
    assert verdict is not None and verdict.median == 0.9 and verdict.epoch == 4


def _emit_trial(journal: JournalWriter, trial_id: str, curve: list[float], status: str) -> None:
    journal(
        ev.TrialStarted(
            trial_id=trial_id, number=int(trial_id) + 1, hyperparameters={}, epochs=len(curve)
        )
    )
    for epoch, value in enumerate(curve, 1):
        journal(ev.EpochEnded(trial_id=trial_id, epoch=epoch, logs={"val_accuracy": value}))
    if status != "running":
        journal(ev.TrialEnded(trial_id=trial_id, status=status))


def test_the_pruner_reads_completed_trials_from_every_journal(tmp_path: Path) -> None:
    """Only completed trials count, whichever worker's journal holds them; the journals are
    read again at each judgement, so a trial completed meanwhile counts at once."""
    main = JournalWriter(tmp_path / "events.jsonl")
    worker = JournalWriter(tmp_path / "events-tuner0.jsonl")
    _emit_trial(main, "0", COMPLETED[0], "completed")
    _emit_trial(worker, "1", COMPLETED[1], "completed")
    _emit_trial(main, "2", [0.99, 0.99], "running")  # not ended: not counted
    _emit_trial(worker, "3", [0.0, 0.0], "pruned")  # pruned: never in the median
    pruner = Pruner(tmp_path, ACC)
    assert pruner.judge([0.1, 0.1]) is None  # two completed trials: still warming up
    _emit_trial(worker, "4", COMPLETED[2], "completed")
    verdict = pruner.judge([0.1, 0.1])
    assert verdict is not None and verdict.trials == 3 and verdict.median == 0.8
    main.close()
    worker.close()


def test_settings_and_plan_say_when_pruning_applies() -> None:
    space = Space.from_dict({"training": {"epochs": 3}, "architecture": {"nodes": [8, 16]}})
    on = plan(space, RunSettings(backend="keras-tuner", algorithm="grid", prune=True))
    assert "pruning on: from epoch 2" in on.reason
    assert "pruning" not in plan(space, RunSettings(backend="keras-tuner")).reason
    auto = plan(space, RunSettings(prune=True))  # the whole grid fits: scikit-learn
    assert auto.backend == "sklearn" and "pruning off" in auto.reason
    assert prunes("keras-tuner", "bayesian", True) and not prunes("keras-tuner", "hyperband", True)
    with pytest.raises(InputError, match="^prune: pruning applies to .* not to hyperband"):
        RunSettings(algorithm="hyperband", prune=True)
    with pytest.raises(InputError, match="not to the sklearn backend"):
        RunSettings(backend="sklearn", prune=True)
    assert RunSettings.from_dict({"prune": True}).prune
    assert RunSettings.from_dict({}).prune is False  # runs made before the setting existed
