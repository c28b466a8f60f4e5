"""Pruning under two objectives in a real Keras Tuner grid search (digits, accuracy against
size, a size constraint): a learning rate that cannot learn is dominated at epoch 2 by the
three completed trials of the same size and stops there; the models too large for the
constraint stop before they train; neither is ever a result, and Keras Tuner's oracle learns
the scalar of the values each stopped with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.backends.keras_tuner.scalarise import PENALTY
from engine.commands.runner import run_search
from engine.plan.pruning import PRUNED
from engine.prepare import prepare
from engine.run.results import RunResults, TrialRecord
from engine.run.settings import RunSettings
from engine.space import Space

HOPELESS = 1e-5  # Adam at this rate stays at chance for epochs
SPACE = {
    "objective": ["val_accuracy", "params:min"],
    "constraints": ["params <= 5000"],
    "training": {"batch_size": 32, "epochs": 3},
    "optimizer": {"name": "adam", "learning_rate": [0.03, 0.01, 0.003, HOPELESS]},
    "architecture": {"nodes": [16, 256]},
    "early_stopping": {"enabled": False},
}
SMALL, LARGE = 64 * 16 + 16 + 16 * 10 + 10, 64 * 256 + 256 + 256 * 10 + 10  # digits: 64 → 10


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResults]:
    settings = RunSettings(
        dataset="digits",
        subsample=400,
        backend="keras-tuner",
        algorithm="grid",
        seed=0,
        prune=True,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNEDECK_ESTIMATE", "0")  # no timing fit before the search
        path = tmp_path_factory.mktemp("front-pruning") / "run"
        return path, run_search(prepare(path, Space.from_dict(SPACE), settings))


def by(results: RunResults, nodes: int, rate: float) -> TrialRecord:
    return next(
        t
        for t in results.trials.values()
        if t.hyperparameters["nodes"] == nodes and t.hyperparameters["learning_rate"] == rate
    )


def oracle(run: Path, trial_id: str) -> tuple[float, str]:
    """The scalar Keras Tuner's oracle recorded for a trial, and its message, from its state."""
    state = json.loads(
        (run / "state" / "keras_tuner" / f"trial_{trial_id}" / "trial.json").read_text()
    )
    return float(state["score"]), state["message"] or ""


def test_the_hopeless_rate_is_dominated_at_epoch_2_and_stops(searched) -> None:
    run, results = searched
    assert results.state == "finished" and len(results.trials) == 8
    assert "pruning on, by dominance" in results.reason
    hopeless = by(results, 16, HOPELESS)
    assert hopeless.status == "pruned" and len(hopeless.curve) == 2, hopeless.curve
    assert hopeless.reason is not None and hopeless.reason.startswith("at epoch 2: val_accuracy")
    assert "params 1,210 dominated by 3 of 3 completed trials at the same epoch" in hopeless.reason
    assert hopeless.score is None and hopeless.values["params"] == SMALL
    learners = [by(results, 16, rate) for rate in (0.03, 0.01, 0.003)]
    assert all(t.status == "completed" and len(t.curve) == 3 for t in learners)
    fronts = results.front()  # the same size: ranked by accuracy alone
    assert results.best in learners and set(fronts) == {t.trial_id for t in learners}
    assert sorted(fronts.values()) == [0, 1, 2] and fronts[results.best.trial_id] == 0
    value, message = oracle(run, hopeless.trial_id)
    assert message == PRUNED + hopeless.reason and 0 <= value < PENALTY  # feasible, scaled


def test_models_breaking_the_size_constraint_stop_before_training(searched) -> None:
    run, results = searched
    for rate in (0.03, 0.01, 0.003, HOPELESS):
        large = by(results, 256, rate)
        assert large.status == "pruned" and large.curve == []
        assert large.reason == (
            f"breaks params <= 5,000 (params = {LARGE:,}) before training: stopped at once"
        )
        assert large.values["params"] == LARGE and large.epoch_score is None
        assert oracle(run, large.trial_id)[0] > PENALTY  # worse than any feasible trial
    board = results.leaderboard()
    assert [t.status for t in board[:3]] == ["completed"] * 3
