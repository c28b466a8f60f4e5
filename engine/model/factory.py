"""One way to build a trial's model, whoever trains it: the built-in MLP, or the user's own
function named by the space's `model:` (loaded once, in the training process only).

`preflight` builds the default configuration once before a search starts, so that a model
that cannot serve the data, or does not report the objective, is one line and exit code 2
rather than N failed trials.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.errors import InputError
from engine.model.callbacks import check_callbacks
from engine.model.reuse import ModelPool, steps_per_call
from engine.model.user_model import ModelTarget, UserModel, build_user_model, resolve
from engine.objective.metric import Objective
from engine.space import Space
from engine.user.code import CodeRef, UserCodeError, one_line

UNNAMED = "default_objective"  # Keras Tuner's name for the number a fit returns


def _pool() -> ModelPool | None:
    return None if os.environ.get("TUNEDECK_REUSE") == "0" else ModelPool()


@dataclass
class ModelFactory:
    """Pickles as its reference, not its function: scikit-learn's joblib workers import the
    user's module themselves (a module loaded from a file path has no importable name)."""

    target: ModelTarget
    ref: CodeRef | None = None  # the user's build function (absolute path); None: built-in
    tuned: tuple[str, ...] = ()
    note: Callable[[str], None] | None = field(default=None, repr=False, compare=False)
    # a HyperModel's fit returns the objective's value (a number or a dict), as `preflight`
    # found: a fold is scored by it, on the rows it is given as validation_data
    scores_itself: bool = False
    _user: UserModel | None = field(default=None, repr=False, compare=False)
    pool: ModelPool | None = field(default_factory=_pool, repr=False, compare=False)
    _noted: set[str] = field(default_factory=set, repr=False, compare=False)

    @property
    def objective(self) -> Objective:
        return self.target.objective

    @property
    def label(self) -> str:
        return str(self.ref) if self.ref else ""

    def load(self) -> ModelFactory:
        """Import the user's module now (so that a broken one fails before any trial)."""
        if self.ref is not None and self._user is None:
            from engine.model.builder import quiet_tensorflow

            quiet_tensorflow()  # the user's module imports Keras: TensorFlow stays silent
            self._user = resolve(self.ref.load_object("model"), self.label, self.target)
        return self

    @property
    def user_fit(self) -> Callable[..., Any] | None:
        """A HyperModel's own `fit`, which trains each trial; None: tunedeck's fit."""
        user = self.load()._user
        return user.fit if user is not None else None

    def _note(self, text: str) -> None:
        """Say something about the model once per search (e.g. that it is recompiled)."""
        if text not in self._noted:
            self._noted.add(text)
            if self.note is not None:
                self.note(text)

    def build(self, config: Mapping[str, Any]) -> Any:
        """A compiled Keras model for `config`."""
        if self.ref is None:
            from engine.model import builder

            t = self.target
            return builder.build(dict(config), t.input_shape, t.n_outputs, t.task, t.metrics)
        user = self.load()._user
        assert user is not None
        return build_user_model(user, config, self.target, self.tuned, self._note)

    def trial_model(self, config: Mapping[str, Any], rows: int, batch_size: int) -> Any:
        """A compiled model for one trial of a search, trained on `rows` samples: its batches
        grouped into traced calls, and a pooled model of the same architecture reused, traced
        already (`engine.model.reuse`). `TUNEDECK_REUSE=0` trains plain models."""
        model = self.build(config)
        if self.pool is None or self.user_fit is not None:  # the user's fit trains it as built
            return model
        if getattr(model, "steps_per_execution", 1) == 1:  # a user's own setting stays
            model.steps_per_execution = steps_per_call(rows, batch_size)
        return self.pool.take(model)

    def __deepcopy__(self, memo: dict) -> ModelFactory:
        """scikit-learn deep-copies the estimator, and so this, for every fit: the copies
        share one factory, and so one pool of traced models."""
        return self

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_user": None, "note": None}


