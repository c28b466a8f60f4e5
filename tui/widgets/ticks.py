"""Whole-number axes: epochs and trials are counted, so an axis never reads 1.5 epochs
(plotext would put its ticks at even fractions of the span)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

MOST = 6  # ticks on an axis at most: a terminal plot is a few dozen columns wide


def whole_ticks(values: Iterable[float], most: int = MOST) -> list[int]:
    """Whole numbers spanning `values`, 1, 2 or 5 times a power of ten apart, at most `most`."""
    drawn = list(values)
    if not drawn:
        return []
    low, high = math.ceil(min(drawn)), math.floor(max(drawn))
    if high <= low:
        return [round(min(drawn))]
    step = _step(high - low, most)
    first = math.ceil(low / step) * step
    return list(range(first, high + 1, step))


def _step(span: int, most: int) -> int:
    power = 1
    while True:
        for factor in (1, 2, 5):
            if span // (factor * power) < most:
                return factor * power
        power *= 10


def mark_whole(plt: Any, values: Iterable[float]) -> list[int]:
    """Put the x axis's ticks of a plotext figure at whole numbers, labelled as such."""
    ticks = whole_ticks(values)
    plt.xticks([float(t) for t in ticks], [str(t) for t in ticks])
    return ticks
