"""A first short timing of the default model, measured before a search starts, so that the
search can say roughly how long it will take before its first trial has ended.

The default configuration trains two epochs on a slice of the training rows, then two more
with batches four times as large: the second epoch of each is the traced pace, and the two
paces split a step's cost into a fixed part and a part per sample and parameter. The first
fit's extra time is tracing (a candidate's), the second's the start every fit pays. A few
configurations of the space are built (not trained) for their batch sizes and parameter
counts, the mix the estimate scales the pace to.
"""

from __future__ import annotations

import random
import time
from typing import Any

from engine.run.estimate import Timing
from engine.space import Space

SLICE = 512  # training rows timed
SIZES = 5  # configurations built for their parameter counts
WIDER = 4  # the second fit's batch, against the default's: splits a step's cost in two


def measure(factory: Any, space: Space, dataset: Any, seed: int = 0) -> Timing | None:
    """The timing, or None when the model cannot be timed this way (the search still runs:
    only its estimate is missing)."""
    try:
        defaults = space.defaults()
        model = factory.build(defaults)
        rows = min(len(dataset.y_train), SLICE)
        x, y = dataset.x_train[:rows], dataset.y_train[:rows]
        batch = int(defaults.get("batch_size") or 32)
        first, epoch = _fit(model, x, y, batch)  # traced during its first epoch
        again, wide = _fit(model, x, y, batch * WIDER)  # traced already
        params = int(model.count_params())
        rng = random.Random(seed)
        sizes = []
        for _ in range(SIZES):
            config = space.sample(rng)
            built = factory.build(config)
            sizes.append((int(config.get("batch_size") or 32), int(built.count_params())))
    except Exception:  # noqa: BLE001 - a model the preflight accepted that fit() refuses here
        return None
    narrow_step, wide_step = epoch / -(-rows // batch), wide / -(-rows // (batch * WIDER))
    per_sample = max((wide_step - narrow_step) / ((WIDER - 1) * batch * max(params, 1)), 0.0)
    step = max(narrow_step - per_sample * batch * params, 0.0)
    start = max(again - 2 * wide, 0.0)
    trace = max(first - 2 * epoch - start, 0.0)
    rows_of = len(dataset.y_train), len(dataset.y_val)
    return Timing(step, per_sample, trace, start, params, tuple(sizes), *rows_of)


def _fit(model: Any, x: Any, y: Any, batch: int) -> tuple[float, float]:
    """(the whole fit, its second epoch) of two epochs, in seconds."""
    import keras

    ends: list[float] = []
    clock = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: ends.append(time.perf_counter())
    )
    begun = time.perf_counter()
    model.fit(x, y, epochs=2, verbose=0, batch_size=batch, callbacks=[clock])
    return time.perf_counter() - begun, ends[1] - ends[0]
