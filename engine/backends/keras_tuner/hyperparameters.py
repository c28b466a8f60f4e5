"""Pure translation of a search space into Keras Tuner hyperparameters, and back to a config.

Conditional parameters (e.g. `kernel_strength` only when `kernel_regularizer` is not `none`)
are declared inside `conditional_scope`s, so Keras Tuner neither samples nor grids them when
their parent makes them irrelevant.
"""

from __future__ import annotations

from typing import Any

from engine.space import Config, Space
from engine.space.hyperparameters import Boolean, Choice, Fixed, Float, Int

TUNER_KEYS_PREFIX = "tuner/"


def declare(hp: Any, space: Space, *, skip: tuple[str, ...] = ()) -> None:
    """Register every parameter of `space` on a `keras_tuner.HyperParameters`."""
    for spec in space.specs:
        if spec.parent is None and spec.name not in skip:
            _declare_tree(hp, space, spec.name, skip)


def _declare_tree(hp: Any, space: Space, name: str, skip: tuple[str, ...]) -> None:
    _declare_one(hp, name, space.params[name])
    for child in space.children(name):
        if child.name in skip:
            continue
        with hp.conditional_scope(name, list(child.when)):
            _declare_tree(hp, space, child.name, skip)


def _declare_one(hp: Any, name: str, param: Any) -> None:
    if isinstance(param, Fixed):
        hp.Fixed(name, param.value)
    elif isinstance(param, Choice):
        hp.Choice(name, list(param.options), default=param.default)
    elif isinstance(param, Boolean):
        hp.Boolean(name, default=param.default)
    elif isinstance(param, Int):
        step = param.step if param.step not in (None, 1) or param.sampling == "linear" else None
        hp.Int(
            name, param.min, param.max, step=step, sampling=param.sampling, default=param.default
        )
    elif isinstance(param, Float):
        hp.Float(
            name,
            param.min,
            param.max,
            step=param.step,
            sampling=param.sampling,
            default=param.default,
        )
    else:  # pragma: no cover - the space validates kinds
        raise TypeError(f"unknown hyperparameter kind {type(param).__name__}")


def to_hyperparameters(space: Space, *, skip: tuple[str, ...] = ()) -> Any:
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    declare(hp, space, skip=skip)
    return hp


def to_config(space: Space, values: dict[str, Any]) -> Config:
    """A full configuration from a trial's values (inactive ones at defaults, `tuner/*` dropped)."""
    own = {k: v for k, v in values.items() if not k.startswith(TUNER_KEYS_PREFIX)}
    return space.canonical({**space.defaults(), **own})
