"""The search space: one hyperparameter per catalogued parameter, validated, saved losslessly.

File form (YAML or JSON), grouped as in `engine.schema.GROUPS`; every part is optional and an
omitted parameter is fixed at its catalogue default:

    training:
      batch_size: [16, 32, 64]          # a list is a Choice (default: first value)
      epochs: 30                        # a scalar is Fixed
    optimizer:
      learning_rate: {min: 0.0001, max: 0.1, sampling: log}   # a range (Int or Float by type)
      name: {values: [adam, sgd], default: sgd}
    early_stopping:
      restore_best_weights: {type: boolean, default: true}
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.errors import InputError, SpaceError
from engine.hyperparameters import Boolean, Choice, Fixed, Float, Hyperparameter, Int
from engine.schema import BY_NAME, BY_PATH, GROUPS, PARAMS, ParamSpec, children, is_active

Config = dict[str, Any]
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_RANGE_KEYS = ("type", "min", "max", "step", "sampling", "default")


@dataclass(frozen=True)
class Space:
    """A validated search space: `params[name]` is the hyperparameter of each catalogued name."""

    params: Mapping[str, Hyperparameter] = field(default_factory=dict)

    def __post_init__(self) -> None:
        full = {p.name: self.params.get(p.name, Fixed(p.default)) for p in PARAMS}
        unknown = set(self.params) - set(full)
        if unknown:
            raise SpaceError(sorted(unknown)[0], "unknown parameter")
        for spec in PARAMS:
            _check(spec, full[spec.name])
        object.__setattr__(self, "params", full)

    # ---- editing -------------------------------------------------------------------------
    def with_param(self, name: str, hp: Hyperparameter) -> Space:
        """A copy with one parameter replaced (validated; raises SpaceError)."""
        return Space({**self.params, name: hp})

    # ---- configurations ------------------------------------------------------------------
    def defaults(self) -> Config:
        return {name: hp.default for name, hp in self.params.items()}

    def tuned(self) -> tuple[str, ...]:
        """Names that take more than one value."""
        return tuple(n for n, hp in self.params.items() if _size(hp) != 1)

    def sample(self, rng: random.Random) -> Config:
        config = {name: hp.sample(rng) for name, hp in self.params.items()}
        return self.canonical(config)

    def canonical(self, config: Config) -> Config:
        """Inactive parameters reset to their defaults, so equal models have equal configs."""
        return {
            n: (v if is_active(n, config) else self.params[n].default) for n, v in config.items()
        }

    # ---- grid ----------------------------------------------------------------------------
    def grid_size(self) -> int | None:
        """Distinct configurations a grid visits (conditions respected), None if continuous."""
        if self.continuous():
            return None
        return math.prod(_tree_count(self, root.name) for root in PARAMS if root.parent is None)

    def continuous(self) -> tuple[str, ...]:
        """Paths of the parameters whose range is continuous (an infinite grid)."""
        return tuple(BY_NAME[n].path for n, hp in self.params.items() if _size(hp) is None)

    def grid(self) -> Iterator[Config]:
        """Every configuration of a finite space, in a stable order."""
        if self.continuous():
            raise SpaceError(self.continuous()[0], "a continuous range has no finite grid")
        trees = [list(_tree_configs(self, p.name)) for p in PARAMS if p.parent is None]
        for parts in itertools.product(*trees):
            config: Config = {}
            for part in parts:
                config.update(part)
            yield {p.name: config[p.name] for p in PARAMS}

    # ---- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for spec in PARAMS:
            out.setdefault(spec.group, {})[spec.key] = _dump(self.params[spec.name])
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Space:
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise SpaceError("", f"a space is a mapping of groups, got {_tname(data)}")
        params: dict[str, Hyperparameter] = {}
        for group, body in data.items():
            if group not in GROUPS:
                raise SpaceError(str(group), "unknown group" + _suggest(group, GROUPS))
            if body is None:
                continue
            if not isinstance(body, Mapping):
                raise SpaceError(group, f"expected a mapping of parameters, got {_tname(body)}")
            keys = [k for (g, k) in BY_PATH if g == group]
            for key, raw in body.items():
                spec = BY_PATH.get((group, key))
                if spec is None:
                    raise SpaceError(f"{group}.{key}", "unknown key" + _suggest(key, keys))
                params[spec.name] = _parse(spec, raw)
        return cls(params)

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.to_dict(), sort_keys=False, default_flow_style=None)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> Space:
        """Read a YAML or JSON space file; every problem is an InputError naming the file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("no such file", source=str(path)) from None
        except UnicodeDecodeError:
            raise InputError("not a UTF-8 text file", source=str(path)) from None
        except (IsADirectoryError, PermissionError) as exc:
            raise InputError(f"cannot read ({type(exc).__name__})", source=str(path)) from None
        try:
            return cls.from_dict(parse_text(text, path.suffix))
        except InputError as exc:
            raise exc.with_source(str(path)) from None

    def save(self, path: str | Path) -> None:
        from engine.atomic import write_text

        path = Path(path)
        write_text(path, self.to_json() if path.suffix == ".json" else self.to_yaml())


