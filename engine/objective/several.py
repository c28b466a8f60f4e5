"""Several objectives at once, and constraints a trial must meet to count.

`objective:` in a space file may be one metric or a list (`[val_accuracy:max, params:min]`);
`constraints:` is a list such as `[params <= 200000, latency_ms <= 5]`. Both are held by one
`Objectives` value whose first objective is the primary one: with a single objective and no
constraint every ranking is exactly the single-objective one. Two quantities are measured by
tunedeck itself, only when an objective or a constraint names them (`MEASURED`): the model's
parameter count and its inference latency (`engine.model.measure`). Pure Python, no numpy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import InputError
from engine.objective.metric import Objective

PARAMS, LATENCY = "params", "latency_ms"
MEASURED = (PARAMS, LATENCY)  # measured by tunedeck on each trial's model, not by Keras
OPERATORS = ("<=", ">=", "<", ">")
_CONSTRAINT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([-+0-9.eE_,]+)\s*")


@dataclass(frozen=True)
class Constraint:
    """`metric op bound`, e.g. `params <= 200000`: a trial whose value breaks it is infeasible."""

    metric: str
    op: str
    bound: float

    @classmethod
    def parse(cls, raw: Any, field: str = "constraints") -> Constraint:
        match = _CONSTRAINT.fullmatch(raw) if isinstance(raw, str) else None
        if match is None:
            raise InputError(
                f"{field}: expected METRIC <= NUMBER (or >=, <, >), e.g. "
                f"params <= 200000, got {raw!r}"
            )
        try:
            bound = float(match.group(3).replace("_", "").replace(",", ""))
        except ValueError:
            raise InputError(f"{field}: {match.group(3)!r} is not a number") from None
        return cls(match.group(1), match.group(2), bound)

    def holds(self, value: float | None) -> bool:
        """A missing or non-finite value breaks it: nothing is known to meet the bound."""
        if value is None or not math.isfinite(value):
            return False
        return {
            "<=": value <= self.bound,
            ">=": value >= self.bound,
            "<": value < self.bound,
            ">": value > self.bound,
        }[self.op]

    def broken_by(self, value: float | None) -> str:
        """Why a value breaks it, for the journal and the table: `params <= 200000 (params = 312,410)`."""
        shown = "none" if value is None else _number(value)
        return f"{self} ({self.metric} = {shown})"

    def spec(self) -> str:
        """As the journal keeps it (parsed back exactly): `params <= 200000`."""
        return f"{self.metric} {self.op} {self.bound:.15g}"

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {_number(self.bound)}"


@dataclass(frozen=True)
class Objectives:
    """What a search optimises: one objective or several (the first is the primary one), and
    the constraints a trial must meet."""

    items: tuple[Objective, ...]
    constraints: tuple[Constraint, ...] = ()

    @classmethod
    def of(
        cls,
        primary: Objective,
        more: Iterable[Objective] = (),
        constraints: Iterable[Constraint] = (),
    ) -> Objectives:
        return cls((primary, *more), tuple(constraints))

    @property
    def primary(self) -> Objective:
        return self.items[0]

    @property
    def multi(self) -> bool:
        return len(self.items) > 1

    @property
    def plain(self) -> bool:
        """One objective, no constraint: everything behaves as a single-objective search."""
        return not self.multi and not self.constraints

    @property
    def extra_metrics(self) -> tuple[str, ...]:
        """What each trial must report besides its score: the other objectives' metrics and
        the constrained ones, in order, once each."""
        names = [o.metric for o in self.items[1:]] + [c.metric for c in self.constraints]
        return tuple(dict.fromkeys(n for n in names if n != self.primary.metric))

    @property
    def measured(self) -> tuple[str, ...]:
        """The quantities tunedeck measures itself for these objectives (params, latency_ms)."""
        named = {o.metric for o in self.items} | {c.metric for c in self.constraints}
        return tuple(m for m in MEASURED if m in named)

    @property
    def keras_metrics(self) -> tuple[str, ...]:
        """The metrics besides the primary that the model itself must report."""
        return tuple(m for m in self.extra_metrics if m not in MEASURED)

    def values_of(
        self, score: float | None, values: Mapping[str, float | None]
    ) -> dict[str, float | None]:
        """Every named metric's value: the primary's is the score."""
        return {self.primary.metric: score, **{m: values.get(m) for m in self.extra_metrics}}

    def vector(self, score: float | None, values: Mapping[str, float | None]) -> list[float] | None:
        """The objectives as values to minimise (maximised ones negated), None when one is missing."""
        named = self.values_of(score, values)
        out: list[float] = []
        for objective in self.items:
            value = named.get(objective.metric)
            if value is None or not math.isfinite(value):
                return None
            out.append(objective.rank_key(value))
        return out

    def infeasible(self, score: float | None, values: Mapping[str, float | None]) -> str | None:
        """The first constraint the values break, as a line; None when all hold."""
        named = self.values_of(score, values)
        for constraint in self.constraints:
            value = named.get(constraint.metric)
            if not constraint.holds(value):
                return constraint.broken_by(value)
        return None

    def to_list(self) -> list[dict[str, str]]:
        return [o.to_dict() for o in self.items]

    def __str__(self) -> str:
        return ", ".join(str(o) for o in self.items)


def parse_objectives(raw: Any, field: str = "objective") -> list[Objective]:
    """One objective, a list of them, or a comma-separated string (`--objective a,b:min`)."""
    if isinstance(raw, str) and "," in raw:
        raw = [part.strip() for part in raw.split(",")]
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        if not raw:
            raise InputError(f"{field}: an empty list; name at least one metric")
        items = [Objective.parse(item, f"{field}[{i}]") for i, item in enumerate(raw)]
        _model_metric_first(items[0], f"{field}[0]")
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.metric in seen:
                raise InputError(f"{field}[{i}]: {item.metric} is named twice")
            seen.add(item.metric)
        return items
    return [_model_metric_first(Objective.parse(raw, field), field)]


def _model_metric_first(objective: Objective, field: str) -> Objective:
    """The primary objective is the trial's score, which the model itself reports."""
    if objective.metric in MEASURED:
        raise InputError(
            f"{field}: {objective.metric} is measured by tunedeck, not reported "
            f"by the model; name a model metric first, e.g. "
            f"[val_accuracy, {objective.metric}:min]"
        )
    return objective


def parse_constraints(raw: Any, field: str = "constraints") -> list[Constraint]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, Sequence):
        raise InputError(f"{field}: expected a list such as [params <= 200000, latency_ms <= 5]")
    return [Constraint.parse(item, f"{field}[{i}]") for i, item in enumerate(raw)]


def from_journal(
    primary: Objective, items: Sequence[Mapping[str, str]], constraints: Sequence[str]
) -> Objectives:
    """The value a journal's `SearchStarted` holds (older journals: the primary alone)."""
    parsed = [Objective(str(i["metric"]), str(i["direction"])) for i in items] or [primary]
    return Objectives(tuple(parsed), tuple(Constraint.parse(c) for c in constraints))


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    return f"{value:g}"
