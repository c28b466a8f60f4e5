"""A user's own data loader (`net.py:load`), regression targets and the `diabetes` builtin."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from engine.data.catalog import BUILTIN, describe_spec, is_loader
from engine.data.datasets import Dataset, load_dataset
from engine.errors import DataError, InputError


def expected_sizes(n: int, val: float = 0.2, test: float = 0.2) -> tuple[int, int, int]:
    n_test = int(np.ceil(test * n))
    n_val = int(np.ceil(val * (n - n_test)))
    return n - n_test - n_val, n_val, n_test


def sizes(ds: Dataset) -> tuple[int, int, int]:
    return len(ds.y_train), len(ds.y_val), len(ds.y_test)


def rows(*parts: np.ndarray) -> list[bytes]:
    """The samples of some parts as a sorted list: compares membership, not order."""
    return sorted(bytes(np.ascontiguousarray(r)) for p in parts for r in p.reshape(len(p), -1))


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder: a loader file named relatively is found from here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def loader(folder: Path, body: str, name: str = "net") -> str:
    """Write `def load(): <body>` (numpy imported as np) to folder/name.py; its reference."""
    code = "import numpy as np\n\n\ndef load():\n" + textwrap.indent(textwrap.dedent(body), "    ")
    (folder / f"{name}.py").write_text(code)
    return f"{name}.py:load"


# A small tabular set: 60 samples of 4 features whose first column is the sample's index.
TABLE = """
x = np.arange(240, dtype=np.float64).reshape(60, 4) * 1.5
y = np.arange(60) % 3
"""


def test_tuple_loader_is_split_stratified_and_unscaled(here: Path) -> None:
    ds = load_dataset(loader(here, TABLE + "return x, y\n"), seed=3)
    assert ds.name == "net.py:load" and ds.task == "classification"
    assert ds.classes == ("0", "1", "2") and ds.n_outputs == 3 and not ds.is_binary
    assert sizes(ds) == expected_sizes(60) and ds.input_shape == (4,)
    for x, y in ((ds.x_train, ds.y_train), (ds.x_val, ds.y_val), (ds.x_test, ds.y_test)):
        assert x.dtype == np.float32 and y.dtype == np.int64
        assert np.bincount(y, minlength=3).max() - np.bincount(y, minlength=3).min() <= 1
        np.testing.assert_array_equal(y, (x[:, 0] / 6).astype(int) % 3)  # labels follow rows
    original = (np.arange(240).reshape(60, 4) * 1.5).astype(np.float32)
    assert rows(ds.x_train, ds.x_val, ds.x_test) == rows(original)  # no scaling
    again = load_dataset("net.py:load", seed=3)
    np.testing.assert_array_equal(again.x_val, ds.x_val)
    assert ds.describe().endswith("3 classes, input (4,)")


def test_mapping_with_given_validation_and_test_parts(here: Path) -> None:
    body = TABLE + (
        "return {'x_train': x[:40], 'y_train': y[:40], 'x_val': x[40:50], 'y_val': y[40:50],\n"
        "        'x_test': x[50:], 'y_test': y[50:]}\n"
    )
    ds = load_dataset(loader(here, body), seed=5, validation_split=0.5, test_split=0.5)
    x = (np.arange(240).reshape(60, 4) * 1.5).astype(np.float32)
    y = np.arange(60) % 3
    np.testing.assert_array_equal(ds.x_test, x[50:])  # exactly the given test part, in order
    np.testing.assert_array_equal(ds.y_test, y[50:])
    np.testing.assert_array_equal(ds.x_val, x[40:50])
    np.testing.assert_array_equal(ds.y_val, y[40:50])
    np.testing.assert_array_equal(ds.x_train, x[:40])  # nothing left to split off
    assert ds.y_train.dtype == np.int64


def test_given_test_part_only_splits_validation_from_train(here: Path) -> None:
    body = (
        TABLE
        + "return {'x_train': x[:45], 'y_train': y[:45], 'x_test': x[45:], 'y_test': y[45:]}\n"
    )
    ds = load_dataset(loader(here, body))
    x = (np.arange(240).reshape(60, 4) * 1.5).astype(np.float32)
    np.testing.assert_array_equal(ds.x_test, x[45:])
    assert (len(ds.y_train), len(ds.y_val)) == (36, 9)
    assert rows(ds.x_train, ds.x_val) == rows(x[:45])
    assert np.bincount(ds.y_val).tolist() == [3, 3, 3]  # stratified within the given train part
    small = load_dataset("net.py:load", subsample=30)  # only the train part is subsampled
    np.testing.assert_array_equal(small.x_test, x[45:])
    assert (len(small.y_train), len(small.y_val)) == (24, 6)
    assert set(rows(small.x_train, small.x_val)) < set(rows(x[:45]))


def test_given_validation_part_only_splits_test_from_train(here: Path) -> None:
    body = (
        TABLE + "return {'x_train': x[:45], 'y_train': y[:45], 'x_val': x[45:], 'y_val': y[45:]}\n"
    )
    ds = load_dataset(loader(here, body))
    x = (np.arange(240).reshape(60, 4) * 1.5).astype(np.float32)
    np.testing.assert_array_equal(ds.x_val, x[45:])
    assert (len(ds.y_train), len(ds.y_test)) == (36, 9)
    assert rows(ds.x_train, ds.x_test) == rows(x[:45])


def test_digit_images_keep_their_shape(here: Path) -> None:
    body = (
        "from sklearn.datasets import load_digits\n"
        "d = load_digits()\n"
        "return d.images[..., None], d.target\n"
    )
    ds = load_dataset(loader(here, body), subsample=300)
    assert ds.input_shape == (8, 8, 1)
    assert ds.x_train.shape == (len(ds.y_train), 8, 8, 1) and ds.x_test.shape[1:] == (8, 8, 1)
    assert ds.x_train.dtype == np.float32 and ds.x_train.max() == 16.0  # not rescaled
    assert ds.classes == tuple(str(i) for i in range(10)) and sizes(ds) == expected_sizes(300)


def test_string_labels_are_encoded_in_sorted_order(here: Path) -> None:
    body = "x = np.arange(30.0)[:, None]\ny = np.array(['owl', 'cat', 'dog'] * 10, dtype=object)\n"
    ds = load_dataset(loader(here, body + "return x, list(y)\n"))
    assert ds.classes == ("cat", "dog", "owl")
    x = np.concatenate([ds.x_train, ds.x_val, ds.x_test])[:, 0].astype(int)
    y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    names = np.array(["owl", "cat", "dog"])[x % 3]
    assert [ds.classes[i] for i in y] == names.tolist()


def test_one_hot_labels_become_class_indices(here: Path) -> None:
    body = "y = np.arange(40) % 4\nreturn np.arange(80.0).reshape(40, 2), np.eye(4)[y]\n"
    ds = load_dataset(loader(here, body))
    assert ds.classes == ("0", "1", "2", "3") and ds.y_train.ndim == 1
    np.testing.assert_array_equal(ds.y_train, (ds.x_train[:, 0] / 2).astype(int) % 4)


DIABETES_LIKE = """
from sklearn.datasets import load_diabetes
d = load_diabetes()
return d.data, d.target / 7
"""


def test_float_targets_are_inferred_as_regression(here: Path) -> None:
    ds = load_dataset(loader(here, DIABETES_LIKE), seed=2)
    assert ds.task == "regression" and ds.classes == () and ds.n_outputs == 1
    assert not ds.is_binary and ds.n_classes == 0
    assert sizes(ds) == expected_sizes(442)
    from sklearn.datasets import load_diabetes

    d = load_diabetes()
    y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    assert y.dtype == np.float32 and ds.y_val.dtype == np.float32
    np.testing.assert_array_equal(np.sort(y), np.sort((d.target / 7).astype(np.float32)))
    # unstratified: the targets and their rows travel together and are unscaled
    x = np.concatenate([ds.x_train, ds.x_val, ds.x_test])
    order = np.lexsort(x.T[::-1])
    np.testing.assert_array_equal(x[order], d.data.astype(np.float32)[np.lexsort(d.data.T[::-1])])
    assert ds.describe() == (
        "net.py:load: 282 train / 71 val / 89 test, regression, 1 target, input (10,)"
    )
    other = load_dataset("net.py:load", seed=3)
    assert rows(other.x_test) != rows(ds.x_test)


def test_several_regression_targets(here: Path) -> None:
    body = "x = np.linspace(0, 1, 50)[:, None]\nreturn x, np.hstack([x, x ** 2, x / 3]) + 0.01\n"
    ds = load_dataset(loader(here, body))
    assert ds.task == "regression" and ds.n_outputs == 3 and ds.y_train.shape[1:] == (3,)
    assert ds.describe().endswith("regression, 3 targets, input (1,)")


def test_task_forces_regression_on_integer_targets(here: Path) -> None:
    spec = loader(here, "return np.arange(40.0)[:, None], np.arange(40) % 5\n")
    assert load_dataset(spec).task == "classification"
    ds = load_dataset(spec, task="regression")
    assert ds.task == "regression" and ds.y_train.dtype == np.float32 and ds.classes == ()
    assert load_dataset(spec, task="classification").classes == ("0", "1", "2", "3", "4")


def test_two_distinct_float_values_are_classes(here: Path) -> None:
    ds = load_dataset(loader(here, "return np.arange(20.0), np.array([0.5, 1.0] * 10)\n"))
    assert ds.task == "classification" and ds.classes == ("0.5", "1")


@pytest.mark.parametrize(
    ("body", "task", "message"),
    [
        (
            "return np.arange(20.0), ['a', 'b'] * 10\n",
            "regression",
            "data: net.py:load: y_train holds text labels (e.g. 'a'); regression needs numeric "
            "targets",
        ),
        (
            "return np.arange(20.0), np.arange(20) / 3\n",
            "classification",
            "data: net.py:load: y_train holds non-whole numbers (e.g. 0.333333); classification "
            "needs class labels (integers or text): use task regression",
        ),
        ("return np.arange(20.0), np.arange(20) % 2\n", "ranking", "task must be classification"),
    ],
)
def test_task_contradicting_the_labels(here: Path, body: str, task: str, message: str) -> None:
    with pytest.raises(DataError) as info:
        load_dataset(loader(here, body), task=task)
    assert str(info.value).startswith(message)


def test_builtin_task_contradiction() -> None:
    with pytest.raises(DataError, match="^iris is a classification dataset, not regression$"):
        load_dataset("iris", task="regression")
    with pytest.raises(DataError, match="^diabetes is a regression dataset, not classification$"):
        load_dataset("diabetes", task="classification")


def test_diabetes_builtin() -> None:
    assert "diabetes" in BUILTIN
    assert describe_spec("diabetes").startswith("diabetes: ") and "regression" in describe_spec(
        "diabetes"
    )
    ds = load_dataset("diabetes", task="regression")
    assert ds.task == "regression" and ds.input_shape == (10,) and sizes(ds) == expected_sizes(442)
    assert ds.classes == () and ds.n_outputs == 1
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.float32
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0, atol=1e-5)  # standardised on train
    np.testing.assert_allclose(ds.x_train.std(axis=0), 1, atol=1e-4)
    assert ds.y_train.min() >= 25 and ds.y_train.max() <= 346  # targets unscaled
    assert ds.describe().startswith("diabetes: 282 train / 71 val / 89 test, regression, 1 target")


def test_regression_subsample_is_seeded_and_unstratified() -> None:
    ds = load_dataset("diabetes", subsample=100, seed=4)
    assert sizes(ds) == expected_sizes(100)
    again = load_dataset("diabetes", subsample=100, seed=4)
    other = load_dataset("diabetes", subsample=100, seed=5)
    chosen = rows(ds.y_train, ds.y_val, ds.y_test)
    assert chosen == rows(again.y_train, again.y_val, again.y_test)
    assert chosen != rows(other.y_train, other.y_val, other.y_test)
    with pytest.raises(
        DataError, match="^diabetes: subsample=2 is too small to split; the minimum is 3$"
    ):
        load_dataset("diabetes", subsample=2)
    assert sizes(load_dataset("diabetes", subsample=3)) == (1, 1, 1)


def test_csv_and_npz_regression(tmp_path: Path) -> None:
    lines = ["a,b,price", *(f"{i},{i % 7},{i * 1.25 + 0.1:.2f}" for i in range(30))]
    (tmp_path / "house.csv").write_text("\n".join(lines) + "\n")
    ds = load_dataset(str(tmp_path / "house.csv"), target="price")
    assert ds.task == "regression" and ds.y_train.dtype == np.float32
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0, atol=1e-5)  # features standardised
    y = np.sort(np.concatenate([ds.y_train, ds.y_val, ds.y_test]))
    np.testing.assert_allclose(y, np.arange(30) * 1.25 + 0.1, rtol=1e-6)  # target unscaled
    whole = load_dataset(str(tmp_path / "house.csv"), target="a", task="regression")
    assert whole.task == "regression" and whole.classes == ()
    path = tmp_path / "r.npz"
    np.savez(path, x_train=np.arange(60.0).reshape(30, 2), y_train=np.arange(30) * 0.3)
    assert load_dataset(str(path)).task == "regression"
    with pytest.raises(DataError, match="y_train holds non-whole numbers"):
        load_dataset(str(path), task="classification")
    x, y = np.arange(80.0).reshape(40, 2), np.arange(40) * 0.3
    np.savez(path, x_train=x[:30], y_train=y[:30], x_test=x[30:], y_test=y[30:])
    ds = load_dataset(str(path), task="regression")
    np.testing.assert_array_equal(ds.y_test, y[30:].astype(np.float32))  # the given test part
    assert (len(ds.y_train), len(ds.y_val)) == (24, 6)
    np.savez(path, x_train=x, y_train=np.array(["a", "b"] * 20))
    with pytest.raises(DataError, match=r"r\.npz: y_train holds text labels \(e\.g\. 'a'\)"):
        load_dataset(str(path), task="regression")


def test_importable_module_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loader(tmp_path, TABLE + "return x, y\n", name="tunedeck_test_mydata")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "tunedeck_test_mydata", raising=False)
    ds = load_dataset("tunedeck_test_mydata:load")
    assert ds.name == "tunedeck_test_mydata:load" and sizes(ds) == expected_sizes(60)


def test_absolute_file_reference(tmp_path: Path) -> None:
    spec = str(tmp_path / loader(tmp_path, TABLE + "return x, y\n"))
    assert load_dataset(spec).name == "net.py:load"


def test_what_reads_as_a_loader() -> None:
    assert is_loader("net.py:load") and is_loader("pkg.data:load") and is_loader("/a/b c.py:f")
    assert not any(is_loader(s) for s in ("digits", "a.csv", "runs/10:00.csv", "s3://b/x.npz"))


# ---------------------------------------------------------------- bad input

X = "x = np.arange(100.0).reshape(50, 2)\ny = np.arange(50) % 2\n"
BAD = [
    (
        "return 5\n",
        "returned an object of type int; expected (x, y) or a mapping with x_train, y_train",
    ),
    ("return x, y, y\n", "returned a tuple of 3 items; expected (x, y)"),
    ("return None\n", "returned None; expected"),
    ("return {'x_train': x}\n", "returned a mapping without y_train"),
    ("return {'x_train': x, 'y_train': y, 'x_valid': x}\n", "returned unknown keys x_valid; "),
    ("return np.ones((100, 2)), np.arange(90) % 2\n", "x_train has 100 samples but y_train has 90"),
    ("x[3, 1] = np.nan\nreturn x, y\n", "x_train has 1 NaN/inf values"),
    ("y = y.astype(float)\ny[:2] = np.inf\nreturn x, y\n", "y_train has 2 NaN/inf values"),
    ("return x.astype(object), y\n", "x_train has dtype object; expected a numeric array"),
    ("return np.array([['a', 'b']] * 50), y\n", "x_train must be numeric, got dtype <U1"),
    (
        "return [[1, 2], [3]], [0, 1]\n",
        "x_train is not a rectangular array (samples of different sizes?)",
    ),
    (
        "return x, np.array([None, 'a'] * 25)\n",
        "y_train has dtype object; expected numbers or text labels",
    ),
    ("return x, np.ones(50, dtype=int)\n", "y_train has only one class ('1'); need at least 2"),
    ("return {'x_train': x, 'y_train': y, 'x_val': x}\n", "x_val given without y_val"),
    ("return {'x_train': x, 'y_train': y, 'y_test': y}\n", "y_test given without x_test"),
    (
        "return {'x_train': x, 'y_train': y, 'x_val': np.ones((5, 3)), 'y_val': y[:5]}\n",
        "x_val samples have shape (3,), x_train (2,)",
    ),
    (
        "return {'x_train': x, 'y_train': y, 'x_test': np.ones((5, 2, 1)), 'y_test': y[:5]}\n",
        "x_test samples have shape (2, 1), x_train (2,)",
    ),
    (
        "return {'x_train': x, 'y_train': y, 'x_test': x[:5], 'y_test': np.arange(5) + 1}\n",
        "y_test has labels not in y_train: [2, 3, 4, 5]",
    ),
    ("return x[:6], y[:6]\n", "6 samples are too few to stratify 2 classes into train/val/test"),
    ("return x[:2], np.array([0.5, 1.5])\n", "class '0.5' has only 1 samples"),
    (
        "return x, np.ones((50, 2), dtype=int)\n",
        "y_train has shape (50, 2) but its rows are not one-hot",
    ),
]


@pytest.mark.parametrize(("body", "message"), BAD)
def test_bad_loader_output(here: Path, body: str, message: str) -> None:
    with pytest.raises(DataError) as info:
        load_dataset(loader(here, X + body))
    text = str(info.value)
    assert "\n" not in text and isinstance(info.value, InputError)
    assert text.startswith("data: net.py:load: ") and message in text


def test_too_few_regression_samples(here: Path) -> None:
    with pytest.raises(DataError) as info:
        load_dataset(
            loader(here, "return np.ones((2, 3)), np.array([0.1, 0.7])\n"), task="regression"
        )
    assert (
        str(info.value) == "data: net.py:load: 2 samples are too few to split into train/val/test"
    )


def test_loader_raising(here: Path) -> None:
    spec = loader(here, "raise ValueError('no such table:\\n  sales')\n")
    with pytest.raises(DataError) as info:
        load_dataset(spec)
    assert str(info.value) == "data: net.py:load raised ValueError: no such table: sales"
    assert info.value.details.startswith("Traceback (most recent call last):")
    assert "net.py" in info.value.details and "ValueError: no such table:" in info.value.details


def test_module_raising_on_import(here: Path) -> None:
    (here / "net.py").write_text("import numpy\n\nraise RuntimeError('no GPU found')\n")
    with pytest.raises(InputError) as info:
        load_dataset("net.py:load")
    assert str(info.value) == "data: importing net.py raised RuntimeError: no GPU found"
    assert "Traceback" in info.value.details and "RuntimeError: no GPU found" in info.value.details


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nothere.py:load", "data: no such file nothere.py"),
        ("net.py:fetch", "data: net.py has no function 'fetch'"),
        ("net.py:9lives", "data: '9lives' is not a Python function name"),
        ("tunedeck_no_such_module:load", "data: no module named 'tunedeck_no_such_module'"),
    ],
)
def test_loader_reference_not_found(here: Path, spec: str, message: str) -> None:
    loader(here, TABLE + "return x, y\n")
    with pytest.raises(InputError) as info:
        load_dataset(spec)
    assert str(info.value) == message
