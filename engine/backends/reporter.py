"""The Keras callback both TensorFlow backends train with: per-epoch events, NaN and stop checks,
and the ticks of the process's resource sampler (engine.run.resources).

Keras Tuner and scikit-learn deep-copy callbacks for every trial; this one returns itself from
`__deepcopy__` so the copies share one sink and one stop control.
"""

from __future__ import annotations

import math
from typing import Any

import keras

from engine.backends.base import SearchContext, TrialFailed
from engine.run import events as ev


def _idle() -> None:
    pass


class EpochReporter(keras.callbacks.Callback):
    def __init__(self, ctx: SearchContext, trial_id: str = "", epochs: int = 0) -> None:
        super().__init__()
        self.ctx = ctx
        self.trial_id = trial_id
        self.epochs = epochs
        self.fold: int | None = None
        self.epoch_offset = 0
        # a resource sample when one is due (a joblib worker's quiet context journals none)
        self.tick = ctx.tick if isinstance(ctx, SearchContext) else _idle

    def __deepcopy__(self, memo: dict) -> EpochReporter:
        return self

    def start(self, trial_id: str, epochs: int, fold: int | None = None) -> None:
        self.trial_id, self.epochs, self.fold = trial_id, epochs, fold

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.ctx.stop.check(self.trial_id)
        self.tick()
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            raise TrialFailed(f"loss became {float(loss)} at batch {batch + 1}")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.ctx.emit(
            ev.EpochEnded(
                trial_id=self.trial_id,
                epoch=epoch + 1,
                logs=ev.clean_logs(logs),
                fold=self.fold,
                epochs=self.epochs,
            )
        )
        self.ctx.stop.check(self.trial_id)


def journal_restored(
    ctx: SearchContext,
    trial_id: str,
    resume: Any,
    epochs: int,
    initial: int = 0,
    fold: int | None = None,
) -> None:
    """A fit resumed from its checkpoint (`engine.model.checkpoint.EpochCheckpoint`): its
    restored epochs journaled again, marked `restored`, so the trial's curve is whole, and
    one line saying after which epoch it goes on."""
    for number, logs in enumerate(resume.rows, start=initial + 1):
        ctx.emit(
            ev.EpochEnded(
                trial_id=trial_id,
                epoch=number,
                logs=ev.clean_logs(logs),
                fold=fold,
                epochs=epochs,
                restored=True,
            )
        )
    where = f" fold {fold}" if fold is not None else ""
    ctx.emit(
        ev.LogMessage(
            level="info",
            message=f"trial {trial_id}{where} resumed from its "
            f"checkpoint after epoch {resume.start} of {epochs}",
        )
    )