def parse_text(text: str, suffix: str) -> Any:
    """YAML (safe loader) or JSON by file suffix, with a one-line error on malformed input."""
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON at line {exc.lineno}: {exc.msg}") from None
        except RecursionError:
            raise InputError("malformed JSON: nested too deeply") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise InputError("malformed YAML: nested too deeply") from None
    except yaml.reader.ReaderError as exc:
        raise InputError(f"not a YAML text: {exc.reason} at position {exc.position}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(f"malformed YAML{where}: {problem}") from None


def default_space() -> Space:
    """The tutorial's space: the values this product grew from."""
    return Space.from_dict(
        {
            "training": {"batch_size": [16, 32, 64], "epochs": 30, "validation_split": 0.2},
            "optimizer": {
                "name": ["adam", "sgd", "adagrad"],
                "learning_rate": [0.01, 0.05, 0.1, 0.3],
                "beta_1": [0.9, 0.89],
                "momentum": 0.0,
            },
            "schedule": {"name": ["constant", "cosine_restarts"], "first_decay_steps": 1000},
            "architecture": {
                "layers": 1,
                "nodes": [16, 32, 64],
                "activation": ["relu", "tanh", "sigmoid"],
                "initializer": ["he_uniform", "glorot_uniform"],
            },
            "regularization": {
                "dropout": [0.0, 0.5],
                "kernel_regularizer": ["none", "l2"],
                "kernel_strength": 0.01,
                "bias_regularizer": ["none", "l2"],
                "bias_strength": 0.001,
                "activity_regularizer": ["none", "l1"],
                "activity_strength": 0.01,
            },
            "early_stopping": {
                "enabled": True,
                "monitor": "val_loss",
                "patience": 10,
                "min_delta": 0.0,
                "restore_best_weights": True,
            },
        }
    )


# ---- grid helpers --------------------------------------------------------------------------
def _size(hp: Hyperparameter) -> int | None:
    return hp.count()


def _tree_count(space: Space, name: str) -> int:
    hp = space.params[name]
    if not children(name):
        return hp.count() or 0
    total = 0
    for value in hp.values() or ():
        count = 1
        for child in children(name):
            if value in child.when:
                count *= _tree_count(space, child.name)
        total += count
    return total


def _tree_configs(space: Space, name: str) -> Iterator[Config]:
    for value in space.params[name].values() or ():
        parts: list[list[Config]] = []
        for child in children(name):
            if value in child.when:
                parts.append(list(_tree_configs(space, child.name)))
            else:
                parts.append([_inactive(space, child.name)])
        for combo in itertools.product(*parts):
            config = {name: value}
            for part in combo:
                config.update(part)
            yield config


def _inactive(space: Space, name: str) -> Config:
    out = {name: space.params[name].default}
    for child in children(name):
        out.update(_inactive(space, child.name))
    return out


# ---- parsing and validation ----------------------------------------------------------------
def _parse(spec: ParamSpec, raw: Any) -> Hyperparameter:
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
        "choice": ("type", "values", "default"),
        "boolean": ("type", "default"),
        "range": _RANGE_KEYS,
        "int": _RANGE_KEYS,
        "float": _RANGE_KEYS,
    }
    if kind not in allowed:
        raise SpaceError(f"{path}.type", f"unknown type {kind!r}" + _suggest(kind, allowed))
    for key in raw:
        if key not in allowed[kind]:
            raise SpaceError(
                f"{path}.{key}", f"unknown key for a {kind}" + _suggest(key, allowed[kind])
            )
    if kind == "fixed":
        if "value" not in raw:
            raise SpaceError(path, "a fixed parameter needs 'value'")
        return Fixed(_value(spec, raw["value"], f"{path}.value"))
    if kind == "choice":
        values = raw.get("values")
        if not isinstance(values, list):
            raise SpaceError(f"{path}.values", f"expected a list, got {_tname(values)}")
        options = tuple(_value(spec, v, f"{path}.values[{i}]") for i, v in enumerate(values))
        default = _value(spec, raw["default"], f"{path}.default") if "default" in raw else None
        return Choice(options, default)
    if kind == "boolean":
        if spec.type is not bool:
            raise SpaceError(path, f"a {spec.type.__name__} parameter cannot be boolean")
        return Boolean(_value(spec, raw.get("default", False), f"{path}.default"))
    return _parse_range(spec, raw, kind)


