"""A scikit-learn `param_grid` over a scikeras wrapper, read as a tunedeck space.

scikeras routes a grid's keys: `model__NAME` to the model function's argument NAME,
`optimizer` and `optimizer__NAME` to the optimizer, `fit__NAME` to `fit`, and a bare name to
the wrapper (`batch_size`, `epochs`, `loss`) or, when the wrapper was given it, to the model
function. Here `batch_size`/`epochs` land in `training`, the optimizer and its learning rate,
momentum and first-moment decay in `optimizer`, and every other name in `params`, the user's
model's own (which tunedeck passes to a function that takes its values by name). `loss` is the
loss tunedeck compiles the model with. A key scikeras would not route, or that has no
equivalent, is one line naming it; nothing is dropped silently.

Keras's own wrappers (`keras.wrappers.SKLearnClassifier` / `SKLearnRegressor`, Keras ≥ 3.8)
take the model function's arguments as one `model_kwargs` dict and `fit`'s as `fit_kwargs`, so
their grids list whole dicts (`{"model_kwargs": [{"nodes": 8}, {"nodes": 16}]}`); each dict's
keys are read as `model__KEY` / `fit__KEY`. tunedeck searches a product of values: dicts that
are not every combination of their values are widened to it, and the note says so.

The grid may name a file's dict (`params: FILE.py:param_grid` in a space, `tunedeck space
--from FILE.py:param_grid`), read without running the file (`engine.space.literal`); the same
file's `KerasClassifier(model=create_model, epochs=100, …)` (or `SKLearnClassifier(model=…,
model_kwargs={…})`) gives the model and fixed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.errors import SpaceError
from engine.space.literal import PythonFile, literal_or_fail
from engine.space.model_source import KEYS as SOURCE_KEYS
from engine.space.schema import BY_NAME, GROUPS, MODEL_GROUPS, OPTIMIZERS
from engine.space.user_params import GROUP

FIELD = "params"
ROUTES = {
    "batch_size": "batch_size",
    "fit__batch_size": "batch_size",
    "epochs": "epochs",
    "fit__epochs": "epochs",
    "validation_split": "validation_split",
    "fit__validation_split": "validation_split",
    "optimizer": "optimizer",
    "model__optimizer": "optimizer",
    "optimizer__learning_rate": "learning_rate",
    "optimizer__lr": "learning_rate",
    "optimizer__momentum": "momentum",
    "optimizer__beta_1": "beta_1",
}
PREFIXES = ("model__", "fit__", "optimizer__", "compile__", "callbacks__", "loss__")
IGNORED = (
    "verbose",
    "random_state",
    "warm_start",
    "run_eagerly",
    "callbacks",
    "metrics",
    "shuffle",
    "class_weight",
    "jit_compile",
    "steps_per_execution",
    "loss_weights",
)
OPTIMIZER_CLASSES = {name.lower(): name for name in OPTIMIZERS}
KWARGS = {"model_kwargs": "model__", "fit_kwargs": "fit__"}  # keras.wrappers' dict parameters


def looks_like_grid(body: Any) -> bool:
    """Whether a `params` mapping is written as a param_grid (scikeras' routed `model__…`,
    `optimizer__…` keys) rather than as the model's own parameters."""
    return isinstance(body, Mapping) and any(
        isinstance(k, str) and ("__" in k or k in KWARGS) for k in body
    )


