"""A search space as scikit-learn parameter grids, routed the scikeras way (`model__<name>`).

Conditional parameters split the grid into one dict per set of children their parent's values
enable, so the candidates are exactly `Space.grid()`; inactive subtrees stay at their defaults.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from sklearn.utils import check_random_state

from engine.space import Space
from engine.space.hyperparameters import Hyperparameter

DRAW_OVER = 10_000  # a random search draws from a longer range rather than listing it
OWN = ("batch_size", "epochs")  # KerasClassifier's own parameters; the rest go to the model


def routed(name: str) -> str:
    return name if name in OWN else f"model__{name}"


class _Draw:
    """A range as a scipy-style distribution: the space's own sampling, seeded by scikit-learn."""

    def __init__(self, hp: Hyperparameter) -> None:
        self.hp = hp

    def rvs(self, random_state: Any = None) -> Any:
        seed = int(check_random_state(random_state).randint(2**31 - 1))
        return self.hp.sample(random.Random(seed))


def _merge(parts: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [{k: v for p in combo for k, v in p.items()} for combo in itertools.product(*parts)]


def _branches(space: Space, name: str, draw: bool) -> list[dict[str, Any]]:
    """Sub-grids of `name` and its descendants: one per set of children its values enable."""
    hp = space.params[name]
    count = hp.count()
    if count is None or (draw and count > DRAW_OVER):  # drawn: its children drawn alongside
        drawn = [[{routed(name): _Draw(hp)}]]
        return _merge(drawn + [_branches(space, c.name, draw) for c in space.children(name)])
    groups: dict[tuple[str, ...], list[Any]] = {}
    for value in hp.values() or ():
        enabled = tuple(c.name for c in space.children(name) if value in c.when)
        groups.setdefault(enabled, []).append(value)
    out = []
    for active, chosen in groups.items():
        parts = [[{routed(name): chosen}]]
        for child in space.children(name):
            on = child.name in active
            parts.append(_branches(space, child.name, draw) if on else [_off(space, child.name)])
        out.extend(_merge(parts))
    return out


def _off(space: Space, name: str) -> dict[str, Any]:
    """An inactive subtree, fixed at its defaults, so it cannot multiply the grid."""
    out = {routed(name): [space.params[name].default]}
    for child in space.children(name):
        out.update(_off(space, child.name))
    return out


def param_grid(space: Space, draw: bool = False) -> list[dict[str, Any]]:
    """Dicts whose union is exactly `space.grid()` (`grid_size()` candidates); with `draw` (random
    search), continuous and very long ranges are drawn instead of listed."""
    return _merge([_branches(space, p.name, draw) for p in space.specs if p.parent is None])


def first_of_grid(space: Space, count: int) -> list[dict[str, Any]]:
    """The first `count` configurations of the grid, in its order (as Keras Tuner's GridSearch
    visits them when its trial budget is smaller than the grid)."""
    configs = itertools.islice(space.grid(), count)
    return [{routed(k): [v] for k, v in config.items()} for config in configs]
