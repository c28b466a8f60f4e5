"""A user's own data loader (`net.py:load`, `mypkg.data:load`): call it and check what it returns.

The loader returns `(x, y)` or a mapping with `x_train, y_train` and optionally `x_val, y_val`,
`x_test, y_test`. Its arrays are used as they are (any sample shape, no scaling: that stays the
user's choice), cast to float32; the parts it does not give are split off as for any dataset.
Every problem is one line naming the loader (`data: net.py:load: ...`).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from engine.data.catalog import is_loader
from engine.data.regression import resolve_task
from engine.data.source import _Source
from engine.errors import DataError
from engine.user.code import CodeRef

FIELD = "data"
_KEYS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")


def error_source(spec: str) -> str:
    """What a one-line error names: `data: net.py:load` for a loader, else the spec itself."""
    return f"{FIELD}: {spec.strip()}" if is_loader(spec) else spec


def resolve_loader(spec: str, task: str | None) -> tuple[str, Callable[[], _Source]]:
    """(dataset name, loader) for a code reference; only its form is checked here."""
    ref = CodeRef.parse(spec.strip(), FIELD)
    name = f"{Path(ref.target).name}:{ref.function}" if ref.is_file else str(ref)
    return name, lambda: load_source(ref, task)


def load_source(ref: CodeRef, task: str | None) -> _Source:
    """Import and call the loader, then check and encode what it returned."""
    from engine.model.builder import quiet_tensorflow

    quiet_tensorflow()  # a loader may import Keras: TensorFlow's start-up lines stay silent
    function = ref.load(FIELD)
    try:
        returned = function()
    except (Exception, SystemExit) as exc:
        message = " ".join(str(exc).split())
        err = DataError(
            f"{ref} raised {type(exc).__name__}" + (f": {message}" if message else ""),
            source=FIELD,
        )
        err.details = "".join(traceback.format_exception(exc))
        raise err from None
    return to_source(returned, task)


def to_source(returned: Any, task: str | None) -> _Source:
    """The loader's return value as an unsplit source (errors carry no source yet)."""
    given = _parts(returned)
    xs = {key: _features(given[key], key) for key in given if key.startswith("x")}
    ys = {key: _labels(given[key], key) for key in given if key.startswith("y")}
    for part in ("train", "val", "test"):
        if f"x_{part}" not in xs:
            continue
        x, y = xs[f"x_{part}"], ys[f"y_{part}"]
        if len(x) != len(y):
            raise DataError(f"x_{part} has {len(x)} samples but y_{part} has {len(y)}")
        if part != "train" and x.shape[1:] != xs["x_train"].shape[1:]:
            shapes = f"{x.shape[1:]}, x_train {xs['x_train'].shape[1:]}"
            raise DataError(f"x_{part} samples have shape {shapes}")
        if part != "train" and y.shape[1:] != ys["y_train"].shape[1:]:
            raise DataError(f"y_{part} has shape {y.shape} but y_train {ys['y_train'].shape}")
    encoded, classes, task = _encode(ys, task)
    pairs = {p: (xs[f"x_{p}"], encoded[f"y_{p}"]) for p in ("val", "test") if f"x_{p}" in xs}
    return _Source(
        xs["x_train"],
        encoded["y_train"],
        classes,
        test=pairs.get("test"),
        val=pairs.get("val"),
        task=task,
    )


def _parts(returned: Any) -> dict[str, Any]:
    """The named arrays the loader gave (a value of None counts as not given)."""
    if isinstance(returned, Mapping):
        given = {key: value for key, value in returned.items() if value is not None}
        if unknown := [str(key) for key in given if key not in _KEYS]:
            raise DataError(
                f"returned unknown keys {', '.join(unknown)}; expected x_train, y_train and "
                "optionally x_val, y_val, x_test, y_test"
            )
        if missing := [key for key in ("x_train", "y_train") if key not in given]:
            raise DataError(f"returned a mapping without {', '.join(missing)}")
        for part in ("val", "test"):
            if (f"x_{part}" in given) != (f"y_{part}" in given):
                have, lack = ("x", "y") if f"x_{part}" in given else ("y", "x")
                raise DataError(f"{have}_{part} given without {lack}_{part}")
        return given
    if isinstance(returned, tuple | list) and len(returned) == 2:
        return {"x_train": returned[0], "y_train": returned[1]}
    raise DataError(
        f"returned {_kind(returned)}; expected (x, y) or a mapping with x_train, y_train"
    )


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"an object of type {type(value).__name__}"