def grid_space(
    grid: Any, where: str, fixed: Mapping[str, Any] | None = None, builtin: bool = False
) -> tuple[dict[str, Any], str]:
    """(space-file groups, note) of a param_grid (a dict, or a list of one dict) and the
    wrapper's `fixed` keyword arguments (the grid's values win)."""
    if isinstance(grid, list):
        if len(grid) != 1:
            raise SpaceError(
                where,
                f"a list of {len(grid)} grids: tunedeck searches one grid; merge them "
                "into one dict (or run one space per grid)",
            )
        grid = grid[0]
    if not isinstance(grid, Mapping):
        raise SpaceError(where, f"a param_grid is a dict of lists, got {type(grid).__name__}")
    data: dict[str, Any] = {}
    moved: list[str] = []
    widened: list[str] = []
    plain = {k for k in (fixed or {}) if k not in KWARGS}  # the wrapper's own: one value each
    fixed = _spread(fixed or {}, where, widened)
    grid = _spread(grid, where, widened)
    given = {**{k: v for k, v in fixed.items() if k not in IGNORED}, **grid}
    for key, raw in given.items():
        path = f"{where}.{key}"
        if not isinstance(key, str):
            raise SpaceError(where, f"a key must be text, got {key!r}")
        name, group, spec_key = _route(key, path, builtin)
        value = _values(raw, path, name, single=key in plain and key not in grid)
        data.setdefault(group, {})[spec_key] = value
        if key in grid:
            moved.append(f"{key} → {group}.{spec_key}")
    note = f"read the param_grid {where}: " + ", ".join(moved) if moved else ""
    if widened:
        note += "; " + "; ".join(widened)
    return data, note


def _spread(grid: Mapping[Any, Any], where: str, widened: list[str]) -> dict[Any, Any]:
    """keras.wrappers' `model_kwargs` / `fit_kwargs` (a dict, or a grid's list of dicts) as
    scikeras' routed keys (`model__KEY: [values]`); every other key as it is."""
    out: dict[Any, Any] = {}
    for key, raw in grid.items():
        prefix = KWARGS.get(key) if isinstance(key, str) else None
        if prefix is None:
            out[key] = raw
            continue
        dicts = list(raw) if isinstance(raw, list | tuple) else [raw]
        path = f"{where}.{key}"
        if not dicts or not all(isinstance(d, Mapping) for d in dicts):
            raise SpaceError(path, "expected a dict of arguments, or a list of such dicts")
        values: dict[str, list[Any]] = {}
        for entry in dicts:
            for name, value in entry.items():
                if not isinstance(name, str):
                    raise SpaceError(path, f"an argument's name must be text, got {name!r}")
                if name not in values:
                    values[name] = []
                if value not in values[name]:
                    values[name].append(value)
        for name, options in values.items():
            if prefix == "fit__" and name in IGNORED:
                continue
            out[f"{prefix}{name}"] = options
        combos = 1
        for options in values.values():
            combos *= len(options)
        partial = any(set(values) - set(entry) for entry in dicts)
        if len(dicts) > 1 and (combos != len(dicts) or partial):
            widened.append(
                f"{key}: {len(dicts)} dicts searched as every combination of their values "
                f"({combos})"
            )
    return out


def _route(key: str, path: str, builtin: bool = False) -> tuple[str, str, str]:
    """(name, group, key in the group) of a grid key, as scikeras routes it; with no model of
    the user's (`builtin`), the model's arguments are the built-in model's parameters."""
    if key in ROUTES:
        spec = BY_NAME[ROUTES[key]]
        return spec.name, spec.group, spec.key
    prefix = next((p for p in PREFIXES if key.startswith(p)), None)
    if prefix == "model__":
        name = key.removeprefix(prefix)
        own = BY_NAME.get(name)
        if own is not None and (builtin or own.group not in MODEL_GROUPS):
            return own.name, own.group, own.key
        return name, GROUP, name
    if prefix is not None or "__" in key:
        known = ", ".join(k for k in ROUTES if "__" in k)
        raise SpaceError(
            path,
            f"tunedeck has no equivalent of this routed parameter (it takes model__NAME, {known})",
        )
    return key, GROUP, key


