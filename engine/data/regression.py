"""Regression targets: which task a set of labels asks for, and seeded splits without strata.

Kept free of scikit-learn and of the dataset loaders so both the file readers and a user's
loader can share one rule for telling class labels from continuous targets.
"""

from __future__ import annotations

import math

import numpy as np

from engine.errors import DataError

TASKS = ("classification", "regression")


def infer_task(y: np.ndarray) -> str:
    """Text, integers and whole numbers are class labels, and so are exactly two distinct values
    (a binary column such as 0.5/1); any other floats are continuous regression targets."""
    if y.dtype.kind != "f" or bool(np.all(y == np.round(y))):
        return "classification"
    return "classification" if np.unique(y).size == 2 else "regression"


def resolve_task(y: np.ndarray, task: str | None, what: str) -> str:
    """The task for labels `y` (named `what` in errors): `task` when it fits, else inferred."""
    if task is None:
        return infer_task(y)
    if task not in TASKS:
        raise DataError(f"task must be classification or regression, got {task!r}")
    if task == "regression" and y.dtype.kind not in "biuf":
        example = y.reshape(-1)[0] if y.size else ""
        raise DataError(
            f"{what} holds text labels (e.g. {str(example)!r}); regression needs numeric targets"
        )
    if task == "classification" and infer_task(y) == "regression":
        example = next(v for v in y.reshape(-1) if v != round(v))
        raise DataError(
            f"{what} holds non-whole numbers (e.g. {float(example):g}); classification needs "
            "class labels (integers or text): use task regression"
        )
    return task


def split_targets(
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    val: float | None,
    test: float | None,
    subsample: int | None,
    fixed_val: tuple[np.ndarray, np.ndarray] | None = None,
    fixed_test: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_val, y_val, x_test, y_test): a seeded subsample, then seeded shuffle
    splits; `val`/`test` are None where that part is given (`fixed_val`/`fixed_test`)."""
    n = len(y)
    if subsample is not None and subsample < n:
        if _too_few(subsample, val, test):
            fits = (m for m in range(subsample, n + 1) if not _too_few(m, val, test))
            hint = f"the minimum is {m}" if (m := next(fits, None)) else "use the whole dataset"
            raise DataError(f"subsample={subsample} is too small to split; {hint}")
        pick = np.sort(np.random.default_rng(seed).choice(n, subsample, replace=False))
        x, y, n = x[pick], y[pick], subsample
    if problem := _too_few(n, val, test):
        raise DataError(problem)
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
