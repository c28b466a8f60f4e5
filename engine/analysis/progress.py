"""Best-so-far: the best objective reached after each completed trial, over trials and time."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from engine.run.results import RunResults, TrialRecord
from engine.run.states import TrialStatus


@dataclass(frozen=True)
class BestPoint:
    """One completed trial, in the order trials ended."""

    trial_id: str
    number: int
    elapsed: float  # seconds from the search's start to this trial's end
    score: float
    best: float  # the best score of this and every earlier completed trial
    improved: bool  # this trial set a new best

    @property
    def index(self) -> int:
        """Its place on a trial axis (`TrialRecord.index`: trial 006 is at 6)."""
        return self.number - 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def completed(results: RunResults) -> list[TrialRecord]:
    """Completed trials with a score, in the order they ended (ties: by number)."""
    done = [
        t
        for t in results.trials.values()
        if t.status == TrialStatus.COMPLETED and t.score is not None
    ]
    return sorted(done, key=lambda t: (t.started + (t.duration or 0.0), t.number))


def best_so_far(results: RunResults) -> list[BestPoint]:
    """The best score after each completed trial (the search's direction decides "best")."""
    goal = results.goal
    start = results.started if results.started is not None else 0.0
    points: list[BestPoint] = []
    best: float | None = None
    for trial in completed(results):
        score = float(trial.score or 0.0)  # completed() keeps scored trials only
        improved = goal.better(score, best)
        best = score if improved or best is None else best
        end = trial.started + (trial.duration or 0.0)
        elapsed = round(max(end - start, 0.0), 3)
        points.append(BestPoint(trial.trial_id, trial.number, elapsed, score, best, improved))
    return points
