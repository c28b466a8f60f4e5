"""The `params` group: a user model's own hyperparameters, any identifier names.

They take the catalogue's syntax (a list is a choice, a scalar is fixed, a mapping with
`min`/`max` is a range); their type is read from the values, since no catalogue knows them.
A mapping may add `when: {parent: [values]}`: the parameter then matters only while another
parameter of the group takes one of those values (Keras Tuner's `conditional_scope`).
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from typing import Any

from engine.errors import SpaceError
from engine.space.hyperparameters import Hyperparameter
from engine.space.params import parse_param, type_name
from engine.space.schema import BY_NAME, ParamSpec

GROUP = "params"
HELP = "a parameter of your model"
RESERVED = ("input_shape", "n_outputs", "task")  # keyword arguments the build function may take
WHEN = "when"


def parse_user_params(
    body: Any, builtin: Mapping[str, ParamSpec] = BY_NAME
) -> tuple[tuple[ParamSpec, ...], dict[str, Hyperparameter]]:
    """(specs, hyperparameters) of a `params` mapping; errors name `params.<name>`. A name may
    not be one of the `builtin` parameters the space also has."""
    if body is None:
        return (), {}
    if not isinstance(body, Mapping):
        raise SpaceError(GROUP, f"expected a mapping of parameters, got {type_name(body)}")
    specs: list[ParamSpec] = []
    hps: dict[str, Hyperparameter] = {}
    conditions: dict[str, Any] = {}
    for name, raw in body.items():
        path = f"{GROUP}.{name}"
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise SpaceError(path, "a parameter name must be a Python identifier")
        if name in builtin:
            raise SpaceError(
                path, f"clashes with the built-in parameter {builtin[name].path}; rename it"
            )
        if name in RESERVED:
            raise SpaceError(path, f"{name} is passed to the build function by tunedeck; rename it")
        if isinstance(raw, Mapping) and WHEN in raw:
            conditions[name] = raw[WHEN]
            raw = _without_when(raw)
        probe = user_spec(name, _value_type(raw, path), None)
        hp = parse_param(probe, raw)
        specs.append(user_spec(name, probe.type, hp.default))
        hps[name] = hp
    for i, spec in enumerate(specs):
        if spec.name in conditions:
            path = f"{GROUP}.{spec.name}.{WHEN}"
            parent, when = _condition(conditions[spec.name], hps, path)
            specs[i] = user_spec(spec.name, spec.type, spec.default, parent, when)
    _check_no_cycle(specs)
    return tuple(specs), hps


def user_spec(
    name: str, kind: type, default: Any, parent: str | None = None, when: tuple[Any, ...] = ()
) -> ParamSpec:
    return ParamSpec(name, GROUP, name, kind, default, HELP, parent=parent, when=when)


def with_when(dumped: Any, parent: str | None, when: tuple[Any, ...]) -> Any:
    """A parameter's file form with its condition (`when:`), if it has one."""
    if parent is None:
        return dumped
    if isinstance(dumped, list):
        dumped = {"values": dumped}
    elif not isinstance(dumped, Mapping):
        dumped = {"value": dumped}
    return {**dumped, WHEN: {parent: list(when)}}


def _without_when(raw: Mapping[str, Any]) -> Any:
    """The rest of a conditional parameter's mapping, in the usual syntax."""
    rest = {k: v for k, v in raw.items() if k != WHEN}
    if set(rest) == {"value"}:
        return rest["value"]
    return rest


def _condition(
    raw: Any, hps: Mapping[str, Hyperparameter], path: str
) -> tuple[str, tuple[Any, ...]]:
    """(parent, values) of `when: {parent: [values]}`: the parameter matters only while the
    parent takes one of them (values the parent no longer offers simply never occur)."""
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise SpaceError(path, "expected one parent and its values, e.g. {model_type: [cnn]}")
    ((parent, values),) = raw.items()
    if parent not in hps:
        raise SpaceError(path, f"{parent!r} is not a parameter in params")
    values = values if isinstance(values, list) else [values]
    if not values:
        raise SpaceError(f"{path}.{parent}", "give at least one value of the parent")
    return parent, tuple(values)


def _check_no_cycle(specs: list[ParamSpec]) -> None:
    parents = {s.name: s.parent for s in specs}
    for spec in specs:
        seen, name = {spec.name}, spec.parent
        while name is not None:
            if name in seen:
                raise SpaceError(f"{GROUP}.{spec.name}.{WHEN}", "conditions go round in a circle")
            seen.add(name)
            name = parents.get(name)


def _value_type(raw: Any, path: str) -> type:
    """The type a parameter's values share: bool, int, float (ints and floats mixed) or str."""
    if isinstance(raw, Mapping):
        kind = raw.get("type")
        if kind in ("int", "float", "boolean"):
            return {"int": int, "float": float, "boolean": bool}[kind]
        if "values" in raw:
            return _value_type(raw["values"], f"{path}.values")
        if "value" in raw:
            return _value_type(raw["value"], f"{path}.value")
        bounds = [raw[k] for k in ("min", "max", "step") if raw.get(k) is not None]
        if not bounds:
            raise SpaceError(path, "a range needs 'min' and 'max'")
        return shared_type(bounds, path)
    return shared_type(raw if isinstance(raw, list) else [raw], path)


def shared_type(values: list[Any], path: str) -> type:
    """The type values share: bool, int, str, or float for ints and floats mixed."""
    kinds = {type(v) for v in values}
    if not values:
        raise SpaceError(path, "empty choice: give at least one value")
    if kinds <= {bool} or kinds <= {int} or kinds <= {str}:
        return kinds.pop()
    if kinds <= {int, float}:
        return float
    names = ", ".join(sorted({type_name(v) for v in values}))
    raise SpaceError(path, f"values must share one type (numbers, text or true/false), got {names}")
