"""A trial's model from the user's own code: a build function or a Keras Tuner HyperModel.

A function written for Keras Tuner receives the trial's configuration as Keras Tuner's
`HyperParameters` holding the candidate's values, which also reads as a read-only mapping
(`hp.Int("units", 32, 512)`, `hp["units"]`, `hp.get("units", 32)`), plus whichever of
`input_shape`, `n_outputs` and `task` it declares. A function written for scikeras takes its
values by name, and `meta` if it asks (`engine.model.calling`). A HyperModel builds through its
`build(hp)`; its own `fit`, if it has one, trains each trial (`engine.model.user_fit`).
An uncompiled model is compiled here with the space's optimizer and the loss and metrics of the
task (`keras_build.compile_model`); a compiled one keeps its own, but when the space tunes an
optimizer setting its code does not read, it is recompiled with the tuned optimizer (its loss
and metrics kept), and a note says so.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.model import calling
from engine.objective.metric import Objective, base_metric
from engine.user.code import UserCodeError, one_line

PASSED = calling.PASSED
OPTIMIZER_PARAMS = (
    "optimizer",
    "learning_rate",
    "beta_1",
    "momentum",
    "schedule",
    "first_decay_steps",
    "decay_steps",
    "decay_rate",
)


@dataclass(frozen=True)
class ModelTarget:
    """What every model of a search must fit: the data's shape and task, the objective."""

    input_shape: tuple[int, ...]
    n_outputs: int  # classes for classification, targets for regression
    task: str = "classification"
    objective: Objective = Objective()
    rows: int = 0  # training samples (scikeras' `meta["X_shape_"][0]`)
    others: tuple[str, ...] = ()  # further objectives' and constraints' Keras metrics

    @property
    def metrics(self) -> tuple[str, ...]:
        """Metric names the objectives ask the compiled model to report."""
        names = (base_metric(self.objective.metric), *map(base_metric, self.others))
        return tuple(dict.fromkeys(names))

    def values(self) -> dict[str, Any]:
        """What tunedeck hands a build function or HyperModel by name."""
        return {"input_shape": self.input_shape, "n_outputs": self.n_outputs, "task": self.task}

    def meta(self) -> dict[str, Any]:
        return calling.scikeras_meta(self.input_shape, self.n_outputs, self.task, self.rows)


@dataclass(frozen=True)
class UserModel:
    """The user's model code as loaded: what builds a trial's model and, for a HyperModel with
    a `fit` of its own, what trains it."""

    build: Callable[..., Any]
    label: str
    fit: Callable[..., Any] | None = None
    hypermodel: bool = False

    def by_name(self, names: Iterable[str]) -> bool:
        """Whether the build takes its values by name (scikeras) rather than `hp` first."""
        return not self.hypermodel and calling.takes_by_name(self.build, set(names))


def resolve(obj: Any, label: str, target: ModelTarget | None) -> UserModel:
    """What `model:` names, made usable: a function as it is, a HyperModel class made (with the
    data values its constructor declares) or an instance taken; anything else is one line."""
    if calling.is_tuner(obj):
        raise UserCodeError(
            f"model: {label} is a Keras Tuner tuner; tunedeck runs the search itself: name the "
            "build function or HyperModel it tunes, and move a custom run_trial into the "
            "HyperModel's fit(hp, model, x, y, **kwargs), which may return the objective's value"
        )
    if calling.is_hypermodel(obj):
        if inspect.isclass(obj) and target is None and _needs_data(obj):
            raise UserCodeError(f"model: {label} needs the data it is for: give --dataset")
        try:
            instance = calling.hypermodel_instance(obj, target.values() if target else {})
        except Exception as exc:
            raise UserCodeError(f"model: making {label}() raised {one_line(exc)}") from None
        build = type(instance).build.__get__(instance)  # its own signature, not the wrapper's
        return UserModel(build, label, calling.own_fit(instance), hypermodel=True)
    if calling.is_keras_model_class(obj):
        raise UserCodeError(
            f"model: {label} is a Keras model class; name a function that builds it "
            f"(def build_model(hp): return {obj.__name__}(...)) or a Keras Tuner HyperModel"
        )
    if inspect.isclass(obj):
        raise UserCodeError(
            f"model: {label} is a class but not a Keras Tuner HyperModel; name a build "
            "function or a HyperModel subclass"
        )
    if not callable(obj):
        raise UserCodeError(f"model: {label} is neither a function nor a HyperModel")
    return UserModel(obj, label)


