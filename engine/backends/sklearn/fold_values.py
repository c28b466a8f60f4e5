"""The other objectives' values of a scikit-learn trial: measured on each fold's model, on
that fold's held-out rows (`engine.model.measure`), and averaged over the folds."""

from __future__ import annotations

import statistics
from typing import Any

from engine.model.measure import trial_values
from engine.objective.several import Objectives


def fold_values(est: Any, goals: Objectives, x: Any, y: Any, feed: Any) -> dict[str, float | None]:
    """`params`, `latency_ms` and further Keras metrics of the fold's fitted model (none for
    a single objective without constraints)."""
    if not goals.extra_metrics:
        return {}
    logs = feed.evaluate(est.model_, x, y, int(est.batch_size)) if goals.keras_metrics else {}
    return trial_values(est.model_, goals, x, lambda m: logs.get(m.removeprefix("val_")))


def mean_values(per_fold: dict[int, dict[str, Any]]) -> dict[str, float | None]:
    """Each metric's mean over the folds that report it (None when none does)."""
    names = dict.fromkeys(name for values in per_fold.values() for name in values)
    out: dict[str, float | None] = {}
    for name in names:
        known = [float(v[name]) for v in per_fold.values() if v.get(name) is not None]
        out[name] = statistics.fmean(known) if known else None
    return out
