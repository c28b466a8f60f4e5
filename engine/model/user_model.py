"""A trial's model from the user's own build function.

The function receives the trial's configuration as Keras Tuner's `HyperParameters` holding the
candidate's values, which also reads as a read-only mapping (`hp.Int("units", 32, 512)`,
`hp["units"]`, `hp.get("units", 32)`; a plain dict works the same when the user calls it outside
tunedeck), plus whichever of `input_shape`, `n_outputs` and `task` it declares. An uncompiled
model is compiled here with the space's optimizer and the loss and metrics of the task
(`keras_build.compile_model`); a compiled one keeps its own.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.objective import Objective, base_metric
from engine.usercode import UserCodeError

PASSED = ("input_shape", "n_outputs", "task")
OPTIMIZER_PARAMS = ("optimizer", "learning_rate", "beta_1", "momentum", "schedule",
                    "first_decay_steps", "decay_steps", "decay_rate")  # fmt: skip


@dataclass(frozen=True)
class ModelTarget:
    """What every model of a search must fit: the data's shape and task, the objective."""

    input_shape: tuple[int, ...]
    n_outputs: int  # classes for classification, targets for regression
    task: str = "classification"
    objective: Objective = Objective()

    @property
    def metrics(self) -> tuple[str, ...]:
        """Metric names the objective asks the compiled model to report."""
        return (base_metric(self.objective.metric),)


def call_build(function: Callable[..., Any], hp: Any, target: ModelTarget | None) -> Any:
    """Call the user's function with `hp` and the parts of `target` it declares (none without
    a target); its own exceptions propagate (a failed trial)."""
    declared: Mapping[str, inspect.Parameter]
    try:
        declared = inspect.signature(function).parameters
    except (TypeError, ValueError):
        declared = {}
    if target is None:
        needs = [p.name for p in declared.values() if p.name in PASSED
                 and p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD]  # fmt: skip
        if needs:
            raise UserCodeError(f"needs {needs[0]} to declare its space: give the data it is "
                                "for (--dataset)")  # fmt: skip
        return function(hp)
    values = {"input_shape": target.input_shape, "n_outputs": target.n_outputs,
              "task": target.task}  # fmt: skip
    takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in declared.values())
    kwargs = {k: v for k, v in values.items() if k in declared or takes_all}
    return function(hp, **kwargs)


def build_user_model(
    function: Callable[..., Any],
    config: Mapping[str, Any],
    target: ModelTarget,
    label: str,
    tuned: tuple[str, ...] = (),
) -> Any:
    """The compiled Keras model of `config`; UserCodeError (one line) when the function's
    result cannot serve the task, or compiles itself while the space tunes its optimizer."""
    import keras

    from engine.model import keras_build
    from engine.model.hyperparameters import TrialHyperParameters

    hp = TrialHyperParameters(config)
    model = call_build(function, hp, target)
    if not isinstance(model, keras.Model):
        raise UserCodeError(f"model: {label} returned {type(model).__name__}, not a Keras model")
    keras_build.shape_user_model(model, target.input_shape, target.task)
    check_output(model, target, label)
    if getattr(model, "compiled", False):
        ignored = [name for name in tuned if name in OPTIMIZER_PARAMS and name not in hp.read]
        if ignored:
            raise UserCodeError(
                f"model: {label} compiles its model itself, so the tuned {ignored[0]} would be "
                "ignored; fix it in the space, or return the model uncompiled"
            )
        return model
    keras_build.compile_model(model, dict(config), target.task, target.metrics)
    return model


def check_output(model: Any, target: ModelTarget, label: str) -> None:
    """The output layer must fit the labels: k classes need k units (2 classes: 1 or 2)."""
    try:
        units = model.output_shape[-1]
    except (AttributeError, ValueError, IndexError):
        return  # a subclassed model not yet built: Keras itself checks at the first batch
    if isinstance(units, tuple | list) or units is None:
        return
    k = target.n_outputs
    if target.task == "classification":
        fits = units == k or (k == 2 and units == 1)
        want = f"{k} classes" + (" (1 or 2 units)" if k == 2 else "")
    else:
        fits, want = units == k, f"{k} regression target{'s' if k != 1 else ''}"
    if not fits:
        raise UserCodeError(
            f"model: {label} has {units} output unit{'s' if units != 1 else ''}, "
            f"but the data has {want}"
        )