def _needs_data(cls: type) -> bool:
    params = inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
    return any(p.name in PASSED and p.default is inspect.Parameter.empty for p in params)


def call_build(
    user: UserModel, hp: Any, target: ModelTarget | None, names: Iterable[str] = ()
) -> Any:
    """Call the user's build with `hp` and the parts of `target` it declares (none without a
    target), or, written for scikeras, with its values by name; its own exceptions propagate
    (a failed trial)."""
    function = user.build
    if user.by_name(names):
        data, meta = (target.values(), target.meta()) if target else ({}, {})
        if target is not None:
            data |= calling.sample_arguments(
                function, target.input_shape, target.n_outputs, target.task, target.rows
            )
        if calling.asks(function, calling.COMPILE):  # scikeras' compile_kwargs: the optimizer
            from engine.model import keras_build

            data[calling.COMPILE] = keras_build.compile_kwargs(dict(hp))
        kwargs = calling.named_arguments(function, hp, data, meta)
        missing = [n for n in calling.required_names(function) if n not in kwargs]
        if missing:
            raise UserCodeError(
                f"takes {missing[0]} by name but the space gives no value of it: list it "
                f"under params (e.g. params: {{{missing[0]}: [...]}}, or name a param_grid)"
            )
        return function(**kwargs)
    declared: Mapping[str, inspect.Parameter]
    try:
        declared = inspect.signature(function).parameters
    except (TypeError, ValueError):
        declared = {}
    if target is None:
        needs = [
            p.name
            for p in declared.values()
            if p.name in PASSED
            and p.default is inspect.Parameter.empty
            and p.kind is not p.VAR_KEYWORD
        ]
        if needs:
            raise UserCodeError(
                f"needs {needs[0]} to declare its space: give the data it is for (--dataset)"
            )
        return function(hp)
    return function(hp, **calling.passed_arguments(function, target.values()))


def build_user_model(
    user: UserModel,
    config: Mapping[str, Any],
    target: ModelTarget,
    tuned: tuple[str, ...] = (),
    note: Callable[[str], None] | None = None,
) -> Any:
    """The compiled Keras model of `config`; UserCodeError (one line) when the function's
    result cannot serve the task. A model the code compiled itself while the space tunes an
    optimizer setting the code does not read is recompiled with the tuned optimizer, and
    `note` is told so."""
    import keras

    from engine.model import keras_build
    from engine.model.hyperparameters import TrialHyperParameters

    hp = TrialHyperParameters(config)
    try:
        model = call_build(user, hp, target, config.keys())
    except UserCodeError as exc:
        raise UserCodeError(f"model: {user.label} {exc}") from None
    label = user.label
    if not isinstance(model, keras.Model):
        raise UserCodeError(f"model: {label} returned {type(model).__name__}, not a Keras model")
    keras_build.shape_user_model(model, target.input_shape, target.task)
    check_output(model, target, label)
    if getattr(model, "compiled", False):
        if keras_build.add_task_metrics(model, target.task, target.metrics) and note is not None:
            note(
                f"model: {label} compiles its model without metrics: each trial's model is "
                "compiled again with the task's, keeping its loss and optimizer"
            )
        read = set(calling.declared_names(user.build)) if user.by_name(config) else hp.read
        if calling.asks(user.build, calling.COMPILE):  # it compiles with the tuned optimizer
            read = {*read, *OPTIMIZER_PARAMS}
        ignored = [name for name in tuned if name in OPTIMIZER_PARAMS and name not in read]
        if ignored:
            keras_build.recompile(model, dict(config))
            if note is not None:
                note(
                    f"model: {label} compiles its own model, which would ignore the tuned "
                    f"{', '.join(ignored)}: each trial's model is recompiled with the tuned "
                    "optimizer, keeping its loss and metrics"
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
