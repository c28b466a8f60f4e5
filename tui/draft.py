"""The space being edited: a valid `Space` plus the order its choices' values are shown in.

A value switched off stays in the space among the choice's `disabled` values (saved with the
file and comes back when the file is opened); `order` only keeps it in its place on screen.

Every edit returns a new `Draft` (the undo stack keeps the old ones) and every edit goes through
`Space.with_param`/`Space.from_dict`, so validation lives in one place, the engine; an invalid
edit raises `engine.errors.SpaceError`, whose message the console shows where the edit was made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.face import (
    AUTO_WORKERS,
    CONSOLE_KEYS,
    Boolean,
    Choice,
    Fixed,
    Float,
    Hyperparameter,
    InputError,
    Int,
    RunSettings,
    Space,
    SpaceError,
)

KINDS = ("choice", "range", "fixed")


def parse_token(text: str) -> Any:
    """One value as typed: `16` → 16, `0.1` → 0.1, `true` → True, `relu` → "relu"."""
    import yaml  # on the first value typed: the first paint needs no YAML

    text = text.strip()
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, bool | int | float | str) or value is None else text


def parse_list(text: str) -> list[Any]:
    """Comma-separated values (brackets optional): `16, 32, 64`."""
    text = text.strip().removeprefix("[").removesuffix("]")
    return [parse_token(part) for part in text.split(",") if part.strip()]


def file_settings(settings: RunSettings) -> dict[str, Any]:
    """The console's settings as a space file's `console:` holds them: those that differ from
    a fresh console's, so a file keeps only what the user chose."""
    fresh = RunSettings(workers=AUTO_WORKERS).to_dict()
    now = settings.to_dict()
    return {k: now[k] for k in CONSOLE_KEYS if now[k] != fresh[k]}


def with_file_settings(settings: RunSettings, values: Mapping[str, Any]) -> RunSettings:
    """`settings` with a space file's `console:` values (InputError naming a bad one)."""
    if not values:
        return settings
    try:
        return RunSettings.from_dict({**settings.to_dict(), **values})
    except InputError as exc:
        raise InputError(f"console.{exc}") from None


def kinds_for(space: Space, name: str) -> tuple[str, ...]:
    """Ranges exist only for numbers."""
    return KINDS if space.spec(name).type in (int, float) else ("choice", "fixed")


def kind_of(hp: Hyperparameter) -> str:
    if isinstance(hp, Choice | Boolean):
        return "choice"
    if isinstance(hp, Int | Float):
        return "range"
    return "fixed"


@dataclass(frozen=True)
class Draft:
    """A space and, per choice parameter with values switched off, its full value order."""

    space: Space
    order: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.order:  # a space as opened: its disabled values follow the ones switched on
            order = {
                name: (*hp.options, *hp.disabled)
                for name, hp in self.space.params.items()
                if isinstance(hp, Choice) and hp.disabled
            }
            object.__setattr__(self, "order", order)

    def values(self, name: str) -> list[tuple[Any, bool]]:
        """The values shown under a parameter, each with whether it is on."""
        hp = self.space.params[name]
        if not isinstance(hp, Choice | Boolean):
            return []
        enabled = hp.values()
        return [(v, _has(enabled, v)) for v in self.order.get(name, enabled)]

    def set(self, name: str, hp: Hyperparameter) -> Draft:
        """Replace a parameter; switched-off values survive as long as it stays a choice."""
        space = self.space.with_param(name, hp)
        order = dict(self.order)
        old = order.pop(name, None)
        if old is not None and isinstance(hp, Choice):
            kept = [v for v in old if not _has(hp.options, v) and not _has(self._on(name), v)]
            if kept:
                order[name] = (*hp.options, *kept)
                space = space.with_param(name, _choice(hp.options, hp.default_value, order[name]))
        return Draft(space, order)

    def toggle(self, name: str, value: Any) -> Draft:
        """Switch a value off (kept in the editor, left out of the space) or back on."""
        hp = self.space.params[name]
        full = self.order.get(name, self._on(name))
        on = self._on(name)
        if _has(on, value):
            options = tuple(v for v in on if not _same(v, value))
            if not options:
                raise SpaceError(self.space.spec(name).path, "cannot switch off the last value")
        else:
            options = tuple(v for v in full if _has(on, v) or _same(v, value))
        default = getattr(hp, "default_value", None)
        default = default if _has(options, default) else None
        space = self.space.with_param(name, _choice(options, default, full))
        order = dict(self.order)
        if len(options) == len(full):
            order.pop(name, None)
        else:
            order[name] = tuple(full)
        return Draft(space, order)

    def remove(self, name: str, value: Any) -> Draft:
        """Delete a value for good (on or off)."""
        full = tuple(v for v in self.order.get(name, self._on(name)) if not _same(v, value))
        on = tuple(v for v in self._on(name) if not _same(v, value))
        if not on:
            raise SpaceError(self.space.spec(name).path, "cannot remove the last value")
        hp = self.space.params[name]
        default = getattr(hp, "default_value", None)
        default = default if _has(on, default) else None
        space = self.space.with_param(name, _choice(on, default, full))
        order = {k: v for k, v in self.order.items() if k != name}
        if len(full) != len(on):
            order[name] = full
        return Draft(space, order)

    def add(self, name: str, text: str) -> Draft:
        """Add a typed value; a fixed parameter becomes a choice of its value and the new one."""
        hp = self.space.params[name]
        if isinstance(hp, Int | Float):
            raise SpaceError(
                self.space.spec(name).path, "a range has no values to add: edit it (enter)"
            )
        if not text.strip():
            raise SpaceError(self.space.spec(name).path, "type a value to add")
        full = list(self.order.get(name, self._on(name)))
        parsed = self.space.parse_value(name, [*full, parse_token(text)])  # type, bounds, twins
        assert isinstance(parsed, Choice)
        new = parsed.options[-1]
        space = self.space.with_param(name, _choice((*self._on(name), new), _default(hp), full))
        order = dict(self.order)
        if name in order:
            order[name] = (*full, new)
        return Draft(space, order)

    def layer_inserted(self, after: int) -> Draft:
        """A hidden layer with the shared settings after layer `after` (values switched off stay
        in the file, in their file order)."""
        return Draft(self.space.layer_inserted(after))

    def layer_removed(self, layer: int) -> Draft:
        return Draft(self.space.layer_removed(layer))

    def with_source(self, **changes: Any) -> Draft:
        """The model, data, task or objective changed (values switched off stay)."""
        return Draft(self.space.with_source(**changes), self.order)

    def _on(self, name: str) -> tuple[Any, ...]:
        return tuple(self.space.params[name].values() or ())


def _choice(options: tuple[Any, ...], default: Any, full: tuple[Any, ...] | list[Any]) -> Choice:
    """A choice of `options` that keeps the rest of `full` switched off."""
    return Choice(tuple(options), default, tuple(v for v in full if not _has(options, v)))


def _default(hp: Hyperparameter) -> Any:
    if isinstance(hp, Fixed):
        return None
    return getattr(hp, "default_value", None)


def _same(a: Any, b: Any) -> bool:
    return a == b and type(a) is type(b)


def _has(values: tuple[Any, ...] | list[Any], value: Any) -> bool:
    return any(_same(v, value) for v in values)
