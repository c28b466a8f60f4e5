"""Where a Keras Tuner search's trials come from, beyond what the oracle draws itself.

The oracle reloaded from the run's project keeps every earlier trial, so a larger budget
(`resume --more N`) goes on with the same history: Bayesian optimisation keeps learning from
it. On that oracle (the process that holds it: never a distributed worker's `OracleClient`):

- a changed space (`resume --space`) replaces its search space, and the trials the new space
  does not hold become INVALID to it, which its `populate_space` and `get_best_trials` skip;
- the run's queue (`engine.run.queue`) is served through its documented override point
  `populate_space` (`compat.serve_first`): a queued configuration is the next trial, one
  beyond the budget (raised before the oracle checks it), marked `tuner/enqueued` in its values.
"""

from __future__ import annotations

from typing import Any

import keras_tuner

from engine.backends.base import SearchContext
from engine.backends.keras_tuner import compat
from engine.backends.keras_tuner.compat import KerasTunerStatus
from engine.backends.keras_tuner.hyperparameters import to_hyperparameters
from engine.run.queue import TrialQueue

ENQUEUED = "tuner/enqueued"  # in a trial's values: a hand-written configuration


def supply(oracle: Any, ctx: SearchContext, skip: tuple[str, ...]) -> None:
    """Ready `oracle` (reloaded) for this session: budget, space, exclusions, queue."""
    if not isinstance(oracle, keras_tuner.Oracle):
        return  # a distributed worker: the chief's oracle does all of it
    compat.restore_grid_order(oracle)
    if oracle.max_trials:  # Hyperband's iterations are its budget
        queued = sum(1 for t in ctx.previous.trials.values() if t.enqueued)
        oracle.max_trials = ctx.plan.planned_trials + queued
    if ctx.space_changed:
        oracle.hyperparameters = to_hyperparameters(ctx.space, skip=skip)
    for trial_id in ctx.excluded:
        if trial_id in oracle.trials:
            oracle.trials[trial_id].status = KerasTunerStatus.INVALID  # never learnt from
    _serve_queue(oracle, ctx, skip)


def _serve_queue(oracle: Any, ctx: SearchContext, skip: tuple[str, ...]) -> None:
    queue = TrialQueue(ctx.run.path)
    admitted = 0  # queued configurations the budget was raised for, not taken yet

    def admit() -> None:
        nonlocal admitted
        waiting = len(queue.pending())
        if waiting > admitted and oracle.max_trials and not ctx.stop.stop_after_trial():
            oracle.max_trials += waiting - admitted
            admitted = waiting

    def take(trial_id: str) -> dict[str, Any] | None:
        nonlocal admitted
        entry = queue.take() if admitted else None
        if entry is None:
            return None
        admitted -= 1
        values = {
            name: value
            for name, value in entry.items()
            if name in ctx.space.params and name not in skip and ctx.space.is_active(name, entry)
        }
        return {"status": KerasTunerStatus.RUNNING, "values": {**values, ENQUEUED: True}}

    compat.serve_first(oracle, admit, take)
