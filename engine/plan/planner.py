"""Picks the backend and algorithm for a space and a budget, and says why in one sentence."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from engine.errors import InputError
from engine.objective.several import MEASURED
from engine.plan import cores as _cores
from engine.plan.devices import Gpu, gpus
from engine.run.settings import AUTO_WORKERS, SUPPORTED, RunSettings
from engine.space import Space

HYPERBAND_FACTOR = 3
LONG_TRAINING = 9  # epochs from which Hyperband's early stopping of weak trials pays off
# A worker on a CPU repays its start-up (a TensorFlow process: ~6 s of CPU to import) only
# over at least this many trials and epochs of its own (bench/parallel.py measures it).
TRIALS_PER_WORKER = 3
EPOCHS_PER_WORKER = 12


@dataclass(frozen=True)
class Plan:
    backend: str
    algorithm: str
    reason: str
    planned_trials: int
    epochs_budget: int  # total epochs all trials may train (an upper bound)
    hyperband_iterations: int = 0  # Hyperband only: how many times its brackets run
    workers: int = 1  # trials at once: the settings' count, or the one `auto` picked
    gpus: tuple[Gpu, ...] = ()  # the devices the workers are given, in turn


def max_epochs(space: Space, settings: RunSettings) -> int:
    if settings.epochs is not None:
        return settings.epochs
    values = space.params["epochs"].values()
    return int(max(values)) if values else int(space.params["epochs"].max)


@dataclass(frozen=True)
class HyperbandBudget:
    """What Hyperband will run: Keras Tuner's brackets, repeated `iterations` times."""

    iterations: int
    trials: int  # every trial, continuations of earlier trials included
    epochs: int  # epochs trained in all (a continuation trains only its extra epochs)
    per_iteration: int  # trials in one iteration
    exhausted: bool = False  # the grid runs out of new configurations first


def _hyperband_rounds(max_epochs: int, factor: int) -> list[tuple[int, int, int]]:
    """(new or continued trials, epochs reached, epochs from) for each round of one iteration,
    in the order Keras Tuner's HyperbandOracle runs them (its `_get_size`, `_get_epochs`)."""
    brackets, epochs = 0, float(max_epochs)
    while epochs >= 1:  # the oracle's min_epochs
        epochs /= factor
        brackets += 1
    end_size = math.ceil(1 + math.log(max_epochs, factor))
    rounds = []
    for bracket in range(brackets - 1, -1, -1):
        reached = 0
        for rnd in range(bracket + 1):
            size = math.ceil(end_size / (bracket + 1) * factor ** (bracket - rnd))
            upto = math.ceil(max_epochs / factor ** (bracket - rnd))
            rounds.append((size, upto, reached))
            reached = upto
    return rounds


def hyperband_budget(
    max_epochs: int, iterations: int = 1, grid: int | None = None, factor: int = HYPERBAND_FACTOR
) -> HyperbandBudget:
    """Trials and epochs of `iterations` Hyperband iterations, when no trial fails.

    A round that starts from 0 epochs draws new configurations; once a finite grid has none
    left, Keras Tuner ends the search, so the count stops there.
    """
    rounds = _hyperband_rounds(max(max_epochs, 1), factor)
    trials = epochs = drawn = 0
    for _ in range(iterations):
        for size, upto, start in rounds:
            if start == 0 and grid is not None and drawn + size > grid:
                left = grid - drawn
                return HyperbandBudget(
                    iterations,
                    trials + left,
                    epochs + left * upto,
                    sum(r[0] for r in rounds),
                    exhausted=True,
                )
            drawn += size if start == 0 else 0
            trials += size
            epochs += size * (upto - start)
    return HyperbandBudget(iterations, trials, epochs, sum(r[0] for r in rounds))


