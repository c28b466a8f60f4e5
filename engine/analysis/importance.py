"""Hyperparameter importance: how much of the objective's variation each parameter explains.

The estimate is a random forest's mean decrease in impurity over the completed trials (the way
Optuna's MeanDecreaseImpurityImportanceEvaluator does it): numbers stay numbers, choices are
one-hot encoded and their columns summed back into their parameter, and the importances are
normalised to sum to 1. A parameter that never changed explains nothing and ranks last. With
few trials the forest can credit noise, so the result says when it is too early to trust it.
numpy and scikit-learn are imported only when an estimate is computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.analysis.progress import completed
from engine.analysis.runs import tuned_names
from engine.analysis.slices import is_number
from engine.run.results import RunResults
from engine.space.schema import is_active

MIN_TRIALS = 10  # fewer completed trials than this: the ranking is shown with a warning
TREES = 64
SEED = 0


@dataclass(frozen=True)
class Importance:
    """Parameters most important first, each with its share of the explained variation."""

    rows: list[tuple[str, float]] = field(default_factory=list)
    trials: int = 0
    objective: str = ""
    note: str = ""  # why not to trust it yet; empty when there is nothing to warn about

    @property
    def trusted(self) -> bool:
        return not self.note

    def to_dict(self) -> dict[str, Any]:
        return {"objective": self.objective, "trials": self.trials, "trusted": self.trusted,
                "note": self.note,
                "importance": [{"parameter": n, "importance": v} for n, v in self.rows]}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Importance:
        rows = [(str(r["parameter"]), float(r["importance"])) for r in data["importance"]]
        return cls(rows, int(data["trials"]), str(data["objective"]), str(data["note"]))


def importance(results: RunResults, names: tuple[str, ...] | None = None) -> Importance:
    """The importance of each tuned parameter for the run's objective."""
    names = tuned_names(results) if names is None else names
    trials = completed(results)
    scores = [float(t.score or 0.0) for t in trials]
    configs = [t.hyperparameters for t in trials]
    note = _note(len(trials), scores)
    varied = [n for n in names if len({repr(c.get(n)) for c in configs}) > 1]
    shares = dict.fromkeys(names, 0.0)
    if varied and len(trials) >= 2 and len(set(scores)) > 1:
        shares.update(_forest(configs, scores, varied))
    rows = sorted(shares.items(), key=lambda item: (-item[1], item[0]))
    return Importance(rows, len(trials), results.objective, note)


def _note(count: int, scores: list[float]) -> str:
    if count == 0:
        return "no completed trial yet"
    if len(set(scores)) <= 1:
        return f"all {count} completed trials scored the same: nothing to explain"
    if count < MIN_TRIALS:
        return f"only {count} completed trials: too few to trust (at least {MIN_TRIALS})"
    return ""


def encode(configs: list[dict[str, Any]], names: list[str]) -> tuple[list[list[float]], list[str]]:
    """A numeric design matrix: a column per number parameter, a one-hot column per choice value
    (an inactive parameter: one below the smallest number, or no category); each column's owner."""
    columns: list[list[float]] = []
    owners: list[str] = []
    for name in names:
        values = [c.get(name) if is_active(name, c) else None for c in configs]
        present = [v for v in values if v is not None]
        if present and all(is_number(v) for v in present):
            floor = min(float(v) for v in present) - 1.0
            columns.append([floor if v is None else float(v) for v in values])
            owners.append(name)
            continue
        for category in dict.fromkeys(repr(v) for v in present):
            columns.append([1.0 if v is not None and repr(v) == category else 0.0 for v in values])
            owners.append(name)
    rows = [list(row) for row in zip(*columns, strict=True)] if columns else []
    return rows, owners


def _forest(
    configs: list[dict[str, Any]], scores: list[float], names: list[str]
) -> dict[str, float]:
    import numpy as np
    from sklearn.ensemble import RandomForestRegressor

    rows, owners = encode(configs, names)
    forest = RandomForestRegressor(n_estimators=TREES, random_state=SEED, n_jobs=1)
    forest.fit(np.asarray(rows, dtype=float), np.asarray(scores, dtype=float))
    shares = dict.fromkeys(names, 0.0)
    for owner, value in zip(owners, forest.feature_importances_, strict=True):
        shares[owner] += float(value)
    total = sum(shares.values())
    return {n: (v / total if total > 0 else 0.0) for n, v in shares.items()}
