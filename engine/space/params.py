"""Reading, checking and writing one hyperparameter of a space file.

Every check names the path of the bad node (`optimizer.learning_rate[1]`) so a user can find
it; the `Space` calls these for each catalogued parameter.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from typing import Any

from engine.errors import SpaceError
from engine.space.hyperparameters import Boolean, Choice, Fixed, Float, Hyperparameter, Int
from engine.space.schema import ParamSpec

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_RANGE_KEYS = ("type", "min", "max", "step", "sampling", "default")


def parse_param(spec: ParamSpec, raw: Any) -> Hyperparameter:
    path = spec.path
    if isinstance(raw, list):
        return Choice(tuple(_value(spec, v, f"{path}[{i}]") for i, v in enumerate(raw)))
    if not isinstance(raw, Mapping):
        return Fixed(_value(spec, raw, path))
    kind = raw.get("type")
    if kind is None:
        kind = "choice" if "values" in raw else "fixed" if "value" in raw else "range"
    allowed = {
        "fixed": ("type", "value"),
        "choice": ("type", "values", "default", "disabled"),
        "boolean": ("type", "default"),
        "range": _RANGE_KEYS,
        "int": _RANGE_KEYS,
        "float": _RANGE_KEYS,
    }
    if kind not in allowed:
        raise SpaceError(f"{path}.type", f"unknown type {kind!r}" + suggest(kind, allowed))
    for key in raw:
        if key not in allowed[kind]:
            raise SpaceError(
                f"{path}.{key}", f"unknown key for a {kind}" + suggest(key, allowed[kind])
            )
    if kind == "fixed":
        if "value" not in raw:
            raise SpaceError(path, "a fixed parameter needs 'value'")
        return Fixed(_value(spec, raw["value"], f"{path}.value"))
    if kind == "choice":
        values = raw.get("values")
        if not isinstance(values, list):
            raise SpaceError(f"{path}.values", f"expected a list, got {type_name(values)}")
        options = tuple(_value(spec, v, f"{path}.values[{i}]") for i, v in enumerate(values))
        default = _value(spec, raw["default"], f"{path}.default") if "default" in raw else None
        listed = raw.get("disabled", [])
        if not isinstance(listed, list):
            raise SpaceError(f"{path}.disabled", f"expected a list, got {type_name(listed)}")
        disabled = tuple(_value(spec, v, f"{path}.disabled[{i}]") for i, v in enumerate(listed))
        return Choice(options, default, disabled)
    if kind == "boolean":
        if spec.type is not bool:
            raise SpaceError(path, f"a {spec.type.__name__} parameter cannot be boolean")
        return Boolean(_value(spec, raw.get("default", False), f"{path}.default"))
    return _parse_range(spec, raw, kind)


def _parse_range(spec: ParamSpec, raw: Mapping[str, Any], kind: str) -> Hyperparameter:
    path = spec.path
    cls = Int if spec.type is int else Float if spec.type is float else None
    if cls is None:
        raise SpaceError(
            path, f"a {spec.type.__name__} parameter takes a list or a value, not a range"
        )
    if kind in ("int", "float") and {"int": Int, "float": Float}[kind] is not cls:
        raise SpaceError(
            f"{path}.type", f"{spec.key} is a {spec.type.__name__} parameter, not {kind}"
        )
    for key in ("min", "max"):
        if key not in raw:
            raise SpaceError(path, f"a range needs '{key}'")
    low = _value(spec, raw["min"], f"{path}.min")
    high = _value(spec, raw["max"], f"{path}.max")
    sampling = raw.get("sampling", "linear")
    if sampling not in ("linear", "log"):
        raise SpaceError(f"{path}.sampling", f"must be linear or log, got {sampling!r}")
    default_step = 1 if cls is Int and sampling == "linear" else None
    step = raw.get("step", default_step)
    if step is not None:
        step = _value(spec, step, f"{path}.step", bounds=False)
    default = _value(spec, raw["default"], f"{path}.default") if "default" in raw else None
    return cls(low, high, step, sampling, default)


def _value(spec: ParamSpec, raw: Any, path: str, *, bounds: bool = True) -> Any:
    """Coerce and check one value of `spec`'s type."""
    want: Any = spec.type  # a type known only at run time: no narrowing to `object`
    value = raw
    if want is float and isinstance(raw, str) and _NUMBER.match(raw.strip()):
        value = float(raw)
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if want is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if want is str and value is None and spec.names and "none" in spec.names:
        value = "none"
    if not isinstance(value, want) or (want is not bool and isinstance(value, bool)):
        raise SpaceError(path, f"expected {_article(want)}, got {type_name(raw)} {brief(raw)}")
    if spec.names is not None and value not in spec.names:
        raise SpaceError(
            path,
            f"unknown {spec.key if spec.key != 'name' else spec.group} {brief(value)}"
            + suggest(value, spec.names, fallback=True),
        )
    if want is float and not math.isfinite(value):
        raise SpaceError(path, f"must be a finite number, got {raw!r}")
    if bounds and spec.bound is not None:
        problem = spec.bound.check(value)
        if problem:
            raise SpaceError(path, f"{problem}, got {value!r}")
    return value


