"""Pareto fronts of vectors to minimise: dominance, front ranks and crowding distances.

Pure functions of plain lists (NSGA-II's non-dominated sorting and crowding distance), used by
the replay's ranking, the scikit-learn and grid rankings, and the views. Pure Python, no numpy.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

Vector = Sequence[float]


def dominates(a: Vector, b: Vector) -> bool:
    """`a` is no worse than `b` in every objective and better in one (all minimised)."""
    better = False
    for x, y in zip(a, b, strict=True):
        if x > y:
            return False
        better |= x < y
    return better


def front_ranks(vectors: Sequence[Vector]) -> list[int]:
    """Each vector's front: 0 for the non-dominated set, 1 for those only the first front
    dominates, and so on (non-dominated sorting, O(M·N²))."""
    n = len(vectors)
    dominated_by = [0] * n
    beats: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if dominates(vectors[i], vectors[j]):
                beats[i].append(j)
                dominated_by[j] += 1
            elif dominates(vectors[j], vectors[i]):
                beats[j].append(i)
                dominated_by[i] += 1
    ranks = [0] * n
    current = [i for i in range(n) if dominated_by[i] == 0]
    rank = 0
    while current:
        following: list[int] = []
        for i in current:
            ranks[i] = rank
            for j in beats[i]:
                dominated_by[j] -= 1
                if dominated_by[j] == 0:
                    following.append(j)
        current, rank = following, rank + 1
    return ranks


def crowding(vectors: Sequence[Vector]) -> list[float]:
    """NSGA-II's crowding distance within one front: the ends of each objective are infinite,
    the rest sum their neighbours' normalised gaps (larger: a lonelier, more useful point)."""
    n = len(vectors)
    if n == 0:
        return []
    distance = [0.0] * n
    for m in range(len(vectors[0])):
        order = sorted(range(n), key=lambda i: vectors[i][m])
        low, high = vectors[order[0]][m], vectors[order[-1]][m]
        distance[order[0]] = distance[order[-1]] = math.inf
        if high == low:
            continue
        for k in range(1, n - 1):
            gap = vectors[order[k + 1]][m] - vectors[order[k - 1]][m]
            distance[order[k]] += gap / (high - low)
    return distance


def front_order(vectors: Sequence[Vector]) -> list[int]:
    """Indices best first: by front, then (within a front) by the first objective, then by
    the crowding distance (lonelier first); ties keep their given order."""
    ranks = front_ranks(vectors)
    spread: dict[int, float] = {}
    for rank in set(ranks):
        members = [i for i in range(len(vectors)) if ranks[i] == rank]
        for i, d in zip(members, crowding([vectors[i] for i in members]), strict=True):
            spread[i] = d
    return sorted(range(len(vectors)), key=lambda i: (ranks[i], vectors[i][0], -spread[i], i))


def random_weights(count: int, seed: int) -> list[float]:
    """ParEGO's weights for one trial: a point drawn uniformly on the simplex, from `seed`."""
    rng = random.Random(seed)
    draws = [-math.log(1.0 - rng.random()) for _ in range(count)]
    total = sum(draws)
    return [d / total for d in draws]


def scalarised(vector: Vector, weights: Sequence[float], low: Vector, high: Vector) -> float:
    """ParEGO's augmented Chebyshev value of a vector to minimise, each objective scaled to
    [0, 1] by the range seen so far: max(w·f) + 0.05·Σ(w·f). Smaller is better."""
    scaled = [
        (v - lo) / (hi - lo) if hi > lo else 0.0
        for v, lo, hi in zip(vector, low, high, strict=True)
    ]
    terms = [w * s for w, s in zip(weights, scaled, strict=True)]
    return max(terms) + 0.05 * sum(terms)
