"""The five kinds of hyperparameter, in Keras Tuner's vocabulary, as frozen values.

They hold no knowledge of what they parameterise: the catalogue (`engine.space.schema`) says which
kinds and values each named parameter accepts, and the backends translate them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Literal

Sampling = Literal["linear", "log"]


@dataclass(frozen=True)
class Fixed:
    """One value, never searched."""

    value: Any

    @property
    def default(self) -> Any:
        return self.value

    def values(self) -> tuple[Any, ...]:
        return (self.value,)

    def count(self) -> int:
        return 1

    def sample(self, rng: random.Random) -> Any:
        return self.value


@dataclass(frozen=True)
class Choice:
    """A finite, ordered set of values; the default is the first unless given.

    `disabled` holds values switched off in the console: kept in the file so that they can be
    switched on again, never searched.
    """

    options: tuple[Any, ...]
    default_value: Any = None
    disabled: tuple[Any, ...] = ()

    @property
    def default(self) -> Any:
        return self.options[0] if self.default_value is None else self.default_value

    def values(self) -> tuple[Any, ...]:
        return self.options

    def count(self) -> int:
        return len(self.options)

    def sample(self, rng: random.Random) -> Any:
        return rng.choice(self.options)


@dataclass(frozen=True)
class Boolean:
    """True or False."""

    default_value: bool = False

    @property
    def default(self) -> bool:
        return self.default_value

    def values(self) -> tuple[Any, ...]:
        return (False, True)

    def count(self) -> int:
        return 2

    def sample(self, rng: random.Random) -> bool:
        return rng.random() < 0.5


@dataclass(frozen=True)
class _Range:
    min: float
    max: float
    step: float | None = None
    sampling: Sampling = "linear"
    default_value: Any = None

    @property
    def default(self) -> Any:
        return self.min if self.default_value is None else self.default_value

    def count(self) -> int | None:
        """How many grid values, by arithmetic (a range may hold millions), None if continuous."""
        if self.step is None:
            return None
        if self.sampling == "log":
            return int(math.floor(math.log(self.max / self.min) / math.log(self.step) + 1e-9)) + 1
        return int(math.floor((self.max - self.min) / self.step + 1e-9)) + 1

    def value_at(self, index: int) -> Any:
        assert self.step is not None, "only a range with a step has grid values"
        if self.sampling == "log":
            return self._cast(self.min * self.step**index)
        return self._cast(self.min + index * self.step)

    def values(self) -> tuple[Any, ...] | None:
        """Every grid value, or None when the range is continuous."""
        count = self.count()
        return None if count is None else tuple(self.value_at(i) for i in range(count))

    def _cast(self, value: float) -> Any:
        return value

    def sample(self, rng: random.Random) -> Any:
        count = self.count()
        if count is not None and (self.sampling == "linear" or count < 2):
            return self.value_at(rng.randrange(count))
        if self.sampling == "log":
            value = math.exp(rng.uniform(math.log(self.min), math.log(self.max)))
            if count is not None and self.step is not None:  # the nearest log-scale grid point
                index = round(math.log(value / self.min) / math.log(self.step))
                return self.value_at(min(max(index, 0), count - 1))
            return self._cast(value)
        return self._cast(rng.uniform(self.min, self.max))


@dataclass(frozen=True)
class Int(_Range):
    """Integers from min to max; `step` is additive (linear) or a factor (log)."""

    min: int = 0
    max: int = 0
    step: int | None = 1

    def _cast(self, value: float) -> int:
        return int(round(value))


@dataclass(frozen=True)
class Float(_Range):
    """Reals from min to max: continuous unless `step` is given (additive, or a factor for log)."""

    min: float = 0.0
    max: float = 0.0

    def _cast(self, value: float) -> float:
        return round(float(value), 12)


Hyperparameter = Fixed | Choice | Boolean | Int | Float

KIND_NAMES: dict[type, str] = {
    Fixed: "fixed",
    Choice: "choice",
    Boolean: "boolean",
    Int: "int",
    Float: "float",
}


def grid_values(hp: Hyperparameter) -> tuple[Any, ...] | None:
    """The values a grid search visits, or None for a continuous range."""
    return hp.values()


def describe(hp: Hyperparameter) -> str:
    """A short human form: `[16, 32, 64]`, `0.001..0.1 log`, `= 30`."""
    if isinstance(hp, Fixed):
        return f"= {_fmt(hp.value)}"
    if isinstance(hp, Choice):
        return "[" + ", ".join(_fmt(v) for v in hp.options) + "]"
    if isinstance(hp, Boolean):
        return "true | false"
    step = "" if hp.step is None or (isinstance(hp, Int) and hp.step == 1) else f" step {hp.step}"
    log = " log" if hp.sampling == "log" else ""
    return f"{_fmt(hp.min)}..{_fmt(hp.max)}{step}{log}"


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    return str(value)
