"""Fewer points for a figure: a plot of ten thousand trials draws no more than a few hundred
columns (a terminal) or a few hundred pixels (the report) across, and each point costs time to
draw and bytes to keep. Thinning is evenly spread and deterministic, so the same run always
gives the same figure, and it keeps what the eye looks for: every improvement of best-so-far,
and the extremes of a cloud."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from engine.analysis.progress import BestPoint

T = TypeVar("T")
POINTS = 2000  # the most points a figure draws of one series


def spread(items: Sequence[T], limit: int = POINTS) -> list[T]:
    """At most `limit` of `items`, evenly spread over them (the first and the last kept)."""
    count = len(items)
    if count <= limit:
        return list(items)
    if limit <= 1:
        return list(items[:limit])
    step = (count - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


def cloud(items: Sequence[T], score: Callable[[T], float], limit: int = POINTS) -> list[T]:
    """At most `limit` of `items`: an even spread, plus the best and worst scored ones."""
    if len(items) <= limit:
        return list(items)
    ends = {id(min(items, key=score)), id(max(items, key=score))}
    kept = spread(items, limit - 2)
    kept_ids = {id(x) for x in kept}
    return kept + [x for x in items if id(x) in ends and id(x) not in kept_ids]


def progress(points: Sequence[BestPoint], limit: int = POINTS) -> list[BestPoint]:
    """Best-so-far with at most about `limit` points: every improvement (the step line is
    exact) and an even spread of the others (the cloud of scores)."""
    if len(points) <= limit:
        return list(points)
    improved = [p for p in points if p.improved]
    others = spread([p for p in points if not p.improved], max(limit - len(improved), 2))
    chosen = {id(p) for p in (*improved, *others, points[-1])}
    return [p for p in points if id(p) in chosen]