def _array(value: Any, key: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise DataError(f"{key} is not a rectangular array (samples of different sizes?)") from None
    if array.ndim == 0:
        raise DataError(f"{key} must be an array of samples, got {_kind(value)}")
    if len(array) == 0:
        raise DataError(f"{key} has no samples")
    return array


def _features(value: Any, key: str) -> np.ndarray:
    """x as float32, any sample shape (a 1-D x is one feature per sample)."""
    x = _array(value, key)
    if x.dtype.kind == "O":
        raise DataError(f"{key} has dtype object; expected a numeric array")
    if x.dtype.kind not in "biuf":
        raise DataError(f"{key} must be numeric, got dtype {x.dtype}")
    if x.dtype.kind == "f" and (bad := int((~np.isfinite(x)).sum())):
        raise DataError(f"{key} has {bad} NaN/inf values")
    return np.asarray(x.reshape(len(x), 1) if x.ndim == 1 else x, dtype=np.float32)


def _labels(value: Any, key: str) -> np.ndarray:
    """y as numbers or text; a (n, 1) column becomes (n,)."""
    y = _array(value, key)
    if y.dtype.kind == "O":
        if not all(isinstance(v, str) for v in y.reshape(-1)):
            raise DataError(f"{key} has dtype object; expected numbers or text labels")
        y = y.astype(str)
    if y.dtype.kind == "S":
        y = y.astype(str)
    if y.dtype.kind not in "biufU":
        raise DataError(f"{key} must be numbers or text labels, got dtype {y.dtype}")
    if y.dtype.kind == "f" and (bad := int((~np.isfinite(y)).sum())):
        raise DataError(f"{key} has {bad} NaN/inf values")
    y = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim > 2:
        raise DataError(f"{key} must be 1-D labels or 2-D rows (one-hot or targets), got {y.shape}")
    return y


def _one_hot(y: np.ndarray) -> bool:
    return y.dtype.kind in "biuf" and bool(np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all())


def _encode(
    ys: dict[str, np.ndarray], task: str | None
) -> tuple[dict[str, np.ndarray], tuple[str, ...], str]:
    """(labels of every part, class names, task): classes 0..k-1 in sorted order, one-hot rows
    as their column index, or float32 regression targets."""
    train = ys["y_train"]
    if train.ndim == 2 and task != "regression":
        if _one_hot(train):
            if bad := [key for key, y in ys.items() if not _one_hot(y)]:
                raise DataError(f"{bad[0]} is not one-hot like y_train")
            ys = {key: y.argmax(axis=1) for key, y in ys.items()}
            return _classes(ys, tuple(str(i) for i in range(train.shape[1])))
        if task == "classification" or train.dtype.kind not in "f":
            raise DataError(
                f"y_train has shape {train.shape} but its rows are not one-hot; classes need "
                "1-D labels or one-hot rows (several targets need task regression)"
            )
        task = "regression"
    if train.ndim == 2 or resolve_task(train, task, "y_train") == "regression":
        for key, y in ys.items():
            resolve_task(y, "regression", key)
        return {key: y.astype(np.float32) for key, y in ys.items()}, (), "regression"
    if mixed := [
        key for key, y in ys.items() if (y.dtype.kind == "U") != (train.dtype.kind == "U")
    ]:
        kinds = ("numbers", "text") if train.dtype.kind == "U" else ("text", "numbers")
        raise DataError(f"{mixed[0]} holds {kinds[0]} labels but y_train {kinds[1]}")
    uniq = np.unique(train)
    names = tuple(str(int(u)) if _whole(u) else str(u) for u in uniq)
    for key, y in ys.items():
        if unknown := sorted(set(np.setdiff1d(y, uniq).tolist())):
            raise DataError(f"{key} has labels not in y_train: {unknown}")
    return _classes({key: np.searchsorted(uniq, y) for key, y in ys.items()}, names)


def _classes(
    codes: dict[str, np.ndarray], names: tuple[str, ...]
) -> tuple[dict[str, np.ndarray], tuple[str, ...], str]:
    if (present := np.unique(codes["y_train"])).size < 2:
        raise DataError(f"y_train has only one class ({names[present[0]]!r}); need at least 2")
    return {key: y.astype(np.int64) for key, y in codes.items()}, names, "classification"


def _whole(u: np.generic) -> bool:
    kind = np.asarray(u).dtype.kind
    return kind in "biu" or (kind == "f" and bool(np.asarray(u) == np.round(np.asarray(u))))