def _parse_range(spec: ParamSpec, raw: Mapping[str, Any], kind: str) -> Hyperparameter:
    path = spec.path
    cls = {int: Int, float: Float}.get(spec.type)
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
    want = spec.type
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
        raise SpaceError(path, f"expected {_article(want)}, got {_tname(raw)} {raw!r}")
    if spec.names is not None and value not in spec.names:
        raise SpaceError(
            path,
            f"unknown {spec.key if spec.key != 'name' else spec.group} {value!r}"
            + _suggest(value, spec.names, fallback=True),
        )
    if want is float and not math.isfinite(value):
        raise SpaceError(path, f"must be a finite number, got {raw!r}")
    if bounds and spec.bound is not None:
        problem = spec.bound.check(value)
        if problem:
            raise SpaceError(path, f"{problem}, got {value!r}")
    return value


def _check(spec: ParamSpec, hp: Hyperparameter) -> None:
    """Structural checks of one hyperparameter (values were checked while parsing)."""
    path = spec.path
    if isinstance(hp, Choice):
        if not hp.options:
            raise SpaceError(path, "empty choice: give at least one value")
        seen: list[Any] = []
        for i, v in enumerate(hp.options):
            _value(spec, v, f"{path}[{i}]")
            if any(v == s and type(v) is type(s) for s in seen):
                raise SpaceError(f"{path}[{i}]", f"duplicate value {v!r}")
            seen.append(v)
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


def _dump(hp: Hyperparameter) -> Any:
    if isinstance(hp, Fixed):
        return hp.value
    if isinstance(hp, Choice):
        if hp.default_value is None or hp.default_value == hp.options[0]:
            return list(hp.options)
        return {"values": list(hp.options), "default": hp.default_value}
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


def normalise(hp: Hyperparameter) -> Hyperparameter:
    """The form a save/load round trip produces (e.g. a Choice default equal to its first value)."""
    if isinstance(hp, Choice) and hp.default_value == hp.options[0]:
        return replace(hp, default_value=None)
    if isinstance(hp, Int | Float) and hp.default_value == hp.min:
        return replace(hp, default_value=None)
    return hp


def _suggest(word: Any, options: Any, *, fallback: bool = False) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    if fallback:
        return " (expected one of: " + ", ".join(str(o) for o in options) + ")"
    return ""


def _tname(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "text", list: "list",
            dict: "mapping", type(None): "nothing"}.get(type(value), type(value).__name__)  # fmt: skip


def _article(kind: type) -> str:
    return {bool: "true or false", int: "an integer", float: "a number", str: "a name"}[kind]
