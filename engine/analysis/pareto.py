"""The Pareto view of a run with several objectives: every completed trial as a point of two
objectives, its front (0: not dominated) and whether it met the constraints. The console's
scatter and the report draw it; `front` (the replay's) decides, over every objective."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from engine.run.results import RunResults
from engine.run.states import TrialStatus


@dataclass(frozen=True)
class FrontPoint:
    trial_id: str
    number: int
    x: float
    y: float
    front: int | None  # None: infeasible or outside the space, on no front
    infeasible: str | None = None


@dataclass(frozen=True)
class ParetoView:
    x_metric: str
    y_metric: str
    objectives: list[str]  # every objective's metric: the axes may be any two
    points: list[FrontPoint] = field(default_factory=list)  # by x, then y

    @property
    def front(self) -> list[FrontPoint]:
        """The non-dominated points, along the x axis."""
        return [p for p in self.points if p.front == 0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "x": self.x_metric,
            "y": self.y_metric,
            "objectives": self.objectives,
            "points": [asdict(p) for p in self.points],
        }


def pareto_view(results: RunResults, x: int = 0, y: int = 1) -> ParetoView | None:
    """Objectives `x` and `y` (by position) of every completed trial that has both; None for
    a run with a single objective."""
    goals = results.goals
    if not goals.multi:
        return None
    names = [o.metric for o in goals.items]
    x_name, y_name = names[x % len(names)], names[y % len(names)]
    fronts = results.front()
    points = []
    for trial in results.trials.values():
        if trial.status != TrialStatus.COMPLETED or trial.score is None:
            continue
        named = goals.values_of(trial.score, trial.values)
        vx, vy = named.get(x_name), named.get(y_name)
        if vx is None or vy is None:
            continue
        points.append(
            FrontPoint(
                trial.trial_id,
                trial.number,
                float(vx),
                float(vy),
                fronts.get(trial.trial_id),
                trial.infeasible,
            )
        )
    points.sort(key=lambda p: (p.x, p.y, p.number))
    return ParetoView(x_name, y_name, names, points)