def target_for(space: Space, dataset: Any) -> ModelTarget:
    """What every model of `space` must fit on `dataset` (an `engine.data.Dataset`)."""
    objective = space.source.objective_for(dataset.task)
    shape, rows = tuple(dataset.input_shape), len(dataset.x_train)
    others = space.source.objectives_for(dataset.task).keras_metrics
    return ModelTarget(shape, dataset.n_outputs, dataset.task, objective, rows, others)


def make_factory(
    space: Space, dataset: Any, note: Callable[[str], None] | None = None
) -> ModelFactory:
    """The factory for `space` (resolved: absolute file references) on `dataset`; imports the
    user's module when the space names one. `note` hears what the search should say about
    the model (once each)."""
    factory = ModelFactory(target_for(space, dataset), space.source.model, space.tuned(), note)
    return factory.load()


def preflight(factory: ModelFactory, space: Space, dataset: Any) -> Objective | None:
    """Build the default configuration and evaluate it on a few validation samples: the
    model must build, fit the data, and report the objective's metric. Returns the objective
    a HyperModel's `fit` implies when the space names none: a number it returns is minimised
    under Keras Tuner's name for it, `default_objective`."""
    family = space.params.get("family")
    shape = tuple(dataset.input_shape)
    if family is not None and "cnn" in (family.values() or ()) and len(shape) not in (2, 3):
        raise InputError(
            f"architecture.family: cnn needs images (height, width[, channels]), but "
            f"{dataset.name} has input shape {shape}; use mlp"
        )
    n = min(len(dataset.y_val), 16)
    try:
        model = factory.build(space.defaults())
        logs = model.evaluate(
            dataset.x_val[:n], dataset.y_val[:n], batch_size=n, verbose=0, return_dict=True
        )
    except InputError:
        raise
    except Exception as exc:
        what = f"model: {factory.label or 'the built-in model'}"
        err = UserCodeError(f"{what} failed on the default configuration: {one_line(exc)}")
        err.details = "".join(traceback.format_exception(exc))
        raise err from None
    check_callbacks(space, factory.objective)
    metric = factory.objective.metric
    if factory.user_fit is not None:
        fitted = _try_user_fit(factory, factory.user_fit, model, space.defaults(), dataset, n)
        factory.scores_itself = fitted.score is not None
        if fitted.bare and space.source.objective is None:
            return Objective(UNNAMED, "min")
        return None  # its fit says what it reports, as a History's rows or the value it returns
    others = space.source.objectives_for(factory.target.task).keras_metrics
    for name in (metric, *others):  # every objective's and constraint's metric it must report
        if name.removeprefix("val_") not in logs:
            names = ", ".join(f"val_{k}" for k in sorted(logs))
            raise InputError(
                f"objective: the model does not report {name} (it reports {names}); "
                "choose one of those or compile the model with that metric"
            )
    return None


def _try_user_fit(
    factory: ModelFactory, fit: Callable[..., Any], model: Any, config: Any, dataset: Any, n: int
) -> Any:
    """One epoch of the HyperModel's own `fit` on a few samples: it must train and return
    the objective (a History with its rows, the value, or a dict holding it)."""
    from engine.model.user_fit import fit_user

    metric = factory.objective.metric
    try:
        fitted = fit_user(
            fit,
            config,
            model,
            dataset.x_train[:n],
            dataset.y_train[:n],
            label=factory.label,
            metric=metric,
            epochs=1,
            batch_size=int(config["batch_size"]),
            validation_data=(dataset.x_val[:n], dataset.y_val[:n]),
            callbacks=[],
        )
    except InputError:
        raise
    except Exception as exc:
        err = UserCodeError(
            f"model: {factory.label} fit failed on the default configuration: {one_line(exc)}"
        )
        err.details = "".join(traceback.format_exception(exc))
        raise err from None
    if fitted.score is None and metric not in fitted.history:
        names = ", ".join(sorted(fitted.history)) or "nothing"
        raise InputError(
            f"objective: {factory.label} fit does not report {metric} (its History has {names}); "
            "choose one of those, or return the objective's value from fit"
        )
    return fitted
