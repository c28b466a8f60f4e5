"""Pareto fronts of vectors to minimise: dominance, front ranks and crowding distances.

Pure functions of plain lists (NSGA-II's non-dominated sorting and crowding distance), used by
the replay's ranking, the scikit-learn and grid rankings, and the views. Two objectives (the
usual case: accuracy against size) are ranked by one sort and a binary search per point,
O(N log N); more by a sequential search of the fronts found so far. Pure Python, no numpy.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
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
    dominates, and so on."""
    if vectors and all(len(v) == 2 for v in vectors):
        return ranks_of_pairs(vectors)
    return ranks_in_sequence(vectors)


def ranks_of_pairs(vectors: Sequence[Vector]) -> list[int]:
    """Front ranks of two objectives, O(N log N): visited in lexicographic order, a point can
    only be dominated by one visited before it, and each front's latest point (its lowest
    second objective so far) dominates it exactly when that point's (second, first) pair is
    smaller. Those pairs grow with the front's number, so a binary search finds the first
    front that does not dominate it: that is its own."""
    order = sorted(range(len(vectors)), key=lambda i: (vectors[i][0], vectors[i][1]))
    tails: list[tuple[float, float]] = []  # each front's latest point, as (second, first)
    ranks = [0] * len(vectors)
    for i in order:
        key = (vectors[i][1], vectors[i][0])
        rank = bisect_left(tails, key)
        if rank == len(tails):
            tails.append(key)
        else:
            tails[rank] = key
        ranks[i] = rank
    return ranks


def ranks_in_sequence(vectors: Sequence[Vector]) -> list[int]:
    """Front ranks of any number of objectives (ENS-SS, Zhang et al. 2015): visited in
    lexicographic order, each point joins the first front none of whose members dominates it,
    members tried latest first. At worst O(M·N²) like comparing every pair, but a point
    deep in the fronts meets a dominator after a few tries: 1 s of CPU instead of 57 s for
    10,000 points of three objectives (`bench/front.py`)."""
    order = sorted(range(len(vectors)), key=lambda i: tuple(vectors[i]))
    fronts: list[list[int]] = []
    ranks = [0] * len(vectors)
    for i in order:
        point = vectors[i]
        for rank, front in enumerate(fronts):
            if not any(dominates(vectors[j], point) for j in reversed(front)):
                front.append(i)
                ranks[i] = rank
                break
        else:
            ranks[i] = len(fronts)
            fronts.append([i])
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


def front_order(vectors: Sequence[Vector], ranks: Sequence[int] | None = None) -> list[int]:
    """Indices best first: by front, then (within a front) by the first objective, then by
    the crowding distance (lonelier first); ties keep their given order. `ranks`: the
    vectors' `front_ranks`, when known already."""
    ranks = front_ranks(vectors) if ranks is None else ranks
    fronts: dict[int, list[int]] = {}
    for i, rank in enumerate(ranks):
        fronts.setdefault(rank, []).append(i)
    spread: dict[int, float] = {}
    for members in fronts.values():
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
