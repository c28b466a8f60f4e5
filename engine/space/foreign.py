"""Search spaces written for other tools, read as tunedeck spaces and written back.

The part `convert_wandb` and `convert_nni` share (`engine.space.converted` picks one): known
names (the catalogue's own, and common spellings such as `lr`, `units`, `num_layers`) land in
their groups, every other name in `params`, for a model of the user's. Anything without an
equivalent is a one-line error naming the parameter; nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from engine.errors import SpaceError
from engine.space.hyperparameters import Boolean, Choice, Fixed, Hyperparameter, Int
from engine.space.params import parse_param
from engine.space.schema import BY_NAME, MODEL_GROUPS
from engine.space.user_params import GROUP, parse_user_params

if TYPE_CHECKING:
    from engine.space.search_space import Space

ALIASES = {
    "lr": "learning_rate",
    "learning_rate_init": "learning_rate",
    "optimiser": "optimizer",
    "epoch": "epochs",
    "num_epochs": "epochs",
    "n_epochs": "epochs",
    "max_epochs": "epochs",
    "batch": "batch_size",
    "beta1": "beta_1",
    "dropout_rate": "dropout",
    "units": "nodes",
    "hidden_units": "nodes",
    "num_units": "nodes",
    "hidden_size": "nodes",
    "num_layers": "layers",
    "n_layers": "layers",
    "hidden_layers": "layers",
}
LIST_UP_TO = 10_000  # a finite range longer than this is written as a range, not its values


def place(
    params: Mapping[str, Any], path: Callable[[str], str], what: str
) -> tuple[dict[str, Any], str]:
    """The space-file form of converted parameters (`{name: file form}`), each checked where
    it lands; errors name the parameter as the source file does (`path(name)`)."""
    canon = {name: ALIASES.get(name, name) for name in params}
    data: dict[str, Any] = {}
    moved: list[str] = []
    taken: dict[str, str] = {}
    for name, raw in params.items():
        target = BY_NAME.get(canon[name])
        if target is not None:
            if target.name in taken:
                raise SpaceError(path(name), f"{taken[target.name]} already gives {target.path}")
            taken[target.name] = name
            _checked(path(name), parse_param, target, raw)
            data.setdefault(target.group, {})[target.key] = raw
            moved.append(f"{name} → {target.path}")
        else:
            _checked(path(name), parse_user_params, {name: raw}, {})
            data.setdefault(GROUP, {})[name] = raw
            moved.append(f"{name} → {GROUP}.{name}")
    family = BY_NAME["family"]
    needs = {t.key for n in params if (t := BY_NAME.get(canon[n])) and t.parent == family.name}
    if needs and family.name not in canon.values():  # else they would be inactive (mlp)
        data.setdefault(family.group, {})[family.key] = "cnn"
        moved.append(f"{family.path} = cnn (for {', '.join(sorted(needs))})")
    note = f"converted {what}: " + ", ".join(moved)
    if GROUP in data:
        note += (
            f"; {GROUP} are your own model's (name it: model: FILE.py:FUNCTION, and move "
            f"{', '.join(MODEL_GROUPS)} into {GROUP})"
            if set(data) & set(MODEL_GROUPS)
            else f"; {GROUP} are your own model's (name it: model: FILE.py:FUNCTION)"
        )
    return data, note


def _checked(path: str, parse: Callable[..., Any], *args: Any) -> None:
    """`parse(*args)`, its error re-attributed to the parameter as the source file names it."""
    try:
        parse(*args)
    except SpaceError as exc:
        detail = exc.message.partition(": ")[2] if exc.path else exc.message
        raise SpaceError(path, detail or exc.message) from None


def exported(space: Space, tool: str) -> list[tuple[str, Hyperparameter]]:
    """(name, hyperparameter) of what an export writes: the model's own parameters and every
    catalogue parameter not left at its default (a re-import restores the rest)."""
    out = []
    for spec in space.specs:
        hp = space.params[spec.name]
        if spec.group != GROUP and hp == Fixed(spec.default):
            continue
        if spec.group == GROUP and spec.parent is not None and hp.count() != 1:
            raise SpaceError(
                spec.path,
                f"a parameter that depends on {spec.parent} has no {tool} equivalent; "
                "fix it to one value first",
            )
        out.append((spec.name, hp))
    return out


def finite_values(hp: Hyperparameter) -> list[Any] | None:
    """Every value to list in an export, or None for a range written as a range."""
    if isinstance(hp, Fixed | Choice | Boolean):
        return list(hp.values())
    count = hp.count()
    if count is None or (count > LIST_UP_TO and isinstance(hp, Int) and hp.step == 1):
        return None
    return list(hp.values() or ())


def number(raw: Any, path: str, kind: type = float) -> Any:
    """A number from a foreign file (an int where `kind` is int); a one-line error otherwise."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise SpaceError(path, f"expected a number, got {raw!r}")
    if kind is int:
        if isinstance(raw, float) and not raw.is_integer():
            raise SpaceError(path, f"expected an integer, got {raw!r}")
        return int(raw)
    return raw


def stepped(low: Any, high: Any, q: Any, path: str) -> dict[str, Any]:
    """A range of multiples of `q` (values `round(x / q) * q`) as a stepped range."""
    if q <= 0:
        raise SpaceError(path, f"q must be > 0, got {q!r}")
    for bound in (low, high):
        if abs(round(bound / q) * q - bound) > 1e-9 * max(1.0, abs(bound)):
            raise SpaceError(path, f"{bound!r} is not a multiple of q={q!r}: no exact equivalent")
    kind = "int" if all(isinstance(v, int) for v in (low, high, q)) else "float"
    return {"type": kind, "min": low, "max": high, "step": q}
