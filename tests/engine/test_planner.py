"""The automatic choice of backend and algorithm, and its one-sentence reason."""

from __future__ import annotations

import pytest

from engine.errors import InputError
from engine.plan.planner import bayesian_starts, hyperband_for_budget, plan
from engine.run.settings import RunSettings
from engine.space import Space, default_space

SMALL = Space.from_dict({"architecture": {"nodes": [8, 16]}, "training": {"batch_size": [16, 32]}})
CONTINUOUS = Space.from_dict(
    {"optimizer": {"learning_rate": {"min": 1e-4, "max": 0.1, "sampling": "log"}}}
)


def test_a_grid_that_fits_the_budget_goes_to_exhaustive_cross_validation() -> None:
    chosen = plan(SMALL, RunSettings(max_trials=12, cv=3))
    assert (chosen.backend, chosen.algorithm, chosen.planned_trials) == ("sklearn", "grid", 4)
    assert "4 configurations × 3 folds = 12 fits" in chosen.reason


def test_a_large_grid_goes_to_keras_tuner_with_a_reason() -> None:
    chosen = plan(default_space(), RunSettings(max_trials=20, epochs=5))
    assert chosen.backend == "keras-tuner" and chosen.algorithm == "bayesian"
    assert "exceed" in chosen.reason and chosen.planned_trials == 20


def test_long_trainings_go_to_hyperband() -> None:
    chosen = plan(default_space(), RunSettings(max_trials=20))  # 30 epochs
    assert chosen.algorithm == "hyperband" and "Hyperband" in chosen.reason
    assert chosen.planned_trials == hyperband_for_budget(30, 20, None).trials == 90


def test_small_budgets_go_to_random_search() -> None:
    chosen = plan(CONTINUOUS, RunSettings(max_trials=4, epochs=2))
    assert (chosen.backend, chosen.algorithm) == ("keras-tuner", "random")
    assert "continuous" in chosen.reason


def test_the_users_choice_wins() -> None:
    chosen = plan(SMALL, RunSettings(backend="keras-tuner", algorithm="random", max_trials=3))
    assert (chosen.backend, chosen.algorithm) == ("keras-tuner", "random")
    assert "as requested" in chosen.reason
    assert plan(SMALL, RunSettings(algorithm="halving")).backend == "sklearn"


@pytest.mark.parametrize(
    ("space", "settings", "words"),
    [
        (CONTINUOUS, RunSettings(algorithm="grid"), "optimizer.learning_rate is a continuous"),
        (SMALL, RunSettings(backend="keras-tuner", algorithm="grid", max_trials=1), None),
    ],
)
def test_impossible_plans_are_input_errors(space, settings, words) -> None:
    if words is None:
        assert plan(space, settings).planned_trials == 1
        return
    with pytest.raises(InputError, match=words):
        plan(space, settings)


def test_settings_refuse_an_algorithm_the_backend_lacks() -> None:
    with pytest.raises(InputError, match="bayesian is not available on sklearn"):
        RunSettings(backend="sklearn", algorithm="bayesian")


TWELVE = Space.from_dict(
    {"architecture": {"nodes": [4, 8, 16, 32]}, "training": {"batch_size": [16, 32, 64]}}
)


@pytest.mark.parametrize(
    ("backend", "fits"), [("keras-tuner", ""), ("sklearn", " × 3 folds = 36 fits")]
)
def test_a_grid_search_with_no_budget_set_runs_the_whole_grid(backend: str, fits: str) -> None:
    chosen = plan(TWELVE, RunSettings(backend=backend, algorithm="grid", epochs=1))
    assert chosen.planned_trials == 12  # more than the default budget of 10
    assert f"(the whole grid: 12 configurations{fits})" in chosen.reason
    assert "first" not in chosen.reason


def test_a_budget_set_below_the_grid_runs_its_first_configurations() -> None:
    chosen = plan(TWELVE, RunSettings(backend="sklearn", algorithm="grid", max_trials=5))
    assert chosen.planned_trials == 5
    assert "(the first 5 of 12 grid configurations: raise the trial budget)" in chosen.reason


def test_a_budget_set_above_the_grid_still_runs_the_grid_once() -> None:
    chosen = plan(TWELVE, RunSettings(backend="keras-tuner", algorithm="grid", max_trials=50))
    assert chosen.planned_trials == 12 and "(the whole grid: 12 configurations)" in chosen.reason


def test_the_default_budget_still_bounds_other_searches() -> None:
    chosen = plan(TWELVE, RunSettings(backend="keras-tuner", algorithm="random", epochs=1))
    assert chosen.planned_trials == RunSettings().trials == 10
    assert RunSettings().max_trials is None  # nobody set it


def test_bayesian_search_is_led_by_its_model_after_a_few_random_starts() -> None:
    assert bayesian_starts(tuned=4, budget=100) == 12  # Keras Tuner's three per dimension
    assert bayesian_starts(tuned=4, budget=12) == 6  # at most half: the model leads the rest
    assert bayesian_starts(tuned=1, budget=5) == 3
    assert bayesian_starts(tuned=2, budget=2) == 2  # never more than the budget
