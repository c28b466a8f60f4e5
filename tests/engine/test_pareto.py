"""Dominance, front ranks and crowding on sets whose answers are known by hand."""

from __future__ import annotations

import math
import random

import pytest

from engine.objective.pareto import (
    crowding,
    dominates,
    front_order,
    front_ranks,
    random_weights,
    scalarised,
)

# (error, size) pairs to minimise: a, b, c trade off; d is beaten by b; e by d and b; f ties a
POINTS = {
    "a": (0.1, 9.0),
    "b": (0.2, 5.0),
    "c": (0.5, 1.0),
    "d": (0.3, 6.0),
    "e": (0.4, 7.0),
    "f": (0.1, 9.0),
}


def test_dominance_needs_one_strict_gain_and_no_loss() -> None:
    assert dominates((0.2, 5.0), (0.3, 6.0))
    assert dominates((0.2, 5.0), (0.2, 6.0))
    assert not dominates((0.1, 9.0), (0.1, 9.0))  # equal: neither
    assert not dominates((0.1, 9.0), (0.2, 5.0)) and not dominates((0.2, 5.0), (0.1, 9.0))


def test_front_ranks_of_a_known_set() -> None:
    ranks = dict(zip(POINTS, front_ranks(list(POINTS.values())), strict=True))
    assert ranks == {"a": 0, "b": 0, "c": 0, "f": 0, "d": 1, "e": 2}


def test_crowding_gives_the_ends_infinity_and_the_middle_its_gaps() -> None:
    front = [(0.0, 10.0), (0.5, 4.0), (1.0, 0.0)]
    ends_and_middle = crowding(front)
    assert ends_and_middle[0] == ends_and_middle[2] == math.inf
    assert ends_and_middle[1] == pytest.approx(1.0 + 1.0)  # each gap spans the whole range


def test_front_order_puts_the_front_first_by_its_first_objective() -> None:
    names = list(POINTS)
    order = [names[i] for i in front_order(list(POINTS.values()))]
    assert order == ["a", "f", "b", "c", "d", "e"]


def test_parego_weights_are_seeded_and_on_the_simplex() -> None:
    weights = random_weights(3, seed=7)
    assert weights == random_weights(3, seed=7) != random_weights(3, seed=8)
    assert sum(weights) == pytest.approx(1.0) and all(w > 0 for w in weights)


def test_chebyshev_scalarisation_prefers_what_the_weights_favour() -> None:
    low, high = (0.0, 0.0), (1.0, 10.0)
    accurate, small = (0.1, 9.0), (0.9, 1.0)
    assert scalarised(accurate, (0.9, 0.1), low, high) < scalarised(small, (0.9, 0.1), low, high)
    assert scalarised(small, (0.1, 0.9), low, high) < scalarised(accurate, (0.1, 0.9), low, high)


def ranks_by_every_pair(vectors: list[list[float]]) -> list[int]:
    """The definition itself: a point's front is one more than its worst dominator's."""
    order = sorted(range(len(vectors)), key=lambda i: tuple(vectors[i]))  # dominators first
    ranks = [0] * len(vectors)
    for k, i in enumerate(order):
        above = [ranks[j] for j in order[:k] if dominates(vectors[j], vectors[i])]
        ranks[i] = max(above) + 1 if above else 0
    return ranks


@pytest.mark.parametrize("width", [2, 3])
def test_fast_front_ranks_agree_with_the_definition_ties_included(width: int) -> None:
    """Two objectives go through the sort-based ranks, three through the sequential search;
    small integer values make ties and duplicates common."""
    rng = random.Random(width)
    for _ in range(150):
        span = rng.choice([1, 3, 40])
        vectors = [
            [float(rng.randint(0, span)) for _ in range(width)] for _ in range(rng.randint(0, 25))
        ]
        assert front_ranks(vectors) == ranks_by_every_pair(vectors), vectors
