"""Hyperband on Keras Tuner: the planned counts are the oracle's own, and every continuation
trains on from its parent's weights instead of failing or starting over."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from engine.commands.runner import run_search
from engine.plan.planner import hyperband_budget, plan
from engine.prepare import prepare
from engine.run.results import RunResults
from engine.run.settings import RunSettings
from engine.space import Space


def oracle_trial_count(tmp_path: Path, max_epochs: int, iterations: int, grid: int) -> int:
    """Trials Keras Tuner's real HyperbandOracle creates, each ended with a random score."""
    import keras_tuner

    oracle = keras_tuner.oracles.HyperbandOracle(
        objective=keras_tuner.Objective("score", "max"),
        max_epochs=max_epochs,
        factor=3,
        hyperband_iterations=iterations,
        seed=7,
    )
    oracle._set_project_dir(str(tmp_path), f"hb{max_epochs}_{iterations}_{grid}")
    hp = keras_tuner.HyperParameters()
    hp.Int("x", 0, grid - 1)
    oracle.update_space(hp)
    scores = random.Random(0)
    count = 0
    while True:
        trial = oracle.create_trial("tuner0")
        if trial.status == "STOPPED":
            return count
        count += 1
        oracle.update_trial(trial.trial_id, {"score": scores.random()})
        trial.status = "COMPLETED"
        oracle.end_trial(trial)


@pytest.mark.parametrize(
    ("max_epochs", "iterations", "grid"),
    [(30, 1, 10**6), (9, 2, 10**6), (3, 1, 10**6), (1, 3, 10**6), (27, 1, 10**6), (9, 1, 40)],
)
def test_planned_trials_are_the_oracles_own(tmp_path, max_epochs, iterations, grid) -> None:
    planned = hyperband_budget(max_epochs, iterations, grid if grid < 10**6 else None)
    assert not planned.exhausted
    assert planned.trials == oracle_trial_count(tmp_path, max_epochs, iterations, grid)


def test_a_grid_with_too_few_configurations_caps_the_count(tmp_path) -> None:
    """The oracle ends the search once it fails to draw a new configuration (after 20 random
    collisions, so sometimes before the grid is quite exhausted): the plan is an upper bound."""
    planned = hyperband_budget(9, 1, 8)
    assert planned.exhausted and planned.trials == 8 < hyperband_budget(9).trials
    assert 1 <= oracle_trial_count(tmp_path, 9, 1, 8) <= planned.trials


def test_the_trial_budget_becomes_hyperband_iterations() -> None:
    space = Space.from_dict(
        {"architecture": {"nodes": {"min": 4, "max": 512}}, "training": {"epochs": 30}}
    )
    one = hyperband_budget(30)
    assert (one.trials, one.epochs) == (90, 576)
    small = plan(space, RunSettings(algorithm="hyperband", max_trials=10))
    assert (small.planned_trials, small.hyperband_iterations) == (90, 1)
    assert "at least one iteration" in small.reason and "90 trials" in small.reason
    big = plan(space, RunSettings(algorithm="hyperband", max_trials=60))  # 1,800 epochs
    assert (big.planned_trials, big.hyperband_iterations, big.epochs_budget) == (270, 3, 1728)
    assert "buys 3 Hyperband iterations" in big.reason
    # auto picks Hyperband only when one iteration fits the budget's epochs
    assert plan(space, RunSettings(max_trials=10)).algorithm == "bayesian"
    assert plan(space, RunSettings(max_trials=20)).algorithm == "hyperband"


@pytest.mark.slow
def test_continuations_train_on_from_their_parents_weights(tmp_path) -> None:
    """Factor 3 and 9 epochs: brackets of 1, 3 and 9 epochs whose best trials continue."""
    space = Space.from_dict(
        {
            "training": {"batch_size": [32, 64], "epochs": 9},
            "optimizer": {"name": "adam", "learning_rate": [0.001, 0.002]},
            "architecture": {"nodes": [8, 16, 32, 64], "activation": ["relu", "tanh"]},
            "early_stopping": {"enabled": False},
        }
    )
    settings = RunSettings(
        dataset="digits",
        backend="keras-tuner",
        algorithm="hyperband",
        max_trials=1,
        seed=0,
        subsample=300,
    )
    results: RunResults = run_search(prepare(tmp_path / "run", space, settings))
    assert results.state == "finished"
    assert results.planned == hyperband_budget(9, 1, 32).trials == len(results.trials) == 23
    assert {t.status for t in results.trials.values()} == {"completed"}
    continued = [t for t in results.trials.values() if t.continues is not None]
    assert len(continued) == 23 - 9 - 5 - 3  # every round after a bracket's first
    for child in continued:
        parent = results.trials[child.continues]
        assert child.hyperparameters == {**parent.hyperparameters, "epochs": child.epochs_planned}
        assert child.initial_epoch == parent.epochs_planned
        epochs = [row["epoch"] for row in child.curve]
        assert epochs == list(range(child.initial_epoch + 1, child.epochs_planned + 1))
        # it starts from the parent's best weights, not from scratch (a gentle learning rate,
        # so that one more epoch does not lose what the parent had learnt)
        parent_best = max(row["val_accuracy"] for row in parent.curve)
        assert child.curve[0]["val_accuracy"] >= parent_best - 0.05, (child, parent)
        assert child.curve[0]["loss"] < parent.curve[0]["loss"]
