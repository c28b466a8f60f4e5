"""How a Keras Tuner trial's handed-over model is scored: its objective, and the other
objectives' values (`engine.model.measure`) under several objectives or constraints."""

from __future__ import annotations

import math
from typing import Any

from engine.backends.base import SearchContext
from engine.model.measure import trial_values


def handed_over_score(
    model: Any, ctx: SearchContext, metric: str, batch: int, history: Any = None
) -> float | None:
    """The objective of the model a trial hands over (the weights early stopping restored, or
    the last epoch's) on the validation part: what the leaderboard ranks, since that is the
    model the user gets. None for an objective that is not a validation metric.

    With the fit's `history` rows (no weights were restored), the last epoch's validation row is
    that model's score already: the same test function on the same batches, so no pass over
    the validation part is repeated. Otherwise the model is evaluated."""
    if not metric.startswith("val_"):
        return None
    if history is not None:
        value = (history.get(metric) or [None])[-1]
    else:
        values = ctx.feed().evaluate(model, ctx.dataset.x_val, ctx.dataset.y_val, batch)
        value = values.get(metric.removeprefix("val_"))
    return float(value) if value is not None and math.isfinite(value) else None


def handed_over_values(
    model: Any, ctx: SearchContext, history: Any, callbacks: list, config: dict[str, Any]
) -> dict[str, float | None]:
    """The other objectives' values of the model a trial hands over (none: a single objective)."""
    restored = any(getattr(c, "restore_best_weights", False) for c in callbacks)
    rows = None if restored else history
    batch = int(config["batch_size"])
    return trial_values(
        model,
        ctx.objectives,
        ctx.dataset.x_val,
        lambda m: handed_over_score(model, ctx, m, batch, rows),
    )
