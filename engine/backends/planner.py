"""Picks the backend and algorithm for a space and a budget, and says why in one sentence."""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.errors import InputError
from engine.run.settings import SUPPORTED, RunSettings
from engine.space import Space

HYPERBAND_FACTOR = 3
LONG_TRAINING = 9  # epochs from which Hyperband's early stopping of weak trials pays off


@dataclass(frozen=True)
class Plan:
    backend: str
    algorithm: str
    reason: str
    planned_trials: int
    epochs_budget: int  # total epochs all trials may train (an upper bound)


def max_epochs(space: Space, settings: RunSettings) -> int:
    if settings.epochs is not None:
        return settings.epochs
    values = space.params["epochs"].values()
    return int(max(values)) if values else int(space.params["epochs"].max)


def hyperband_trials(epochs: int, factor: int = HYPERBAND_FACTOR) -> tuple[int, int]:
    """(trials, total epochs) of one Hyperband iteration as Keras Tuner schedules it."""
    s_max = max(int(math.log(max(epochs, 1), factor) + 1e-9), 0)
    trials = total = 0
    for bracket in range(s_max, -1, -1):
        n = math.ceil((s_max + 1) / (bracket + 1) * factor**bracket)
        for rnd in range(bracket + 1):
            n_round = max(int(n * factor ** (-rnd)), 1)
            per = max(round(epochs * factor ** (rnd - bracket)), 1)
            total += n_round * per
            if rnd == 0:
                trials += n_round
    return trials, total


def halving_trials(candidates: int, factor: int = HYPERBAND_FACTOR) -> int:
    """Fits of successive halving: every candidate, then the best third, and so on."""
    iterations = 1 + int(math.log(max(candidates, 1), factor) + 1e-9)
    return sum(math.ceil(candidates / factor**i) for i in range(iterations))


def plan(space: Space, settings: RunSettings) -> Plan:
    """The backend and algorithm to use (the user's choice wins) with the reason."""
    grid = space.grid_size()
    folds = settings.cv
    budget = settings.max_trials
    epochs = max_epochs(space, settings)
    backend, algorithm = settings.backend, settings.algorithm
    reason = ""
    if backend == "auto":
        if algorithm in ("halving",):
            backend, reason = "sklearn", "successive halving runs on scikit-learn"
        elif algorithm in ("bayesian", "hyperband"):
            backend, reason = "keras-tuner", f"{algorithm} search runs on Keras Tuner"
        elif grid is not None and grid * folds <= budget:
            backend = "sklearn"
            algorithm = "grid" if algorithm == "auto" else algorithm
            reason = (
                f"the whole grid ({grid:,} configurations × {folds} folds = {grid * folds:,} fits) "
                f"fits the budget of {budget}: exhaustive cross-validated GridSearchCV"
            )
        else:
            backend = "keras-tuner"
    if algorithm == "auto":
        algorithm, why = _pick_algorithm(backend, grid, budget, epochs, space)
        reason = reason or why
    if algorithm not in SUPPORTED[backend]:
        raise InputError(
            f"algorithm: {algorithm} is not available on {backend} "
            f"(it offers {', '.join(SUPPORTED[backend])})"
        )
    if algorithm in ("grid", "halving") and grid is None:
        raise InputError(
            f"algorithm: {algorithm} search needs a finite grid, but {space.continuous()[0]} "
            "is a continuous range (give it a step, or use random/bayesian)"
        )
    if not reason:
        reason = f"{algorithm} search on {backend}, as requested"
    if algorithm == "grid" and grid is not None and grid > budget:
        reason += f" (the first {budget:,} of {grid:,} grid configurations: raise --max-trials)"
    planned = _planned(algorithm, grid, budget, epochs, backend)
    per_trial = epochs * (folds if backend == "sklearn" else 1)
    total_epochs = hyperband_trials(epochs)[1] if algorithm == "hyperband" else planned * per_trial
    return Plan(backend, algorithm, reason, planned, total_epochs)


def _pick_algorithm(
    backend: str, grid: int | None, budget: int, epochs: int, space: Space
) -> tuple[str, str]:
    if grid is not None and grid <= budget:
        return "grid", f"the grid of {grid} configurations fits the budget of {budget} trials"
    size = "a continuous space" if grid is None else f"{grid:,} configurations"
    if backend == "sklearn":
        return "random", f"{size} exceed the budget of {budget}: randomized search"
    offered = SUPPORTED[backend]
    if "hyperband" in offered and epochs >= LONG_TRAINING and budget >= 10:
        return "hyperband", (
            f"{size} exceed the budget and trials train up to {epochs} epochs: Hyperband "
            "stops weak configurations early"
        )
    if "bayesian" in offered and budget >= 10:
        return "bayesian", f"{size} exceed the budget of {budget}: Bayesian optimisation"
    if budget >= 10:
        return "random", f"{size} exceed the budget of {budget}: random search"
    return "random", f"{size} exceed a budget of {budget}, too few trials to model: random search"


def _planned(algorithm: str, grid: int | None, budget: int, epochs: int, backend: str) -> int:
    if algorithm == "hyperband":
        return hyperband_trials(epochs)[0]
    if algorithm == "halving" and grid is not None:
        return halving_trials(grid)
    if algorithm == "grid" and grid is not None:
        return min(grid, budget)
    return budget
