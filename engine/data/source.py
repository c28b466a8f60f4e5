"""A dataset's samples as loaded, before splitting: what every loader (builtin, file or the
user's own) hands to the split."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class _Source:
    """All samples before splitting; `scale` ("none", "standardize", "max", or "columns": a
    table's ColumnTransformer) is fitted on train."""

    x: np.ndarray
    y: np.ndarray
    classes: tuple[str, ...]
    scale: str = "none"
    test: tuple[np.ndarray, np.ndarray] | None = None
    val: tuple[np.ndarray, np.ndarray] | None = None
    task: str = "classification"
    target: str | None = None  # the column the labels came from, spelled as in the file
    files: tuple[str, ...] = ()  # the files read, hashed into the run's data recipe
    url: str | None = None  # where a downloaded file came from
    meta: dict | None = None  # more about the source for the recipe (e.g. an OpenML id)
    columns: dict | None = None  # a table's features, kinds, categories (scale "columns")
    note: str = ""  # what the plan should say about the labels (`regression.quantity_hint`)
