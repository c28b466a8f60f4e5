"""What tunedeck measures of a trial's model itself, when an objective or constraint names it.

- `params`: the model's parameter count (`count_params`, trainable and not).
- `latency_ms`: inference time of one batch of `LATENCY_ROWS` validation rows through
  `predict_on_batch` (a call returns numpy, so the device has finished), on the device the
  trial trained on: one warm-up call (it traces the predict function), then the median of
  `LATENCY_REPEATS` timed calls, in milliseconds.

Other metrics (`val_loss` beside `val_accuracy`) are the model's own, read by the backend the
way it reads its score.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

from engine.objective.several import LATENCY, PARAMS, Objectives

LATENCY_ROWS = 32
LATENCY_REPEATS = 7


def latency_ms(model: Any, x: Any) -> float:
    """Median milliseconds of a predict call on `LATENCY_ROWS` rows of `x`, after a warm-up."""
    batch = x[:LATENCY_ROWS]
    model.predict_on_batch(batch)
    times = []
    for _ in range(LATENCY_REPEATS):
        start = time.perf_counter()
        model.predict_on_batch(batch)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 4)


def measured(model: Any, names: Iterable[str], x_val: Any) -> dict[str, float | None]:
    """The quantities among `names` that tunedeck measures itself (`MEASURED`), of `model`."""
    values: dict[str, float | None] = {}
    for name in names:
        if name == PARAMS:
            values[name] = float(model.count_params())
        elif name == LATENCY:
            values[name] = latency_ms(model, x_val)
    return values


def trial_values(
    model: Any, goals: Objectives, x_val: Any, metric: Callable[[str], float | None]
) -> dict[str, float | None]:
    """The values of `goals`' metrics besides the score: measured here, or `metric(name)`
    (the backend's reading of the model's own metric)."""
    own = measured(model, goals.extra_metrics, x_val)
    return {name: own[name] if name in own else metric(name) for name in goals.extra_metrics}
