"""One way to build a trial's model, whoever trains it: the built-in MLP, or the user's own
function named by the space's `model:` (loaded once, in the training process only).

`preflight` builds the default configuration once before a search starts, so that a model
that cannot serve the data, or does not report the objective, is one line and exit code 2
rather than N failed trials.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import InputError
from engine.model.user_model import ModelTarget, build_user_model
from engine.run.objective import Objective
from engine.space import Space
from engine.usercode import UserCodeError, one_line


@dataclass(frozen=True)
class ModelFactory:
    target: ModelTarget
    function: Callable[..., Any] | None = None  # the user's build function; None: built-in
    label: str = ""  # how the user wrote it, e.g. net.py:build
    tuned: tuple[str, ...] = ()

    @property
    def objective(self) -> Objective:
        return self.target.objective

    def build(self, config: Mapping[str, Any]) -> Any:
        """A compiled Keras model for `config`."""
        from engine.model.builder import quiet_tensorflow

        quiet_tensorflow()
        if self.function is None:
            from engine.model import keras_build

            t = self.target
            return keras_build.build_model(
                dict(config), t.input_shape, t.n_outputs, t.task, t.metrics
            )
        return build_user_model(self.function, config, self.target, self.label, self.tuned)


def make_factory(space: Space, dataset: Any) -> ModelFactory:
    """The factory for `space` on `dataset` (an `engine.data.Dataset`); imports the user's
    module when the space names one."""
    task = getattr(dataset, "task", "classification")
    outputs = getattr(dataset, "n_outputs", None) or dataset.n_classes
    objective = space.source.objective_for(task)
    target = ModelTarget(tuple(dataset.input_shape), int(outputs), task, objective)
    ref = space.source.model
    if ref is None:
        return ModelFactory(target, tuned=space.tuned())
    function = ref.relative_to(None).load("model")
    return ModelFactory(target, function, str(ref), space.tuned())


def preflight(factory: ModelFactory, space: Space, dataset: Any) -> None:
    """Build the default configuration and evaluate it on a few validation samples: the
    model must build, fit the data, and report the objective's metric."""
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
    metric = factory.objective.metric
    reported = metric[4:] if metric.startswith("val_") else metric
    if reported not in logs:
        names = ", ".join(f"val_{k}" for k in sorted(logs))
        raise InputError(
            f"objective: the model does not report {metric} (it reports {names}); "
            "choose one of those or compile the model with that metric"
        )
