"""Per-epoch curves of selected trials for any metric they recorded (cross-validated trials:
the mean over the folds that reached each epoch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.run.results import RunResults, TrialRecord


@dataclass(frozen=True)
class Curve:
    trial_id: str
    metric: str
    epochs: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "trial_id": self.trial_id,
            "metric": self.metric,
            "epochs": self.epochs,
            "values": self.values,
        }


def metrics(results: RunResults, trial_ids: list[str] | None = None) -> list[str]:
    """Every metric the trials recorded, the objective first, then loss, then by name."""
    seen: set[str] = set()
    for trial in _trials(results, trial_ids):
        seen.update(k for k in trial.curve_keys() if k not in ("epoch", "fold"))
    first = [m for m in (results.objective, "loss", "val_loss") if m in seen]
    return [*first, *sorted(seen - set(first))]


def curve(trial: TrialRecord, metric: str) -> Curve:
    """One trial's curve of `metric` (epochs where it was not finite are left out)."""
    sums: dict[int, list[float]] = {}
    for row in trial.curve:
        value = row.get(metric)
        if isinstance(value, int | float):
            sums.setdefault(int(row["epoch"]), []).append(float(value))
    epochs = sorted(sums)
    return Curve(trial.trial_id, metric, epochs, [sum(sums[e]) / len(sums[e]) for e in epochs])


def curves(results: RunResults, trial_ids: list[str], metric: str) -> list[Curve]:
    """The curves of `metric` for the given trials, in the order given (unknown ids skipped)."""
    return [curve(t, metric) for t in _trials(results, trial_ids)]


def top_trials(results: RunResults, count: int = 5) -> list[str]:
    """The ids of the best `count` completed trials (the default selection to overlay)."""
    board = [t for t in results.leaderboard() if t.score is not None and t.status == "completed"]
    return [t.trial_id for t in board[:count]]


def _trials(results: RunResults, trial_ids: list[str] | None) -> list[TrialRecord]:
    if trial_ids is None:
        return list(results.trials.values())
    return [results.trials[i] for i in trial_ids if i in results.trials]
