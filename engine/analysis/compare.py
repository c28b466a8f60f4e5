"""Comparisons: two trials of a run side by side, and several runs' best results.

Runs are compared only with the first one's kind: the same task and the same objective in the
same direction. Others are listed with why, never ranked or plotted beside it: a val_loss of a
regression and an accuracy of a classifier on one axis would say nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
    task: str = ""  # as the run's data recipe says ("": not recorded)
    apart: str = ""  # why it is not compared with the first run ("": it is)

    @property
    def goal(self) -> str:
        return f"{self.objective} ({self.direction})"


@dataclass(frozen=True)
class RunComparison:
    runs: list[RunSummary]  # the first, the runs compared with it, and those listed apart
    diff: list[tuple[str, list[Any], bool]]  # the compared runs' best configurations
    note: str = ""  # e.g. some runs optimise other objectives: listed, not compared

    @property
    def compared(self) -> list[RunSummary]:
        """The first run and those of its task and objective: what is plotted and diffed."""
        return [r for r in self.runs if not r.apart]

    def to_dict(self) -> dict[str, Any]:
        return {
            "note": self.note,
            "runs": [
                {
                    "run": r.label,
                    "task": r.task,
                    "objective": r.objective,
                    "direction": r.direction,
                    "compared": not r.apart,
                    "apart": r.apart,
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


def compare_runs(
    runs: list[tuple[str, RunResults]], tasks: Sequence[str] | None = None
) -> RunComparison:
    """The best score and configuration of each run and its best-so-far; the runs of the first
    one's task (`tasks`, from their recipes, when known) and objective are compared (their best
    configurations diffed), the others listed apart with why."""
    summaries: list[RunSummary] = []
    for i, (label, results) in enumerate(runs):
        best = results.best
        one = RunSummary(
            label,
            results.objective,
            results.direction,
            results.done,
            best.trial_id if best else None,
            best.score if best else None,
            dict(best.hyperparameters) if best else {},
            best_so_far(results),
            task=tasks[i] if tasks is not None else "",
        )
        summaries.append(replace(one, apart=_apart(one, summaries[0]) if summaries else ""))
    apart = [s for s in summaries if s.apart]
    note = ""
    if apart:
        listed = "; ".join(f"{s.label}: {s.apart}" for s in apart)
        note = f"runs of different objectives or tasks are listed, not compared ({listed})"
    compared = [s for s in summaries if not s.apart]
    return RunComparison(summaries, config_diff([s.best_config for s in compared]), note)


def _apart(run: RunSummary, first: RunSummary) -> str:
    """Why `run` cannot be compared with `first` ("" when it can)."""
    if run.task and first.task and run.task != first.task:
        return f"a {run.task} run, not {first.task}"
    if (run.objective, run.direction) != (first.objective, first.direction):
        return f"optimises {run.goal}, not {first.goal}"
    return ""
