"""Parameters a build function declares in Keras Tuner's vocabulary, merged into a space.

The input is Keras Tuner's own serialised form (`HyperParameters.get_config()["space"]`:
entries `{"class_name": "Int", "config": {...}}`), so this module imports nothing of Keras
Tuner. What the space file says overrides what the function declares; the names of the
catalogue's training, optimizer, schedule and early-stopping parameters land in those groups,
every other name in `params` (a `conditional_scope` becomes `when:`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import SpaceError
from engine.space.hyperparameters import Fixed
from engine.space.search_space import Space
from engine.space.user_params import GROUP, WHEN, with_when

KINDS = ("Int", "Float", "Choice", "Boolean", "Fixed")


@dataclass(frozen=True)
class Declared:
    """One declared parameter: its name, its space-file form and its condition."""

    name: str
    kind: str  # Keras Tuner's class name
    raw: Any  # the space-file form, without the condition
    parent: str | None = None
    when: tuple[Any, ...] = ()

    @property
    def file_form(self) -> Any:
        return with_when(self.raw, self.parent, self.when)


def from_keras_tuner(entry: Mapping[str, Any]) -> Declared:
    """One entry of `HyperParameters.get_config()["space"]`; SpaceError names `params.<name>`."""
    kind, config = entry.get("class_name"), entry.get("config") or {}
    name = str(config.get("name"))
    if kind not in KINDS:
        raise SpaceError(f"{GROUP}.{name}", f"{kind} has no equivalent in a tunedeck space")
    conditions = config.get("conditions") or []
    parent, when = None, ()
    if conditions:  # nested scopes: the innermost names the parent
        last = conditions[-1].get("config", {})
        parent, when = str(last.get("name")), tuple(last.get("values") or ())
    return Declared(name, kind, _file_form(name, kind, config), parent, when)


def _file_form(name: str, kind: str, config: Mapping[str, Any]) -> Any:
    default = config.get("default")
    if kind == "Fixed":
        return config.get("value")
    if kind == "Boolean":
        return {"type": "boolean", "default": bool(default)}
    if kind == "Choice":
        values = list(config.get("values") or [])
        if default is None or not values or default == values[0]:
            return values
        return {"values": values, "default": default}
    sampling = config.get("sampling") or "linear"
    if sampling not in ("linear", "log"):
        raise SpaceError(
            f"{GROUP}.{name}", f"{sampling} sampling has no equivalent (use linear or log)"
        )
    raw: dict[str, Any] = {
        "type": kind.lower(),
        "min": config["min_value"],
        "max": config["max_value"],
    }
    step = config.get("step")
    if step is not None and not (kind == "Int" and sampling == "linear" and step == 1):
        raw["step"] = step
    if sampling == "log":
        raw["sampling"] = "log"
    if default is not None and default != config["min_value"]:
        raw["default"] = default
    return raw


def merge(space: Space, declared: Sequence[Declared]) -> Space:
    """`space` with the declared parameters added; its own entries win (a declared condition
    stays with an overridden parameter). A catalogue parameter takes the declaration only
    while the space leaves it at its default."""
    data = space.to_dict()
    own = dict(data.get(GROUP) or {})
    builtin = {p.name: p for p in space.specs if p.group != GROUP}
    params: dict[str, Any] = {}
    for item in declared:
        spec = builtin.get(item.name)
        if spec is not None:
            if space.params[item.name] == Fixed(spec.default):
                data.setdefault(spec.group, {})[spec.key] = item.raw
            continue
        raw = own.pop(item.name, None)
        if raw is None:
            raw = item.file_form
        elif item.parent is not None and not (isinstance(raw, Mapping) and WHEN in raw):
            raw = with_when(raw, item.parent, item.when)
        params[item.name] = raw
    params.update(own)
    data[GROUP] = params
    return Space.from_dict(data, space.base_dir)
