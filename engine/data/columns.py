"""A table's feature columns as numbers, and the scikit-learn transform that prepares them.

Before the split, every column becomes float64: numbers as they are, text as the index of its
value among the column's sorted distinct values; a missing value is NaN. After the split, one
`ColumnTransformer` fitted on the train part only imputes (median of a numeric column, most
frequent value of a text one), scales numeric columns and one-hot encodes text ones (a value
never seen in train encodes as all zeros).

This file is copied verbatim into exported standalone training scripts, like `splits.py`: it
imports only numpy, scikit-learn (inside the functions) and the standard library, never another
tunedeck module, and has no `from __future__` import.
"""

import math

import numpy as np

MISSING = {"", "na", "n/a", "nan", "null", "none", "<na>"}


def is_missing(value) -> bool:
    """None, a float NaN, or text that spells a missing value ("", "NA", "null", ...)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value.strip().lower() in MISSING


def to_number(value) -> float:
    """A number, or true/false (as a CSV spells a boolean) as 1/0; anything else raises
    ValueError or TypeError."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return float(value.strip().lower() == "true")
    return float(value)


def encode_column(values, kind: str, categories=None) -> np.ndarray:
    """One column as float64: a "numeric" column's numbers (booleans 1/0), or a "text" column's values as
    indices into `categories` (its sorted distinct values unless given); NaN where missing."""
    if kind == "numeric":
        return np.array([np.nan if is_missing(v) else to_number(v) for v in values])
    text = [None if is_missing(v) else str(v).strip() for v in values]
    if categories is None:
        categories = text_categories(text)
    index = {value: i for i, value in enumerate(categories)}
    return np.array([np.nan if v is None else index.get(v, np.nan) for v in text])


def text_categories(values) -> list:
    """A text column's distinct values, sorted, without missing ones."""
    return sorted({str(v).strip() for v in values if not is_missing(v)})


def header_and_rows(rows: list) -> tuple:
    """(column names, data rows) of a CSV's non-blank rows: a first row of numbers only is
    data (no header, as `np.savetxt` writes), its columns numbered from 0."""
    first = [cell.strip() for cell in rows[0]]
    try:
        [float(cell) for cell in first]
    except ValueError:
        return first, rows[1:]
    return [str(i) for i in range(len(first))], rows


def target_index(header: list, target):
    """The target column's index: `target` as spelled (None when no column is); without a
    target, a column named target, label or class in any case (`Class`), else the last."""
    if target is None:
        lowered = [h.lower() for h in header]
        auto = next((lowered.index(n) for n in ("target", "label", "class") if n in lowered), -1)
        return auto % len(header)
    return header.index(target) if target in header else None


def labels_of(values) -> np.ndarray:
    """A target column as float64 numbers when every value is one, else as text."""
    labels = [v.strip() if isinstance(v, str) else v for v in values]
    try:
        return np.array(labels, dtype=np.float64)
    except (ValueError, TypeError):
        return np.array([str(v) for v in labels])


def frame_columns(frame) -> list:
    """A pandas DataFrame's columns as lists: numbers (and booleans) as floats with NaN where
    missing, anything else as Python objects with None where missing."""
    import pandas as pd

    columns = []
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            columns.append(series.astype("float64").tolist())
        else:
            columns.append([None if pd.isna(v) else v for v in series.astype(object)])
    return columns


def column_transformer(kinds: list):
    """The unfitted transform of columns of these kinds ("numeric" or "text"), in order."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [i for i, kind in enumerate(kinds) if kind == "numeric"]
    text = [i for i, kind in enumerate(kinds) if kind == "text"]
    parts = []
    if numeric:
        scaled = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        parts.append(("numeric", scaled, numeric))
    if text:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=np.float64)
        parts.append(
            ("text", make_pipeline(SimpleImputer(strategy="most_frequent"), encoder), text)
        )
    return ColumnTransformer(parts, sparse_threshold=0.0)
