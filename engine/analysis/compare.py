"""Comparisons: two trials of a run side by side, and several runs' best results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.analysis.curves import Curve, curve, metrics
from engine.analysis.progress import BestPoint, best_so_far
from engine.run.results import RunResults, TrialRecord

MISSING = "-"  # a parameter one side does not have


def config_diff(configs: list[dict[str, Any]]) -> list[tuple[str, list[Any], bool]]:
    """Each parameter of any config with its value in each (MISSING when absent) and whether
    they differ; differing parameters first, then by name."""
    names = sorted({n for c in configs for n in c})
    rows = [(n, [c.get(n, MISSING) for c in configs]) for n in names]
    marked = [(n, values, len({repr(v) for v in values}) > 1) for n, values in rows]
    return sorted(marked, key=lambda row: (not row[2], row[0]))


@dataclass(frozen=True)
class TrialPair:
    """Two trials: their outcomes, configuration diff and curves of every shared metric."""

    a: TrialRecord
    b: TrialRecord
    diff: list[tuple[str, list[Any], bool]]
    curves: dict[str, tuple[Curve, Curve]] = field(default_factory=dict)


def compare_trials(results: RunResults, a: str, b: str) -> TrialPair:
    first, second = results.trials[a], results.trials[b]
    diff = config_diff([first.hyperparameters, second.hyperparameters])
    shared = metrics(results, [a, b])
    return TrialPair(first, second, diff, {m: (curve(first, m), curve(second, m)) for m in shared})


@dataclass(frozen=True)
class RunSummary:
    label: str
    objective: str
    direction: str
    trials: int
    best_trial_id: str | None
    best_score: float | None
    best_config: dict[str, Any]
    progress: list[BestPoint]


@dataclass(frozen=True)
class RunComparison:
    runs: list[RunSummary]
    diff: list[tuple[str, list[Any], bool]]  # the best configurations, parameter by parameter
    note: str = ""  # e.g. the runs optimise different objectives

    def to_dict(self) -> dict[str, Any]:
        return {
            "note": self.note,
            "runs": [
                {
                    "run": r.label,
                    "objective": r.objective,
                    "direction": r.direction,
                    "trials": r.trials,
                    "best_trial_id": r.best_trial_id,
                    "best_score": r.best_score,
                    "best_config": r.best_config,
                    "best_so_far": [p.to_dict() for p in r.progress],
                }
                for r in self.runs
            ],
            "best_config_diff": [
                {"parameter": n, "values": v, "differs": d} for n, v, d in self.diff
            ],
        }


def compare_runs(runs: list[tuple[str, RunResults]]) -> RunComparison:
    """The best score and configuration of each run, the configurations diffed, and each run's
    best-so-far; a note when the runs are not ranked by the same objective."""
    summaries = []
    for label, results in runs:
        best = results.best
        summaries.append(
            RunSummary(
                label,
                results.objective,
                results.direction,
                results.done,
                best.trial_id if best else None,
                best.score if best else None,
                dict(best.hyperparameters) if best else {},
                best_so_far(results),
            )
        )
    goals = {(s.objective, s.direction) for s in summaries}
    note = (
        ""
        if len(goals) <= 1
        else ("the runs optimise different objectives: their scores are not comparable")
    )
    return RunComparison(summaries, config_diff([s.best_config for s in summaries]), note)
