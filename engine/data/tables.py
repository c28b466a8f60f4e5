"""Tables (CSV and Parquet files): one target column and feature columns of numbers or text.

A column is numeric when every value present is a number (true/false count as 1/0), text when
none is; a CSV column that
mixes both is refused naming the first odd value and its line (a typo far more often than a
category). Missing feature values are imputed after the split (see `engine.data.columns`);
a missing target, or an infinite number, is refused with a line naming the column and the
first row. The encoding and transform live in `columns.py` so that exported scripts embed them.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from engine.data.catalog import headerless, positions
from engine.data.columns import (
    encode_column,
    frame_columns,
    is_missing,
    labels_of,
    target_index,
    text_categories,
    to_number,
)
from engine.data.memory import TABLE_BYTES_PER_VALUE, check_fits, check_table
from engine.data.regression import encode_labels, quantity_hint, resolve_task
from engine.data.source import _Source
from engine.errors import DataError


def csv_source(path: Path, target: str | None, task: str | None = None) -> _Source:
    """A CSV file with a header row, or none (its first line numbers only: the columns are
    numbered from 0); the line number of a problem is the file's own."""
    from engine.data.catalog import csv_columns

    check_table(path, max(len(csv_columns(path)), 1))  # before its text is read into memory
    header, lines, rows = _read_csv(path)
    return table_source(
        header, [list(c) for c in zip(*rows, strict=True)], lines, target, task, path
    )


def parquet_source(path: Path, target: str | None, task: str | None = None) -> _Source:
    """A Parquet file (read with pyarrow); a problem names its row, counted from 1."""
    import pandas as pd

    _check_parquet_size(path)
    try:
        frame = pd.read_parquet(path, engine="pyarrow")
    except (OSError, ValueError, ImportError) as exc:
        raise DataError(f"not a readable Parquet file: {_one_line(exc)}") from None
    if frame.empty:
        raise DataError("no rows" if len(frame.columns) else "no columns")
    header = [str(c) for c in frame.columns]
    for name in frame.columns:
        kind = frame[name].dtype
        if kind.kind in "mMcV":  # datetimes, durations, complex numbers, raw bytes
            raise DataError(f"column {name!r} has type {kind}; expected numbers or text")
    columns = frame_columns(frame)
    return table_source(header, columns, list(range(1, len(frame) + 1)), target, task, path, "row")


def _check_parquet_size(path: Path) -> None:
    """Rows × columns from the file's footer, against the memory their loading takes (a
    Parquet file compresses a column of one repeated value to almost nothing)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
    except (OSError, ValueError):
        return  # not Parquet: the reader says so
    rows, columns = int(meta.num_rows), int(meta.num_columns)
    check_fits(f"its {rows:,} rows × {columns} columns", rows * columns * TABLE_BYTES_PER_VALUE)


def table_source(
    header: list[str],
    columns: list[list[Any]],
    lines: list[int],
    target: str | None,
    task: str | None,
    path: Path | None,
    unit: str = "line",
) -> _Source:
    """Split off the target column, classify and encode the feature columns."""
    col = target_column(header, target)
    if len(header) < 2:
        raise DataError(f"no feature columns besides target column {header[col]!r}")
    what = f"target column {header[col]!r}"
    if gaps := [n for v, n in zip(columns[col], lines, strict=True) if is_missing(v)]:
        raise DataError(
            f"{what} has missing values in {_rows(len(gaps))} (first at {unit} {gaps[0]})"
        )
    y_raw = labels_of(columns[col])
    features = [j for j in range(len(header)) if j != col]
    kinds = [_kind(header[j], columns[j], lines, unit) for j in features]
    vocab = [
        text_categories(columns[j]) if k == "text" else None
        for j, k in zip(features, kinds, strict=True)
    ]
    x = np.stack(
        [encode_column(columns[j], k, v) for j, k, v in zip(features, kinds, vocab, strict=True)],
        axis=1,
    )
    table = {
        "features": [header[j] for j in features],
        "kinds": kinds,
        "categories": {header[j]: v for j, v in zip(features, vocab, strict=True) if v is not None},
        "missing": {header[j]: n for j in features if (n := sum(map(is_missing, columns[j])))},
    }
    files = (str(path),) if path is not None else ()
    source: dict[str, Any] = {"target": header[col], "files": files, "columns": table}
    if resolve_task(y_raw, task, what) == "regression":
        return _Source(x, y_raw.astype(np.float32), (), "columns", task="regression", **source)
    y, classes = encode_labels(y_raw, what)
    return _Source(x, y, classes, scale="columns", note=quantity_hint(y_raw, task), **source)


def _kind(name: str, values: list[Any], lines: list[int], unit: str) -> str:
    """ "numeric" or "text"; a column mixing both, holding inf, or holding nothing is refused."""
    present = [(v, n) for v, n in zip(values, lines, strict=True) if not is_missing(v)]
    if not present:
        raise DataError(f"column {name!r} has no values")
    numbers, odd = [], None
    for value, n in present:
        try:
            numbers.append((to_number(value), n))
        except (ValueError, TypeError):
            odd = odd or (value, n)
    if not numbers:
        return "text"
    if odd is not None:
        raise DataError(
            f"column {name!r} is not numeric: {odd[0]!r} at {unit} {odd[1]} (it mixes numbers "
            "and text)"
        )
    if bad := [n for v, n in numbers if not np.isfinite(v)]:
        raise DataError(
            f"column {name!r} has NaN/inf in {_rows(len(bad))} (first at {unit} {bad[0]})"
        )
    return "numeric"


def target_column(header: list[str], target: str | None) -> int:
    """The target column's index (see `columns.target_index`); an unknown name is refused."""
    index = target_index(header, target)
    if index is None:
        raise DataError(f"no target column {target!r}; columns: {', '.join(header)}")
    return int(index)


def _read_csv(path: Path) -> tuple[list[str], list[int], list[list[str]]]:
    """(header, line number of each data row, data rows), skipping blank lines."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            numbered = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"not a readable CSV text file: {_one_line(exc)}") from None
    if not numbered:
        raise DataError("empty file")
    header = [h.strip() for h in numbered[0][1]]
    if headerless(header):  # numbers only: the first line is data, its columns numbered
        header, numbered = positions(len(header)), [(0, [])] + numbered
    if len(numbered) == 1:
        raise DataError("no data rows below the header")
    for line, row in numbered[1:]:
        if len(row) != len(header):
            raise DataError(f"line {line} has {len(row)} fields but the header has {len(header)}")
    return header, [n for n, _ in numbered[1:]], [row for _, row in numbered[1:]]


def describe_columns(table: dict[str, Any], n_out: int) -> dict[str, Any]:
    """The recipe's preprocessing entry for a table."""
    return {
        "transform": "scikit-learn ColumnTransformer fitted on the train split (preprocess.joblib)",
        "columns": dict(zip(table["features"], table["kinds"], strict=True)),
        "one_hot": table["categories"],
        "imputed": table["missing"],
        "features_out": n_out,
    }


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
