"""A first short timing of the default model, measured before a search starts, so that the
search can say roughly how long it will take before its first trial has ended.

The default configuration trains two epochs on a slice of the training rows: the second epoch
is a traced one (time per row), the rest of the fit is what every fit pays to start (tracing,
pipelines). A few configurations of the space are built (not trained) for their parameter
counts, the size against which the default's time per row is scaled.
"""

from __future__ import annotations

import random
import time
from typing import Any

from engine.run.estimate import Timing
from engine.space import Space

SLICE = 256  # training rows timed
SIZES = 5  # configurations built for their parameter counts


def measure(factory: Any, space: Space, dataset: Any, seed: int = 0) -> Timing | None:
    """The timing, or None when the model cannot be timed this way (the search still runs:
    only its estimate is missing)."""
    try:
        import keras

        defaults = space.defaults()
        model = factory.build(defaults)
        rows = min(len(dataset.y_train), SLICE)
        ends: list[float] = []
        clock = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: ends.append(time.perf_counter())
        )
        begun = time.perf_counter()
        model.fit(
            dataset.x_train[:rows],
            dataset.y_train[:rows],
            epochs=2,
            verbose=0,
            batch_size=int(defaults.get("batch_size") or 32),
            callbacks=[clock],
        )
        epoch = ends[1] - ends[0]
        params = int(model.count_params())
        rng = random.Random(seed)
        counts = [int(factory.build(space.sample(rng)).count_params()) for _ in range(SIZES)]
    except Exception:  # noqa: BLE001 - a model the preflight accepted that fit() refuses here
        return None
    size = sum(counts) / len(counts) / params if params else 1.0
    start = max(ends[1] - begun - 2 * epoch, 0.0)
    return Timing(epoch / rows, start, params, size, len(dataset.y_train), len(dataset.y_val))
