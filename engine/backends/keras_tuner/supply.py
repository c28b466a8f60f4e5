"""Where a Keras Tuner search's trials come from, beyond what the oracle draws itself.

The oracle reloaded from the run's project keeps every earlier trial, so a larger budget
(`resume --more N`) goes on with the same history: Bayesian optimisation keeps learning from
it. On that oracle (the process that holds it: never a distributed worker's `OracleClient`):

- a changed space (`resume --space`) replaces its search space, and the trials the new space
  does not hold become INVALID to it, which its `populate_space` and `get_best_trials` skip;
- the run's queue (`engine.run.queue`) is served through its documented override point
  `populate_space`: a queued configuration is the next trial, one beyond the budget (raised in
  `create_trial`, before the oracle checks it), marked `tuner/enqueued` in its values.
"""

from __future__ import annotations

import functools
from typing import Any

import keras_tuner

from engine.backends.base import SearchContext
from engine.backends.keras_tuner.hyperparameters import to_hyperparameters
from engine.run.queue import TrialQueue

ENQUEUED = "tuner/enqueued"  # in a trial's values: a hand-written configuration
INVALID = "INVALID"  # Keras Tuner's trial status for a trial it must not learn from


def supply(oracle: Any, ctx: SearchContext, skip: tuple[str, ...]) -> None:
    """Ready `oracle` (reloaded) for this session: budget, space, exclusions, queue."""
    if not isinstance(oracle, keras_tuner.Oracle):
        return  # a distributed worker: the chief's oracle does all of it
    restore_grid_order(oracle)
    if oracle.max_trials:  # Hyperband's iterations are its budget
        queued = sum(1 for t in ctx.previous.trials.values() if t.enqueued)
        oracle.max_trials = ctx.plan.planned_trials + queued
    if ctx.space_changed:
        oracle.hyperparameters = to_hyperparameters(ctx.space, skip=skip)
    for trial_id in ctx.excluded:
        if trial_id in oracle.trials:
            oracle.trials[trial_id].status = INVALID
    _serve_queue(oracle, ctx, skip)


def _serve_queue(oracle: Any, ctx: SearchContext, skip: tuple[str, ...]) -> None:
    queue = TrialQueue(ctx.run.path)
    admitted = 0  # queued configurations the budget was raised for, not taken yet
    create_trial, populate_space = oracle.create_trial, oracle.populate_space

    def create(tuner_id: str) -> Any:
        nonlocal admitted
        waiting = len(queue.pending())
        if waiting > admitted and oracle.max_trials and not ctx.stop.stop_after_trial():
            oracle.max_trials += waiting - admitted
            admitted = waiting
        return create_trial(tuner_id)

    def populate(trial_id: str) -> dict[str, Any]:
        nonlocal admitted
        entry = queue.take() if admitted else None
        if entry is None:
            return populate_space(trial_id)
        admitted -= 1
        values = {
            name: value
            for name, value in entry.items()
            if name in ctx.space.params and name not in skip and ctx.space.is_active(name, entry)
        }
        return {"status": "RUNNING", "values": {**values, ENQUEUED: True}}

    oracle.create_trial, oracle.populate_space = create, populate


def restore_grid_order(oracle: Any) -> None:
    """Keras Tuner's grid oracle does not save the order of the combinations it visited, so a
    reloaded grid search fails (KeyError on a trial id). Rebuild that order from the trials."""
    ordered = getattr(oracle, "_ordered_ids", None)
    if ordered is None or ordered._memory or not oracle.trials:
        return
    values = {tid: trial.hyperparameters.values for tid, trial in oracle.trials.items()}
    order = sorted(
        values, key=functools.cmp_to_key(lambda a, b: oracle._compare(values[a], values[b]))
    )
    for trial_id in order:
        oracle._ordered_ids.insert(trial_id)
    oracle._populate_next = list(order)
