"""Which task a set of labels asks for, checked against the task the user named.

Shared by the file readers and a user's loader, so both tell class labels from continuous
targets by one rule (`engine.data.splits.infer_task`, which exported scripts embed too).
"""

from __future__ import annotations

import numpy as np

from engine.data.splits import infer_task
from engine.errors import DataError

TASKS = ("classification", "regression")


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