def _values(raw: Any, path: str, name: str, single: bool = False) -> Any:
    """A grid entry's space-file form: a list of one value is that value, a list a choice;
    `single`: the wrapper's keyword argument, one value whatever it is. A tuple or list value
    (`hidden_layer_sizes=(100,)`) is kept as its Python text, which the function receives as
    the tuple again (`engine.model.calling.plain_value`)."""
    values = [raw] if single else list(raw) if isinstance(raw, list | tuple) else [raw]
    if not values:
        raise SpaceError(path, "empty list: give at least one value")
    values = [_sequence_text(v, path) if isinstance(v, list | tuple) else v for v in values]
    for value in values:
        if value is None or not isinstance(value, bool | int | float | str):
            raise SpaceError(
                path, f"{value!r} is not a value a space can hold (numbers, text or true/false)"
            )
    if name == "optimizer":
        values = [_optimizer(v, path) for v in values]
    return values[0] if len(values) == 1 else values


def _sequence_text(value: list | tuple, path: str) -> str:
    """A tuple or list of plain values as the Python text a space holds: `"(50, 50)"`."""
    if not value or not all(isinstance(v, bool | int | float | str) for v in value):
        raise SpaceError(
            path,
            f"{value!r}: a tuple or list value must hold numbers, text or true/false",
        )
    return repr(value)


def _optimizer(value: Any, path: str) -> str:
    """Keras's optimizer names in any case (`SGD`, `Adam`, `rmsprop`) as the catalogue's."""
    found = OPTIMIZER_CLASSES.get(str(value).lower())
    if found is None:
        raise SpaceError(path, f"unknown optimizer {value!r} (known: {', '.join(OPTIMIZERS)})")
    return found


def from_file(
    ref: str, base_dir: str | None, named_model: bool = False
) -> tuple[dict[str, Any], str]:
    """(space-file groups with the model, note) of `FILE.py:NAME` naming a param_grid; the
    file's scikeras wrapper call gives the model function and its fixed values."""
    target, _, name = ref.rpartition(":")
    path = Path(base_dir or ".") / target
    source = PythonFile.read(path, FIELD)
    grid = literal_or_fail(source, name, FIELD)
    fixed: dict[str, Any] = {}
    data: dict[str, Any] = {}
    wrapper = source.wrapper()
    if wrapper is not None:
        _, function, fixed = wrapper
        if function is not None and function in source.functions():
            data["model"] = f"{target}:{function}"
    builtin = not named_model and "model" not in data
    groups, note = grid_space(grid, f"{target}:{name}", fixed, builtin)
    return {**data, **groups}, note


def expand(data: Mapping[str, Any], base_dir: str | None) -> tuple[dict[str, Any], str]:
    """A space file's data with a `params:` param_grid (a `FILE.py:NAME` reference or a
    routed mapping) spread into its groups (the file's own groups win), and a note of what
    went where; a file that is a param_grid itself becomes its space; other data unchanged."""
    body = data.get(GROUP)
    if _whole_grid(data):
        return grid_space(data, "param_grid", builtin=True)  # a YAML or JSON file holding one
    if isinstance(body, str):
        if not body.rpartition(":")[0].endswith(".py"):
            raise SpaceError(
                GROUP,
                f"expected a mapping of parameters or FILE.py:NAME naming a "
                f"param_grid, got {body!r}",
            )
        groups, note = from_file(body, base_dir, "model" in data)
    elif looks_like_grid(body):
        groups, note = grid_space(body, GROUP, builtin="model" not in data)
    else:
        return dict(data), ""
    out = {k: v for k, v in data.items() if k != GROUP}
    for group, values in groups.items():
        own = out.get(group)
        if group == "model" or (own is not None and not isinstance(own, Mapping)):
            out.setdefault(group, values)
        else:
            out[group] = {**values, **(own or {})}
    return out, note


def _whole_grid(data: Mapping[str, Any]) -> bool:
    """A file that is a param_grid itself: routed keys, no model or data keys, and no group
    holding a mapping (a grid's `optimizer` is a list of names, the group is a mapping)."""
    groups = {GROUP, *GROUPS}
    return (
        looks_like_grid(data)
        and not set(data) & set(SOURCE_KEYS)
        and not any(isinstance(v, Mapping) for k, v in data.items() if k in groups)
    )
