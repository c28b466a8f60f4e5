"""engine.data.datasets: builtin loaders, CSV/NPZ files, seeded stratified splits and one-line errors."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from engine.data.catalog import BUILTIN, DEFAULT, describe_spec
from engine.data.datasets import Dataset, load_dataset
from engine.errors import DataError

OFFLINE = {  # name: (total samples, classes, input shape)
    "digits": (1797, 10, (8, 8)),
    "breast_cancer": (569, 2, (30,)),
    "iris": (150, 3, (4,)),
    "wine": (178, 3, (13,)),
    "mnist_5k": (5000, 10, (28, 28)),
}


@pytest.fixture(scope="module")
def loaded() -> dict[str, Dataset]:
    return {name: load_dataset(name) for name in OFFLINE}


def proportions(y: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(y, minlength=k) / len(y)


def expected_sizes(n: int, val: float = 0.2, test: float = 0.2) -> tuple[int, int, int]:
    n_test = int(np.ceil(test * n))
    n_val = int(np.ceil(val * (n - n_test)))
    return n - n_test - n_val, n_val, n_test


def error_of(spec: str, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        load_dataset(spec, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------- builtin datasets


def test_import_is_light() -> None:
    code = (
        "import sys, engine.data.datasets; "
        "heavy = [m for m in ('sklearn', 'keras', 'tensorflow', 'pandas', 'mlxtend') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_builtin_names() -> None:
    assert DEFAULT == "digits"
    assert set(OFFLINE) < set(BUILTIN)
    assert {"mnist", "fashion_mnist"} < set(BUILTIN)


@pytest.mark.parametrize("name", OFFLINE)
def test_builtin_shapes_dtypes_and_sizes(loaded: dict[str, Dataset], name: str) -> None:
    ds = loaded[name]
    total, k, shape = OFFLINE[name]
    assert ds.name == name
    assert ds.n_classes == k and len(ds.classes) == k
    assert ds.is_binary == (k == 2)
    assert ds.input_shape == shape
    parts = [(ds.x_train, ds.y_train), (ds.x_val, ds.y_val), (ds.x_test, ds.y_test)]
    assert tuple(len(y) for _, y in parts) == expected_sizes(total)
    for x, y in parts:
        assert x.dtype == np.float32 and y.dtype == np.int64
        assert x.shape == (len(y), *shape)
        assert y.min() == 0 and y.max() == k - 1
        assert np.isfinite(x).all()


@pytest.mark.parametrize("name", OFFLINE)
def test_builtin_splits_are_stratified(loaded: dict[str, Dataset], name: str) -> None:
    ds = loaded[name]
    whole = proportions(np.concatenate([ds.y_train, ds.y_val, ds.y_test]), ds.n_classes)
    for y in (ds.y_train, ds.y_val, ds.y_test):  # each part is within one sample per class
        expected = whole * len(y)
        assert np.abs(np.bincount(y, minlength=ds.n_classes) - expected).max() <= 1


@pytest.mark.parametrize("name", ["digits", "mnist_5k"])
def test_images_scaled_to_unit_range(loaded: dict[str, Dataset], name: str) -> None:
    ds = loaded[name]
    for x in (ds.x_train, ds.x_val, ds.x_test):
        assert x.min() == 0.0 and x.max() <= 1.0
    assert ds.x_train.max() == 1.0  # full-intensity pixels exist in both sets


@pytest.mark.parametrize("name", ["breast_cancer", "iris", "wine"])
def test_tabular_standardised_on_train_only(loaded: dict[str, Dataset], name: str) -> None:
    ds = loaded[name]
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(ds.x_train.std(axis=0), 1, atol=1e-4)
    # Fitted on train only: the test part's statistics are close to, but not exactly, 0 and 1.
    assert np.abs(ds.x_test.mean(axis=0)).max() > 1e-3


def test_mnist_5k_labels_are_balanced_digits(loaded: dict[str, Dataset]) -> None:
    ds = loaded["mnist_5k"]
    assert ds.classes == tuple(str(i) for i in range(10))
    all_y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    assert np.bincount(all_y).tolist() == [500] * 10
    # label is the last CSV column: an image's mean intensity must not look like a label column
    assert 0.05 < ds.x_train.mean() < 0.3


def test_class_names() -> None:
    assert load_dataset("iris").classes == ("setosa", "versicolor", "virginica")
    assert load_dataset("breast_cancer").classes == ("malignant", "benign")


def rows(*parts: np.ndarray) -> list[bytes]:
    """The samples of some parts as a sorted list: compares membership, not order."""
    return sorted(bytes(row) for part in parts for row in part.reshape(len(part), -1))


def test_same_seed_same_arrays_different_seed_different_split() -> None:
    a, b, c = (load_dataset("digits", seed=s) for s in (7, 7, 8))
    for field in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    for field in ("x_train", "x_val", "x_test"):  # other samples, not just another order
        assert rows(getattr(a, field)) != rows(getattr(c, field))


def test_split_fractions_are_respected() -> None:
    ds = load_dataset("digits", validation_split=0.25, test_split=0.1)
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == expected_sizes(1797, 0.25, 0.1)


def test_subsample_is_stratified_and_seeded() -> None:
    ds = load_dataset("digits", subsample=200, seed=3)
    sizes = (len(ds.y_train), len(ds.y_val), len(ds.y_test))
    assert sizes == expected_sizes(200)
    all_y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    assert np.bincount(all_y, minlength=10).min() >= 19  # ~18 of each digit in 1,797 -> 20
    again = load_dataset("digits", subsample=200, seed=3)
    np.testing.assert_array_equal(ds.x_train, again.x_train)
    other = load_dataset("digits", subsample=200, seed=4)
    chosen = rows(ds.x_train, ds.x_val, ds.x_test)
    assert chosen == rows(again.x_train, again.x_val, again.x_test)
    assert chosen != rows(other.x_train, other.x_val, other.x_test)


def test_subsample_larger_than_dataset_keeps_everything() -> None:
    ds = load_dataset("iris", subsample=10_000)
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 150


def test_subsample_too_small_names_the_minimum() -> None:
    message = error_of("iris", subsample=8)
    assert message.startswith("iris: subsample=8 is too small")
    minimum = int(message.rsplit(" ", 1)[1])
    load_dataset("iris", subsample=minimum)  # the stated minimum really works
    with pytest.raises(DataError):
        load_dataset("iris", subsample=minimum - 1)


def test_describe() -> None:
    ds = load_dataset("digits")
    train, val, test = expected_sizes(1797)
    assert ds.describe() == (
        f"digits: {train:,} train / {val} val / {test} test, 10 classes, input (8, 8)"
    )


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"validation_split": 0.0}, "validation_split"),
        ({"validation_split": 1.0}, "validation_split"),
        ({"test_split": -0.1}, "test_split"),
        ({"test_split": float("nan")}, "test_split"),
        ({"subsample": 0}, "subsample"),
        ({"subsample": 2.5}, "subsample"),
    ],
)
def test_bad_arguments(kwargs: dict, fragment: str) -> None:
    assert fragment in error_of("iris", **kwargs)


def test_unknown_name_lists_builtins() -> None:
    message = error_of("cifar")
    assert "'cifar'" in message
    assert all(name in message for name in BUILTIN)


def test_describe_spec_is_cheap(tmp_path: Path) -> None:
    assert describe_spec("digits").startswith("digits: ")
    assert all(describe_spec(name).startswith(f"{name}: ") for name in BUILTIN)
    assert describe_spec(str(tmp_path / "flowers.csv")) == "flowers.csv: CSV file"
    assert describe_spec(str(tmp_path / "pix.npz")) == "pix.npz: NPZ file"
    assert not (tmp_path / "flowers.csv").exists()
    (tmp_path / "flowers.csv").write_text("petal,sepal,Class\n1,2,a\n" + "3,4,b\n" * 10**5)
    assert describe_spec(str(tmp_path / "flowers.csv")) == (
        "flowers.csv: CSV file, 3 columns: petal, sepal, Class"
    ), "the header only"


# ---------------------------------------------------------------- Keras-cached MNIST


def test_uncached_mnist_never_imports_keras(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from engine.data.datasets import load_dataset\n"
        "try:\n    load_dataset('mnist')\nexcept Exception as exc:\n    print(exc)\n"
        "print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    )
    env = {**os.environ, "KERAS_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.splitlines() == [
        f"mnist: not cached at {tmp_path / 'datasets' / 'mnist.npz'} and this machine cannot "
        "download it; use mnist_5k for offline MNIST",
        "False False",
    ]


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_keras_dataset_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    start = time.monotonic()
    message = error_of(name)
    assert time.monotonic() - start < 2
    assert message.startswith(f"{name}: not cached at {tmp_path / 'datasets'}")
    assert "cannot download" in message and "mnist_5k" in message


def fake_images(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    y = np.arange(n, dtype=np.uint8) % 10
    x = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    x[:, 0, 0] = 255
    return x, y


def test_cached_mnist_npz_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    (x_tr, y_tr), (x_te, y_te) = fake_images(rng, 150), fake_images(rng, 50)
    (tmp_path / "datasets").mkdir()
    np.savez(
        tmp_path / "datasets" / "mnist.npz", x_train=x_tr, y_train=y_tr, x_test=x_te, y_test=y_te
    )
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    ds = load_dataset("mnist", seed=1)
    assert ds.input_shape == (28, 28) and ds.classes == tuple(str(i) for i in range(10))
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == expected_sizes(200)
    assert ds.x_train.dtype == np.float32 and ds.x_train.max() == 1.0
    # train+test were pooled and re-split: every cached image appears exactly once, scaled /255
    ours = np.concatenate([ds.x_train, ds.x_val, ds.x_test]).reshape(200, -1)
    theirs = np.concatenate([x_tr, x_te]).reshape(200, -1).astype(np.float32) / 255
    assert sorted(map(bytes, ours)) == sorted(map(bytes, theirs))


def test_cached_fashion_mnist_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    folder = tmp_path / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    for split, n in (("train", 80), ("t10k", 40)):
        x, y = fake_images(rng, n)
        (folder / f"{split}-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(bytes(8) + y.tobytes())
        )
        (folder / f"{split}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(bytes(16) + x.tobytes())
        )
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    ds = load_dataset("fashion_mnist")
    assert ds.classes[0] == "T-shirt/top" and ds.n_classes == 10
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 120
    assert ds.input_shape == (28, 28)


def test_corrupt_cached_mnist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mnist.npz").write_bytes(b"partial download")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert "unreadable" in error_of("mnist")


# ---------------------------------------------------------------- CSV files


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def csv_rows(labels: list[str], header: str = "a,b,target") -> str:
    rows = [f"{i},{i * 0.5 + i % 3},{label}" for i, label in enumerate(labels)]
    return "\n".join([header, *rows]) + "\n"


def test_csv_text_labels(tmp_path: Path) -> None:
    labels = ["setosa", "virginica", "versicolor"] * 10
    ds = load_dataset(write(tmp_path / "flowers.csv", csv_rows(labels)))
    assert ds.name == "flowers.csv"
    assert ds.classes == ("setosa", "versicolor", "virginica")
    assert ds.input_shape == (2,)
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == expected_sizes(30)
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0, atol=1e-5)
    # each class keeps its own rows: feature `a` is the row index, so labels follow it
    x = np.concatenate([ds.x_train, ds.x_val, ds.x_test])[:, 0]
    y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    order = np.argsort(x)
    names = [ds.classes[i] for i in y[order]]
    assert names == labels


def test_csv_numeric_labels_sort_numerically(tmp_path: Path) -> None:
    labels = ["10", "2", "1.0"] * 6
    ds = load_dataset(write(tmp_path / "n.csv", csv_rows(labels, "a,b,label")))
    assert ds.classes == ("1", "2", "10")


@pytest.mark.parametrize(
    ("header", "target", "expected"),
    [
        ("x,y,class", None, ("p", "q")),  # `class` column found by name
        ("kind,x,y", None, ("0.5", "1")),  # no known name: the last column
        ("kind,x,y", "kind", ("0", "1")),  # named target
    ],
)
def test_csv_target_column_choice(tmp_path: Path, header: str, target, expected) -> None:
    rows = [
        f"{i % 2},{i},{['p', 'q'][i % 2] if header.endswith('class') else [0.5, 1][i % 2]}"
        for i in range(20)
    ]
    path = write(tmp_path / "t.csv", "\n".join([header, *rows]) + "\n")
    ds = load_dataset(path, target=target)
    assert ds.classes == expected
    assert ds.input_shape == (2,)


def test_csv_target_named_label_beats_last_column(tmp_path: Path) -> None:
    rows = [f"{'ab'[i % 2]},{i},{i * 2}" for i in range(20)]
    ds = load_dataset(write(tmp_path / "l.csv", "\n".join(["label,x,y", *rows])))
    assert ds.classes == ("a", "b")


GOOD = "a,b,target\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(20))


@pytest.mark.parametrize(
    ("text", "kwargs", "fragments"),
    [
        ("", {}, ["empty file"]),
        ("\n\n", {}, ["empty file"]),
        ("a,b,target\n", {}, ["no data rows"]),
        (GOOD, {"target": "species"}, ["'species'", "columns: a, b, target"]),
        (GOOD.replace("5,5,1", "5,abc,1"), {}, ["column 'b'", "not numeric", "'abc'", "line 7"]),
        (
            GOOD.replace("5,5,1", "5,,1").replace("7,7,1", "7,NaN,1"),
            {},
            ["column 'b'", "missing values in 2 rows"],
        ),
        (GOOD.replace("3,3,1", "3,inf,1"), {}, ["column 'b'", "NaN/inf in 1 row ", "line 5"]),
        (GOOD.replace("3,3,1", "3,3,"), {}, ["target column 'target'", "missing values in 1 row "]),
        ("a,target\n" + "1,x\n" * 10, {}, ["target column 'target'", "only one class", "'x'"]),
        ("a,b,target\n1,2\n", {}, ["line 2", "2 fields"]),
        ("target\n1\n2\n", {}, ["no feature columns"]),
    ],
)
def test_csv_errors(tmp_path: Path, text: str, kwargs: dict, fragments: list[str]) -> None:
    path = write(tmp_path / "bad.csv", text)
    message = error_of(path, **kwargs)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_missing_csv_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.csv")
    assert error_of(path) == f"{path}: no such file"


def test_too_few_samples_per_class(tmp_path: Path) -> None:
    text = "a,target\n" + "".join(f"{i},{'x' if i < 2 else 'y'}\n" for i in range(30))
    message = error_of(write(tmp_path / "few.csv", text))
    assert "class 'x' has only 2 samples" in message and "at least 3" in message


# ---------------------------------------------------------------- NPZ files


def test_npz_images_with_given_test_part(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x_tr, y_tr = fake_images(rng, 100)
    x_te, y_te = fake_images(rng, 20)
    x_tr //= 2  # train max is 200 (pixel set below), test goes to 255: scale by train max only
    x_tr[:, 0, 0] = 200
    path = tmp_path / "pix.npz"
    np.savez(path, x_train=x_tr, y_train=y_tr, x_test=x_te, y_test=y_te)
    ds = load_dataset(str(path))
    assert ds.name == "pix.npz"
    assert len(ds.y_test) == 20 and len(ds.y_train) + len(ds.y_val) == 100
    np.testing.assert_array_equal(ds.y_test, y_te)
    np.testing.assert_allclose(ds.x_test, x_te / np.float32(200), rtol=1e-6)
    assert ds.x_train.max() == 1.0 and ds.x_test.max() == np.float32(255 / 200)
    # the given test part is fixed, so the seed only moves samples between train and validation
    other = load_dataset(str(path), seed=1)
    np.testing.assert_array_equal(other.x_test, ds.x_test)
    assert rows(other.x_val) != rows(ds.x_val)
    assert rows(other.x_train, other.x_val) == rows(ds.x_train, ds.x_val)


def test_npz_tabular_string_labels_split_off_test(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(5, 3, size=(60, 4))
    y = np.array(["cat", "dog", "emu"] * 20)
    path = tmp_path / "tab.npz"
    np.savez(path, x_train=x, y_train=y)
    ds = load_dataset(str(path))
    assert ds.classes == ("cat", "dog", "emu")
    assert (len(ds.y_train), len(ds.y_val), len(ds.y_test)) == expected_sizes(60)
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(ds.x_train.std(axis=0), 1, atol=1e-4)


def test_npz_int_labels_encoded(tmp_path: Path) -> None:
    path = tmp_path / "ints.npz"
    np.savez(path, x_train=np.arange(40.0).reshape(20, 2) / 40, y_train=np.array([3, 7] * 10))
    ds = load_dataset(str(path))
    assert ds.classes == ("3", "7")
    assert set(np.concatenate([ds.y_train, ds.y_val, ds.y_test]).tolist()) == {0, 1}


def npz_bytes(**arrays: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


X20, Y20 = np.ones((20, 3)), np.arange(20) % 2


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        (b"", ["not a valid .npz"]),
        (b"hello, not a zip file", ["not a valid .npz"]),
        (npz_bytes(x_train=X20), ["missing keys y_train", "found: x_train"]),
        (npz_bytes(data=X20), ["missing keys x_train, y_train", "found: data"]),
        (npz_bytes(x_train=X20, y_train=Y20, x_test=X20), ["missing keys y_test"]),
        (npz_bytes(x_train=X20, y_train=Y20[:15]), ["x_train has 20", "y_train has 15"]),
        (npz_bytes(x_train=np.where(X20 > 0, np.nan, 0), y_train=Y20), ["x_train", "NaN"]),
        (npz_bytes(x_train=X20, y_train=np.zeros(20)), ["y_train has only one class ('0')"]),
        (npz_bytes(x_train=X20, y_train=np.array([[0, 1]] * 20)), ["y_train must be 1-D"]),
        (npz_bytes(x_train=X20, y_train=Y20, x_test=X20, y_test=Y20 + 5), ["not in y_train"]),
        (npz_bytes(x_train=np.array([{"a": 1}] * 20), y_train=Y20), ["not a valid .npz"]),
        (
            npz_bytes(x_train=X20, y_train=Y20, x_test=np.ones((20, 4)), y_test=Y20),
            ["x_test samples have shape (4,), x_train (3,)"],
        ),
    ],
)
def test_npz_errors(tmp_path: Path, content: bytes, fragments: list[str]) -> None:
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    message = error_of(str(path))
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_npy_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "arr.npz"
    with path.open("wb") as handle:
        np.save(handle, X20)
    assert "not an .npz archive" in error_of(str(path))


def test_unsupported_existing_file(tmp_path: Path) -> None:
    path = write(tmp_path / "data.json", "{}")
    assert error_of(path) == f"{path}: unsupported file type; expected a .csv or .npz file"
