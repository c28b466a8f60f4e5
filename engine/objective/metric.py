"""What a search optimises: a metric the model reports on validation, and a direction.

Part of the run contract: the journal records it, and every ranking (leaderboard, best trial,
Keras Tuner's oracle, scikit-learn's scorer) follows it. Pure Python, no numpy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import InputError

TASKS = ("classification", "regression")
DIRECTIONS = ("min", "max")
# Keras metric names (without a `val_` prefix) and the direction in which they improve
MAXIMISED = (
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "auc",
    "precision",
    "recall",
    "f1_score",
    "fbeta_score",
    "r2_score",
    "iou",
    "mean_iou",
)
MINIMISED = (
    "loss",
    "mae",
    "mse",
    "rmse",
    "mape",
    "msle",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "log_cosh",
    "logcosh",
    "huber",
    "hinge",
    "squared_hinge",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "binary_crossentropy",
    "kl_divergence",
    "poisson",
    "params",
    "latency_ms",  # measured by tunedeck itself (engine.objective.several)
)


def base_metric(metric: str) -> str:
    """`val_auc_1` → `auc`: Keras prefixes validation metrics and numbers repeated names."""
    name = metric[4:] if metric.startswith("val_") else metric
    return re.sub(r"_\d+$", "", name)


def infer_direction(metric: str) -> str | None:
    base = base_metric(metric)
    if base in MAXIMISED:
        return "max"
    if base in MINIMISED:
        return "min"
    return None


@dataclass(frozen=True)
class Objective:
    metric: str = "val_accuracy"
    direction: str = "max"

    @classmethod
    def parse(cls, raw: Any, field: str = "objective") -> Objective:
        """`val_auc`, `val_loss:min` or `{metric: val_loss, direction: min}`."""
        metric, direction = raw, None
        if isinstance(raw, Mapping):
            unknown = sorted(set(raw) - {"metric", "direction"})
            if unknown:
                raise InputError(f"{field}.{unknown[0]}: unknown key (use metric, direction)")
            metric, direction = raw.get("metric"), raw.get("direction")
        elif isinstance(raw, str) and ":" in raw:
            metric, _, direction = raw.rpartition(":")
        if not isinstance(metric, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", metric):
            raise InputError(f"{field}: expected a metric name such as val_loss, got {metric!r}")
        if direction is None:
            direction = infer_direction(metric)
            if direction is None:
                raise InputError(
                    f"{field}: cannot tell whether {metric} should go up or down; "
                    f"give a direction ({metric}:min or {metric}:max)"
                )
        if direction not in DIRECTIONS:
            raise InputError(f"{field}.direction: must be min or max, got {direction!r}")
        return cls(metric, direction)

    @classmethod
    def default(cls, task: str) -> Objective:
        return cls("val_loss", "min") if task == "regression" else cls("val_accuracy", "max")

    @property
    def maximise(self) -> bool:
        return self.direction == "max"

    def better(self, score: float, than: float | None) -> bool:
        if than is None:
            return True
        return score > than if self.maximise else score < than

    def best_of(self, scores: list[float]) -> float:
        return max(scores) if self.maximise else min(scores)

    def rank_key(self, score: float) -> float:
        """Sorts best first."""
        return -score if self.maximise else score

    def to_dict(self) -> dict[str, str]:
        return {"metric": self.metric, "direction": self.direction}

    def __str__(self) -> str:
        return f"{self.metric} ({self.direction})"
