"""Seeded train/validation/test splits of source arrays, and scaling fitted on the train part.

This file is copied verbatim into exported standalone training scripts, so that the script
trains on exactly the arrays the search did: it imports only numpy, scikit-learn (inside the
functions, so importing it stays cheap) and the standard library, never another tunedeck module,
and has no `from __future__` import. Its errors are `SplitError`s (one line); the engine turns
them into `DataError`s.
"""

import hashlib
import math

import numpy as np


class SplitError(ValueError):
    """The data cannot be split as asked; the message is one line."""


def infer_task(y: np.ndarray) -> str:
    """Text, integers and whole numbers are class labels, and so are exactly two distinct values
    (a binary column such as 0.5/1); any other floats are continuous regression targets."""
    if y.dtype.kind != "f" or bool(np.all(y == np.round(y))):
        return "classification"
    return "classification" if np.unique(y).size == 2 else "regression"


def split_arrays(
    x: np.ndarray,
    y: np.ndarray,
    classes: tuple,
    *,
    task: str,
    seed: int,
    validation_split: float,
    test_split: float,
    subsample: int | None = None,
    scale="none",
    val: tuple | None = None,
    test: tuple | None = None,
) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_val, y_val, x_test, y_test) from all samples `x`, `y` (labels
    0..k-1 naming `classes`, or regression targets): a seeded subsample, then seeded splits
    (stratified for classification) of the parts not given (`val`/`test` pairs), then `scale`
    ("none", "standardize", "max", or a scikit-learn transformer) fitted on train. x comes out float32; y int64 labels or
    float32 targets."""
    test_part = None if test else test_split
    val_split = None if val else validation_split
    if task == "regression":
        parts = split_targets(x, y, seed, val_split, test_part, subsample, val, test)
    else:
        if subsample is not None and subsample < len(y):
            idx = _subsample(y, classes, subsample, seed, val_split, test_part)
            x, y = x[idx], y[idx]
        if problem := _unsplittable(
            np.bincount(y, minlength=len(classes)), classes, val_split, test_part
        ):
            raise SplitError(problem)
        parts = _split(x, y, seed, val_split, test_part, test, val)
    xs = _scale(scale, list(parts[0::2]))
    dtype = np.float32 if task == "regression" else np.int64
    ys = [np.asarray(part, dtype=dtype) for part in parts[1::2]]
    return xs[0], ys[0], xs[1], ys[1], xs[2], ys[2]


def split_targets(
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    val: float | None,
    test: float | None,
    subsample: int | None,
    fixed_val: tuple | None = None,
    fixed_test: tuple | None = None,
) -> tuple[np.ndarray, ...]:
    """Regression: a seeded subsample, then seeded shuffle splits (no strata); `val`/`test` are
    None where that part is given (`fixed_val`/`fixed_test`)."""
    n = len(y)
    if subsample is not None and subsample < n:
        if _too_few(subsample, val, test):
            fits = (m for m in range(subsample, n + 1) if not _too_few(m, val, test))
            hint = f"the minimum is {m}" if (m := next(fits, None)) else "use the whole dataset"
            raise SplitError(f"subsample={subsample} is too small to split; {hint}")
        pick = np.sort(np.random.default_rng(seed).choice(n, subsample, replace=False))
        x, y, n = x[pick], y[pick], subsample
    if problem := _too_few(n, val, test):
        raise SplitError(problem)
    order = np.random.default_rng(seed).permutation(n)
    n_test = math.ceil(test * n) if test is not None else 0
    n_val = math.ceil(val * (n - n_test)) if val is not None else 0
    test_idx, val_idx = order[:n_test], order[n_test : n_test + n_val]
    train_idx = np.sort(order[n_test + n_val :])
    x_va, y_va = fixed_val if fixed_val is not None else (x[val_idx], y[val_idx])
    x_te, y_te = fixed_test if fixed_test is not None else (x[test_idx], y[test_idx])
    return x[train_idx], y[train_idx], x_va, y_va, x_te, y_te


def _too_few(n: int, val: float | None, test: float | None) -> str | None:
    """Why n samples cannot give every part to be split off at least one sample, or None."""
    n_test = math.ceil(test * n) if test is not None else 0
    n_val = math.ceil(val * (n - n_test)) if val is not None else 0
    if (
        n - n_test - n_val < 1
        or (test is not None and n_test < 1)
        or (val is not None and n_val < 1)
    ):
        parts = "/".join(p for p, s in (("train", 1), ("val", val), ("test", test)) if s)
        return f"{n} samples are too few to split into {parts}"
    return None


def _quota(counts: np.ndarray, n: int) -> np.ndarray:
    """Samples per class for a stratified subsample of n (largest-remainder rounding)."""
    share = counts * n / counts.sum()
    take = np.floor(share).astype(np.int64)
    take[np.argsort(take - share, kind="stable")[: n - int(take.sum())]] += 1
    return take


def _unsplittable(counts: np.ndarray, classes, val: float | None, test: float | None) -> str | None:
    """Why sklearn cannot stratify these class counts (a class or a part too small), or None."""
    n, k, need = int(counts.sum()), len(counts), 1 + (val is not None) + (test is not None)
    if counts.min() < need:
        c = int(counts.argmin())
        return (
            f"class {classes[c]!r} has only {counts[c]} samples; each class needs at least {need}"
        )
    n_test = math.ceil(test * n) if test is not None else 0
    n_val = math.ceil(val * (n - n_test)) if val is not None else 0
    if min(n - n_test - n_val, k if val is None else n_val, k if test is None else n_test) < k:
        return f"{n} samples are too few to stratify {k} classes into train/val/test"
    return None


def _subsample(y: np.ndarray, classes, n: int, seed: int, val: float | None, test: float | None):
    """Indices of a stratified, seeded subsample of n; fails naming the smallest n that works."""
    counts = np.bincount(y, minlength=len(classes))
    if val and val > 0.2 and not _unsplittable(_quota(counts, n), classes, 0.2, test):
        if _unsplittable(_quota(counts, n), classes, val, test):  # the fraction is the cause
            raise SplitError(
                f"training.validation_split={val} leaves too few of the {n} "
                f"samples to train on {len(classes)} classes; lower it"
            )
    if _unsplittable(_quota(counts, n), classes, val, test):
        fits = (
            m for m in range(n, len(y)) if not _unsplittable(_quota(counts, m), classes, val, test)
        )
        hint = f"the minimum is {m}" if (m := next(fits, None)) else "use the whole dataset"
        raise SplitError(f"subsample={n} is too small to stratify {len(classes)} classes; {hint}")
    rng = np.random.default_rng(seed)
    take = _quota(counts, n)
    picks = [rng.choice(np.flatnonzero(y == c), t, replace=False) for c, t in enumerate(take)]
    return np.sort(np.concatenate(picks))


def _split(x, y, seed: int, val, test, fixed, fixed_val=None) -> tuple[np.ndarray, ...]:
    from sklearn.model_selection import train_test_split

    try:
        if fixed is None:
            x, x_te, y, y_te = train_test_split(x, y, test_size=test, stratify=y, random_state=seed)
        else:
            x_te, y_te = fixed
        if fixed_val is None:
            x_tr, x_va, y_tr, y_va = train_test_split(
                x, y, test_size=val, stratify=y, random_state=seed
            )
        else:
            (x_tr, y_tr), (x_va, y_va) = (x, y), fixed_val
    except ValueError as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise SplitError(f"cannot stratify the split: {message}") from None
    return x_tr, y_tr, x_va, y_va, x_te, y_te


def _scale(kind, xs: list[np.ndarray]) -> list[np.ndarray]:
    """Normalise train/val/test with statistics of the train part only. `kind` may also be a
    scikit-learn transformer (a table's columns): fitted on train unless it is already."""
    if not isinstance(kind, str):
        from sklearn.exceptions import NotFittedError
        from sklearn.utils.validation import check_is_fitted

        try:
            check_is_fitted(kind)
        except NotFittedError:
            kind.fit(xs[0])
        xs = [kind.transform(x) for x in xs]
    elif kind == "max":
        top = float(xs[0].max()) or 1.0
        xs = [x / top for x in xs]
    elif kind == "standardize":
        from sklearn.preprocessing import StandardScaler

        flat = [x.reshape(len(x), -1).astype(np.float64) for x in xs]
        scaler = StandardScaler().fit(flat[0])
        xs = [scaler.transform(f).reshape(x.shape) for f, x in zip(flat, xs, strict=True)]
    return [np.ascontiguousarray(x, dtype=np.float32) for x in xs]


def digest(arrays) -> str:
    """sha256 over the arrays' dtypes, shapes and bytes: the data recipe's fingerprint of the
    split a run trained on, which the exported script checks its own arrays against."""
    found = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        found.update(f"{array.dtype.str}{array.shape}".encode())
        found.update(array.tobytes())
    return found.hexdigest()
