"""Whether a configuration lies in a space: the trials a changed space can still learn from,
and a hand-written configuration checked before it is queued (`tunedeck enqueue`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from engine.errors import SpaceError
from engine.space.hyperparameters import Boolean, Choice, Fixed, Hyperparameter, describe
from engine.space.params import suggest
from engine.space.schema import BY_PATH
from engine.space.search_space import Config, Space


def misfit(hp: Hyperparameter, value: Any) -> str | None:
    """Why `value` is not a value of `hp` (None: it is one)."""
    if isinstance(hp, Fixed):
        return None if _same(value, hp.value) else f"is fixed at {describe(hp)[2:]} in this space"
    if isinstance(hp, Choice):
        if any(_same(value, option) for option in hp.options):
            return None
        return f"{_text(value)} is not one of {describe(hp)}"
    if isinstance(hp, Boolean):
        return None if isinstance(value, bool) else f"expected true or false, got {_text(value)}"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"expected a number in {describe(hp)}, got {_text(value)}"
    if isinstance(hp.min, int) and isinstance(hp.max, int) and not float(value).is_integer():
        return f"expected an integer in {describe(hp)}, got {_text(value)}"
    if not hp.min <= value <= hp.max:
        return f"{_text(value)} is outside {describe(hp)}"
    return None


def outside(space: Space, config: Config) -> str | None:
    """Why a trial's configuration is not in `space` (its first active parameter that does not
    fit, or one it lacks), or None when the space could have drawn it."""
    for name, hp in space.params.items():
        if name not in config:
            if hp.count() == 1:
                continue  # a fixed parameter added since: the trial ran at its value or none
            return f"{name} was not set"
        if space.is_active(name, config):
            why = misfit(hp, config[name])
            if why is not None:
                return f"{name}: {why}"
    return None


def configuration(space: Space, data: Any) -> Config:
    """A hand-written configuration read against `space`: a mapping of parameter names (or
    the space file's groups, or best.yaml's `hyperparameters:`) to values; parameters it leaves
    out take the space's defaults. Raises SpaceError naming the first bad field."""
    if isinstance(data, Mapping) and isinstance(data.get("hyperparameters"), Mapping):
        data = data["hyperparameters"]
    if not isinstance(data, Mapping) or not data:
        raise SpaceError("", "expected a mapping of parameter names to values")
    given: dict[str, Any] = {}
    for key, value in data.items():
        if key in space.params:
            given[key] = value
        elif isinstance(value, Mapping) and any((key, k) in BY_PATH for k in value):
            for inner, raw in value.items():
                spec = BY_PATH.get((key, inner))
                if spec is None or spec.name not in space.params:
                    raise SpaceError(f"{key}.{inner}", "not a parameter of this run's space")
                given[spec.name] = raw
        else:
            raise SpaceError(
                str(key),
                "not a parameter of this run's space" + suggest(str(key), list(space.params)),
            )
    config = {**space.defaults(), **given}
    for name in given:
        if space.is_active(name, config):
            why = misfit(space.params[name], given[name])
            if why is not None:
                raise SpaceError(name, why)
    return space.canonical(config)


def _same(a: Any, b: Any) -> bool:
    """Equal as a space's values are: 32 is 32.0, but true is not 1."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _text(value: Any) -> str:
    """A value as a YAML file spells it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)