def hyperband_for_budget(max_epochs: int, budget: int, grid: int | None) -> HyperbandBudget:
    """A budget of N trials means the epochs of N full trainings: as many Hyperband
    iterations as fit in them (at least one)."""
    one = hyperband_budget(max_epochs, 1, grid)
    iterations = 1 if one.exhausted else max(1, budget * max_epochs // max(one.epochs, 1))
    return hyperband_budget(max_epochs, iterations, grid)


def hyperband_sentence(hb: HyperbandBudget, budget: int, max_epochs: int) -> str:
    """How the trial budget became Hyperband's iterations, as a clause of the plan's reason."""
    plural = "s" if hb.iterations != 1 else ""
    spent = f"{hb.trials:,} trials (continuations included), {hb.epochs:,} epochs"
    if budget * max_epochs < hb.epochs:
        text = (
            f"Hyperband runs at least one iteration: {spent}, more than the budget of "
            f"{budget} × {max_epochs} epochs"
        )
    else:
        text = (
            f"the budget of {budget} × {max_epochs} epochs buys {hb.iterations} Hyperband "
            f"iteration{plural}: {spent}"
        )
    if hb.exhausted:
        text += " (fewer: the grid runs out of new configurations)"
    return text


def pruning_sentence(backend: str, algorithm: str, space: Space | None = None) -> str:
    """Whether pruning is on and which rule applies (the median stopping rule, or dominance
    under several objectives), as a clause of the plan's reason (the rules' modules, which
    read journals, are imported only for a search that asks for them)."""
    from engine.plan.front_pruning import MIN_DOMINATING
    from engine.plan.pruning import MIN_EPOCH, MIN_TRIALS, prunes

    if prunes(backend, algorithm, True):
        source = space.source if space is not None else None
        if source is not None and source.more_objectives:
            text = (
                f"pruning on, by dominance: from epoch {MIN_EPOCH}, a trial whose objectives "
                f"are dominated at the same epoch by {MIN_DOMINATING} completed trials stops"
            )
        else:
            text = (
                f"pruning on: from epoch {MIN_EPOCH}, a trial trailing the median of the "
                f"completed trials at the same epoch stops (after {MIN_TRIALS} completed)"
            )
        fixed = [str(c) for c in (source.constraints if source else ()) if c.metric in MEASURED]
        if fixed:
            text += f", and a model breaking {' or '.join(fixed)} before it trains"
        return text
    if algorithm in ("hyperband", "halving"):
        return f"pruning off: {algorithm} stops weak trials itself"
    return "pruning off: it applies to Keras Tuner searches only"


def bayesian_starts(tuned: int, budget: int) -> int:
    """Random configurations a Bayesian search tries before its Gaussian process leads: Keras
    Tuner's three per dimension, counting only the values that vary (Keras Tuner counts every
    declared one, fixed included: 99 with the built-in catalogue, so a smaller budget was random
    search throughout), and at most half the budget, so that the model leads the other half."""
    return max(min(3 * tuned, budget // 2), min(3, budget))


def halving_trials(candidates: int, factor: int = HYPERBAND_FACTOR) -> int:
    """Fits of successive halving: every candidate, then the best third, and so on."""
    iterations = 1 + int(math.log(max(candidates, 1), factor) + 1e-9)
    return sum(math.ceil(candidates / factor**i) for i in range(iterations))


def plan(space: Space, settings: RunSettings) -> Plan:
    """The backend and algorithm to use (the user's choice wins) with the reason."""
    grid = space.grid_size()
    folds = settings.cv
    budget = settings.trials
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
    pruning = "; " + pruning_sentence(backend, algorithm, space) if settings.prune else ""
    if algorithm == "hyperband":
        hb = hyperband_for_budget(epochs, budget, grid)
        reason += "; " + hyperband_sentence(hb, budget, epochs) + pruning
        return with_workers(
            Plan(backend, algorithm, reason, hb.trials, hb.epochs, hb.iterations), settings.workers
        )
    whole = settings.max_trials is None  # nobody set a budget: a grid search runs all of it
    planned = _planned(algorithm, grid, budget, whole)
    if algorithm == "grid" and grid is not None and settings.algorithm == "grid":
        reason += grid_clause(grid, planned, folds if backend == "sklearn" else None)
    reason += pruning
    per_trial = epochs * (folds if backend == "sklearn" else 1)
    return with_workers(
        Plan(backend, algorithm, reason, planned, planned * per_trial), settings.workers
    )


def with_workers(chosen: Plan, asked: int) -> Plan:
    """`chosen` with its worker count and devices; `auto` says why at the end of the reason."""
    devices = gpus() if chosen.backend == "keras-tuner" else ()
    if asked != AUTO_WORKERS:
        given = devices if asked > 1 else ()
        said = f"; {asked} workers on {_names(given)}" if given else ""
        return replace(chosen, workers=asked, gpus=given, reason=chosen.reason + said)
    count, why = auto_workers(chosen, devices)
    given = devices[:count] if count > 1 else ()
    return replace(chosen, workers=count, gpus=given, reason=f"{chosen.reason}; {why}")


def auto_workers(chosen: Plan, devices: tuple[Gpu, ...]) -> tuple[int, str]:
    """How many workers `auto` runs, and why in a clause: one per GPU, else as many as the
    cores allow and the search is long enough to repay each one's start-up."""
    trials, epochs = chosen.planned_trials, chosen.epochs_budget
    if chosen.backend == "sklearn":
        return 1, "one process (joblib's jobs would not report epochs live: --workers N for them)"
    if chosen.backend != "keras-tuner":
        return 1, f"one worker ({chosen.backend} trains in one process)"
    if devices:
        count = max(1, min(len(devices), trials))
        if count == 1:
            return 1, f"one worker on {_names(devices[:1])}"
        return count, f"one worker per GPU: {count} workers on {_names(devices[:count])}"
    cores = _cores.usable()
    count = max(1, min(cores, trials // TRIALS_PER_WORKER, epochs // EPOCHS_PER_WORKER))
    if count > 1:
        return count, f"{count} workers: {_count(cores, 'core')}, {_count(trials, 'trial')}"
    if cores == 1:
        return 1, "one worker: one core"
    return 1, (
        f"one worker: {_count(trials, 'trial')} and {_count(epochs, 'epoch')} are too few to "
        "repay a second worker's start-up"
    )


def _names(devices: tuple[Gpu, ...]) -> str:
    return ", ".join(str(g) for g in devices)


def _pick_algorithm(
    backend: str, grid: int | None, budget: int, epochs: int, space: Space
) -> tuple[str, str]:
    if grid is not None and grid <= budget:
        return "grid", (
            f"the grid of {_count(grid, 'configuration')} fits the budget of "
            f"{_count(budget, 'trial')}"
        )
    size = "a continuous space" if grid is None else f"{grid:,} configurations"
    exceed = "exceeds" if grid is None else "exceed"
    if backend == "sklearn":
        return "random", f"{size} {exceed} the budget of {budget}: randomized search"
    offered = SUPPORTED[backend]
    one_iteration = hyperband_budget(epochs, 1, grid).epochs
    if "hyperband" in offered and epochs >= LONG_TRAINING and budget * epochs >= one_iteration:
        return "hyperband", (
            f"{size} {exceed} the budget and trials train up to {epochs} epochs: Hyperband "
            "stops weak configurations early"
        )
    if "bayesian" in offered and budget >= 10:
        return "bayesian", f"{size} {exceed} the budget of {budget}: Bayesian optimisation"
    if budget >= 10:
        return "random", f"{size} {exceed} the budget of {budget}: random search"
    return "random", f"{size} {exceed} a budget of {budget}, too few trials to model: random search"


def _count(count: int, noun: str) -> str:
    """`1 trial`, `2 trials`: the plan is read by people, in the console and on the CLI."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def grid_clause(grid: int, planned: int, folds: int | None) -> str:
    """How many of a requested grid's configurations run, and their fits (an automatic choice
    of grid search says so in its own reason: the whole grid fits the budget)."""
    if planned < grid:
        return f" (the first {planned:,} of {grid:,} grid configurations: raise the trial budget)"
    fits = f" × {folds} folds = {_count(grid * folds, 'fit')}" if folds else ""
    return f" (the whole grid: {_count(grid, 'configuration')}{fits})"


def _planned(algorithm: str, grid: int | None, budget: int, whole: bool) -> int:
    if algorithm == "halving" and grid is not None:
        return halving_trials(grid)
    if algorithm == "grid" and grid is not None:
        return grid if whole else min(grid, budget)
    return budget
