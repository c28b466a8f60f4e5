"""A first short timing of the default model, measured before a search starts, so that the
search can say roughly how long it will take before its first trial has ended.

The default configuration trains two epochs on a slice of the training rows (the second is
the traced pace), then one more in a second fit (what the fit took beyond it is the start every
fit pays; the first fit's extra beyond that is tracing, a candidate's). A few configurations of
the space are built (not trained) for their batch sizes and parameter counts, the mix the
estimate scales the pace to; the one with the most work per step (batch × parameters), when it
has well more than the default, is timed too, and the line through the two paces splits a
step's cost into a fixed part and a part per sample and parameter (a small model's steps cost
about the same whatever its size, so extrapolating from one would overshoot).
"""

from __future__ import annotations

import random
import time
from typing import Any

from engine.run.estimate import Timing
from engine.space import Space

SLICE = 512  # training rows timed
SIZES = 5  # configurations built for their parameter counts
LARGER = 2  # a sampled configuration this many times the default's work is timed as well


def measure(factory: Any, space: Space, dataset: Any, seed: int = 0) -> Timing | None:
    """The timing, or None when the model cannot be timed this way (the search still runs:
    only its estimate is missing)."""
    try:
        defaults = space.defaults()
        model = factory.build(defaults)
        rows = min(len(dataset.y_train), SLICE)
        x, y = dataset.x_train[:rows], dataset.y_train[:rows]
        batch = _batch(defaults)
        first, epoch = _fit(model, x, y, batch)  # traced during its first epoch
        again, _ = _fit(model, x, y, batch, epochs=1)  # traced already: a fit's start
        params = int(model.count_params())
        rng = random.Random(seed)
        configs = [space.sample(rng) for _ in range(SIZES)]
        sizes = [(_batch(c), int(factory.build(c).count_params())) for c in configs]
        work, step = batch * params, epoch / -(-rows // batch)
        widest = max(range(SIZES), key=lambda i: sizes[i][0] * sizes[i][1])
        wide_batch, wide_params = sizes[widest]
        slope = 0.0
        if wide_batch * wide_params > LARGER * work:  # the pace at the other end of the space
            _, wide = _fit(factory.build(configs[widest]), x, y, wide_batch)
            wide_step = wide / -(-rows // wide_batch)
            slope = max((wide_step - step) / (wide_batch * wide_params - work), 0.0)
    except Exception:  # noqa: BLE001 - a model the preflight accepted that fit() refuses here
        return None
    start = max(again - epoch, 0.0)
    trace = max(first - 2 * epoch - start, 0.0)
    rows_of = len(dataset.y_train), len(dataset.y_val)
    fixed = max(step - slope * work, 0.0)
    return Timing(fixed, slope, trace, start, params, tuple(sizes), *rows_of)


def _fit(model: Any, x: Any, y: Any, batch: int, epochs: int = 2) -> tuple[float, float]:
    """(the whole fit, its last epoch) in seconds."""
    import keras

    ends: list[float] = []
    clock = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: ends.append(time.perf_counter())
    )
    begun = time.perf_counter()
    model.fit(x, y, epochs=epochs, verbose=0, batch_size=batch, callbacks=[clock])
    return time.perf_counter() - begun, ends[-1] - (ends[-2] if epochs > 1 else begun)


def _batch(config: Any) -> int:
    return int(config.get("batch_size") or 32)
