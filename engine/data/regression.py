"""Which task a set of labels asks for, checked against the task the user named.

Shared by the file readers and a user's loader, so both tell class labels from continuous
targets by one rule (`engine.data.splits.infer_task`, which exported scripts embed too).
"""

from __future__ import annotations

import numpy as np

from engine.data.splits import infer_task
from engine.errors import DataError

TASKS = ("classification", "regression")
# Whole numbers taken as class labels look like quantities (counts, years, prices) past this
# many distinct values, or past MANY_SHARE of the rows once there are more than FEW of them.
MANY_CLASSES = 20
MANY_SHARE = 0.05
FEW_CLASSES = 10


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


def quantity_hint(y: np.ndarray, task: str | None) -> str:
    """The plan's word when classification was inferred from numbers that are all whole but
    many: they may be quantities, which the user says with the task (not an error)."""
    if task is not None or y.dtype.kind != "f" or y.ndim != 1 or not whole(y):
        return ""
    distinct = int(np.unique(y).size)
    if distinct <= MANY_CLASSES and (distinct <= FEW_CLASSES or distinct <= MANY_SHARE * y.size):
        return ""
    return (
        f"the target's {distinct} distinct whole numbers are taken as {distinct} classes: if "
        "they are quantities, use --task regression"
    )


def encode_labels(values: np.ndarray, what: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Labels to 0..k-1 in sorted order (numeric order for numbers); needs two classes."""
    uniq, codes = np.unique(values, return_inverse=True)
    names = tuple(str(int(u)) if whole(u) else str(u) for u in uniq)
    if len(uniq) < 2:
        raise DataError(f"{what} has only one class ({names[0]!r}); need at least 2")
    return codes.reshape(-1).astype(np.int64), names


def whole(x: np.ndarray | np.generic) -> bool:
    """Integer dtype, or floats that are all whole numbers (labels 1.0, pixels 0.0..255.0)."""
    kind = np.asarray(x).dtype.kind
    return kind in "biu" or (kind == "f" and bool(np.all(x == np.round(x))))
