"""Keras Tuner's own state read back into the journal: trials it holds as ended that the
journal lacks (deleted, emptied, garbled or cut) are journaled again, so none is lost or rerun."""

from __future__ import annotations

from typing import Any

import keras_tuner

from engine.backends.base import SearchContext, needs_rerun
from engine.backends.keras_tuner.hyperparameters import declare
from engine.backends.keras_tuner.scalarise import from_oracle, uses_scalar
from engine.backends.oom import failure_status
from engine.plan.pruning import PRUNED
from engine.run import events as ev
from engine.run.states import TrialStatus

ENDED = {
    "COMPLETED": TrialStatus.COMPLETED,
    "FAILED": TrialStatus.FAILED,
    "INVALID": TrialStatus.FAILED,
}


def rejournal(tuner: keras_tuner.Tuner, ctx: SearchContext) -> int:
    """Trials Keras Tuner's own state holds as ended but the journal does not (it was deleted,
    emptied or garbled, or a line was cut): journaled again from that state, score and all, so
    that none is lost, none runs twice, and the best is chosen among all. Their epoch curves
    are gone with the journal. Returns how many."""
    hypermodel: Any = tuner.hypermodel  # the tuner's `_HyperModel`
    count = 0
    for trial_id, trial in sorted(tuner.oracle.trials.items(), key=lambda item: int(item[0])):
        status = ENDED.get(trial.status)
        recorded = ctx.previous.trials.get(trial_id)
        if status is None or (recorded is not None and not needs_rerun(recorded)):
            continue
        hp = trial.hyperparameters.copy()
        declare(hp, ctx.space, skip=hypermodel.skip)
        config = hypermodel.config(hp)
        ctx.emit(
            ev.TrialStarted(
                trial_id=trial_id,
                number=int(trial_id) + 1,
                hyperparameters=config,
                epochs=int(config["epochs"]),
                continues=hp.values.get("tuner/trial_id"),
                initial_epoch=int(hp.values.get("tuner/initial_epoch", 0)),
            )
        )
        completed = status == TrialStatus.COMPLETED and trial.score is not None
        pruned = completed and str(trial.message or "").startswith(PRUNED)
        score, values = float(trial.score or 0), dict[str, float | None]()
        if completed and uses_scalar(ctx.objectives):  # the oracle's score is the scalar
            score, values = from_oracle(trial, ctx.objectives)
        ended = (
            TrialStatus.PRUNED if pruned else status if completed else failure_status(trial.message)
        )
        ctx.emit(
            ev.TrialEnded(
                trial_id=trial_id,
                status=ended,
                values=values,
                score=score if completed and not pruned else None,
                infeasible=ctx.objectives.infeasible(score, values)
                if completed and not pruned
                else None,
                epoch_score=score if pruned else None,
                reason=None
                if completed and not pruned
                else str(trial.message or "failed").removeprefix(PRUNED),
            )
        )
        count += 1
    if count:
        ctx.emit(
            ev.LogMessage(
                level="warning",
                message=f"the journal lacked {count} ended "
                "trial(s) that Keras Tuner's state holds: recorded again from it "
                "(without their epoch curves)",
            )
        )
    return count