def check_param(spec: ParamSpec, hp: Hyperparameter) -> None:
    """Structural checks of one hyperparameter (values were checked while parsing)."""
    path = spec.path
    if isinstance(hp, Choice):
        if not hp.options:
            raise SpaceError(path, "empty choice: give at least one value")
        seen: set[tuple[type, Any]] = set()  # (type, value): 1 and True and 1.0 differ
        for where, values in (("", hp.options), (".disabled", hp.disabled)):
            for i, v in enumerate(values):
                _value(spec, v, f"{path}{where}[{i}]")
                if (type(v), v) in seen:
                    raise SpaceError(f"{path}{where}[{i}]", f"duplicate value {brief(v)}")
                seen.add((type(v), v))
        if hp.default_value is not None and hp.default_value not in hp.options:
            raise SpaceError(f"{path}.default", f"{hp.default_value!r} is not one of the values")
    elif isinstance(hp, Fixed):
        _value(spec, hp.value, path)
    elif isinstance(hp, Boolean):
        if spec.type is not bool:
            raise SpaceError(path, f"a {spec.type.__name__} parameter cannot be boolean")
    else:
        _check_range(spec, hp)


def _check_range(spec: ParamSpec, hp: Int | Float) -> None:
    path = spec.path
    if spec.type is not {Int: int, Float: float}[type(hp)]:
        raise SpaceError(path, f"{spec.key} is a {spec.type.__name__} parameter")
    _value(spec, hp.min, f"{path}.min")
    _value(spec, hp.max, f"{path}.max")
    if hp.min > hp.max:
        raise SpaceError(path, f"min {hp.min} is greater than max {hp.max}")
    if hp.sampling == "log" and hp.min <= 0:
        raise SpaceError(f"{path}.min", f"log sampling needs min > 0, got {hp.min}")
    if hp.step is not None:
        if hp.step <= 0:
            raise SpaceError(f"{path}.step", f"must be > 0, got {hp.step}")
        if hp.sampling == "log" and hp.step <= 1:
            raise SpaceError(
                f"{path}.step", f"with log sampling step is a factor > 1, got {hp.step}"
            )
    if hp.default_value is not None:
        _value(spec, hp.default_value, f"{path}.default")
        if not hp.min <= hp.default_value <= hp.max:
            raise SpaceError(f"{path}.default", f"{hp.default_value} is outside {hp.min}..{hp.max}")


def dump_param(hp: Hyperparameter) -> Any:
    if isinstance(hp, Fixed):
        return hp.value
    if isinstance(hp, Choice):
        choice: dict[str, Any] = {"values": list(hp.options)}
        if hp.default_value is not None and hp.default_value != hp.options[0]:
            choice["default"] = hp.default_value
        if hp.disabled:
            choice["disabled"] = list(hp.disabled)
        return choice if len(choice) > 1 else list(hp.options)
    if isinstance(hp, Boolean):
        return {"type": "boolean", "default": hp.default_value}
    out: dict[str, Any] = {"min": hp.min, "max": hp.max}
    default_step = 1 if isinstance(hp, Int) and hp.sampling == "linear" else None
    if hp.step != default_step:
        out["step"] = hp.step
    if hp.sampling != "linear":
        out["sampling"] = hp.sampling
    if hp.default_value is not None and hp.default_value != hp.min:
        out["default"] = hp.default_value
    return out


def suggest(word: Any, options: Any, *, fallback: bool = False) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    if fallback:
        return " (expected one of: " + ", ".join(str(o) for o in options) + ")"
    return ""


def type_name(value: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "text",
        list: "list",
        dict: "mapping",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _article(kind: type) -> str:
    return {bool: "true or false", int: "an integer", float: "a number", str: "a name"}[kind]


def brief(value: Any) -> str:
    """A value as an error message shows it: short, however large (an alias bomb's expansion
    is never rendered), and on one line."""
    import reprlib

    shown = reprlib.Repr()
    shown.maxlevel, shown.maxlist, shown.maxdict, shown.maxstring = 2, 4, 4, 40
    return " ".join(shown.repr(value).split())
