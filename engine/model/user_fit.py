"""A trial trained by a Keras Tuner HyperModel's own `fit`, called as Keras Tuner calls it.

Keras Tuner's `run_trial` calls `hypermodel.fit(hp, model, *args, **kwargs)` with what
`search()` was given: here the training arrays, `validation_data`, `epochs`, `callbacks` (the
trial's reporting and early stopping, which a custom loop calls itself) and `verbose=0`. A
`fit` that calls `model.fit` and does not choose a batch size gets the space's. What it returns
is honoured as Keras Tuner does: a `History`, the objective's value as a number, or a dict
holding it. A return that says nothing of the objective is one line naming the file.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.model.calling import call_fit
from engine.user.code import UserCodeError


@dataclass(frozen=True)
class Fitted:
    """What a fit gave: its epochs' logs, and the objective's value when `fit` returned one."""

    history: Mapping[str, list[Any]] = field(default_factory=dict)
    score: float | None = None
    bare: bool = False  # `fit` returned a number: a value with no name (Keras Tuner minimises it)

    def value(self, metric: str, callbacks: list[Any], initial_epoch: int = 0) -> float | None:
        """The objective of the model the trial hands over: the returned value, else the epoch
        early stopping restored (its weights are the model's), else the last epoch's."""
        if self.score is not None:
            return self.score
        rows = self.history.get(metric) or []
        if not rows:
            return None
        index = len(rows) - 1
        for callback in callbacks:
            best = getattr(callback, "best_epoch", None)
            if getattr(callback, "restore_best_weights", False) and best is not None:
                index = min(max(int(best) - initial_epoch, 0), index)
        value = rows[index]
        return float(value) if value is not None and math.isfinite(value) else None


def fit_user(
    fit: Callable[..., Any],
    config: Mapping[str, Any],
    model: Any,
    x: Any,
    y: Any,
    *,
    label: str,
    metric: str,
    validation_data: tuple[Any, Any] | None,
    epochs: int,
    batch_size: int,
    callbacks: list[Any],
    initial_epoch: int = 0,
) -> Fitted:
    """Train `model` through the HyperModel's `fit` with the trial's configuration as `hp`."""
    from engine.model.hyperparameters import TrialHyperParameters

    _default_batch_size(model, batch_size)
    kwargs: dict[str, Any] = {"epochs": epochs, "callbacks": callbacks, "verbose": 0}
    if validation_data is not None:
        kwargs["validation_data"] = validation_data
    if initial_epoch:
        kwargs["initial_epoch"] = initial_epoch
    returned = call_fit(fit, TrialHyperParameters(config), model, x, y, kwargs)
    return read_return(returned, metric, label)


def read_return(returned: Any, metric: str, label: str) -> Fitted:
    """A `fit`'s return value as Keras Tuner reads it; UserCodeError when it holds nothing
    the objective can be read from."""
    history = getattr(returned, "history", None)
    if isinstance(history, Mapping):
        return Fitted({str(k): list(v) for k, v in history.items()})
    is_number = isinstance(returned, numbers.Real)
    if is_number and type(returned) is not bool:  # a float, or numpy's
        return Fitted(score=float(returned), bare=True)
    if isinstance(returned, Mapping):
        if metric not in returned:
            names = ", ".join(sorted(map(str, returned))) or "nothing"
            raise UserCodeError(
                f"model: {label} fit returned a dict without the objective {metric} (it has "
                f"{names}): add it, or choose one of those as the objective"
            )
        return Fitted(score=float(returned[metric]))
    what = "nothing (None)" if returned is None else f"a {type(returned).__name__}"
    raise UserCodeError(
        f"model: {label} fit returned {what}; return model.fit's History, "
        f"the objective's value ({metric}) as a number, or a dict holding it"
    )


def _default_batch_size(model: Any, batch_size: int) -> None:
    """`model.fit` called on arrays without a batch size trains with the space's."""
    original = model.fit

    def fit(*args: Any, **kwargs: Any) -> Any:
        x = args[0] if args else kwargs.get("x")
        if hasattr(x, "shape") and hasattr(x, "dtype"):  # arrays, not a dataset
            kwargs.setdefault("batch_size", batch_size)
        return original(*args, **kwargs)

    model.fit = fit


def train(
    factory: Any,
    config: Mapping[str, Any],
    model: Any,
    x: Any,
    y: Any,
    *,
    epochs: int,
    validation_data: tuple[Any, Any] | None = None,
    callbacks: list[Any] | None = None,
) -> Fitted:
    """One fit outside a search's trial loop (the winner's retraining, a seed rerun): through
    the HyperModel's `fit` when the model has one (with `validation_data`, which a custom loop
    may require), else Keras's own (validating only when no early stopping is given: the
    retraining trains on the validation part too)."""
    batch_size = int(config["batch_size"])
    if factory.user_fit is not None:
        return fit_user(
            factory.user_fit,
            config,
            model,
            x,
            y,
            label=factory.label,
            metric=factory.objective.metric,
            validation_data=validation_data,
            epochs=epochs,
            batch_size=batch_size,
            callbacks=list(callbacks or ()),
        )
    validation_data = validation_data if callbacks else None
    history = model.fit(
        x,
        y,
        validation_data=validation_data,
        epochs=epochs,
        batch_size=batch_size,
        callbacks=list(callbacks or ()),
        verbose=0,
    )
    return Fitted(history.history)
