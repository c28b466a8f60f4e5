"""Slices: the objective against each tuned parameter's values, one point per completed trial."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.analysis.progress import completed
from engine.analysis.runs import tuned_names
from engine.run.results import RunResults
from engine.space.schema import is_active


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Slice:
    """One parameter: its values and the scores of the trials that used them."""

    name: str
    numeric: bool  # every value a number (plotted on an axis); else categories
    points: list[tuple[Any, float, str]] = field(default_factory=list)  # value, score, trial

    def categories(self) -> list[str]:
        """The distinct values as labels, in the order first seen (numbers sorted)."""
        return list(self._places())

    def position(self, value: Any) -> int:
        """Where a category goes along the axis (0, 1, …, in `categories` order)."""
        return self._places()[label(value)]

    def _places(self) -> dict[str, int]:
        """Each category's position, worked out once (a slice does not change)."""
        places = self.__dict__.get("_places_")
        if places is None:
            values = (
                sorted({p[0] for p in self.points}) if self.numeric else [p[0] for p in self.points]
            )
            labels = dict.fromkeys(label(v) for v in values)
            places = {name: i for i, name in enumerate(labels)}
            object.__setattr__(self, "_places_", places)
        return places

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "numeric": self.numeric,
            "points": [{"value": v, "score": s, "trial_id": t} for v, s, t in self.points],
        }


def label(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def slices(results: RunResults, names: tuple[str, ...] | None = None) -> list[Slice]:
    """A slice per tuned parameter (trials where the parameter was inactive are left out)."""
    trials = completed(results)
    out: list[Slice] = []
    for name in names if names is not None else tuned_names(results):
        points = [
            (t.hyperparameters[name], float(t.score or 0.0), t.trial_id)
            for t in trials
            if name in t.hyperparameters and is_active(name, t.hyperparameters)
        ]
        numeric = bool(points) and all(is_number(p[0]) for p in points)
        out.append(Slice(name, numeric, points))
    return out
