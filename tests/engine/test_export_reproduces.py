"""The exported standalone script reproduces the run's reported test score, on any data.

Each case runs a real (tiny) Keras Tuner search headless, exports the script into a folder other
than the project's (so a user's files are imported by a path relative to the script), runs the
script with plain `python` and no PYTHONPATH, and compares its printed score with best.yaml's
`test_score` to 4 decimals. A fast check without TensorFlow compares the script's data arrays
with the engine's for every kind of source (NPZ files, loaders returning every form, CSV labels
whose text order differs from their numeric order, ...).
"""

from __future__ import annotations

import ast
import csv
import os
import runpy
import subprocess
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import yaml

from engine.data.datasets import load_dataset
from engine.data.recipe import recipe_of
from engine.export.script import standalone_script
from engine.run.settings import RunSettings
from engine.space import Space

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"TF_CPP_MIN_LOG_LEVEL": "3"}
SEARCH = (
    "--backend",
    "keras-tuner",
    "--algorithm",
    "random",
    "--max-trials",
    "2",
    "--epochs",
    "2",
    "--seed",
    "3",
    "--quiet",
)

CNN = """
import keras
import numpy as np
from sklearn.datasets import load_digits


def load():
    digits = load_digits()
    return digits.images[:300, :, :, None] / 16.0, digits.target[:300]


def build(hp, input_shape, n_outputs):
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(hp["filters"], 3, activation="relu")(inputs)
    x = keras.layers.Dropout(0.1)(keras.layers.Flatten()(x))
    return keras.Model(inputs, keras.layers.Dense(n_outputs, activation="softmax")(x))
"""
CNN_SPACE = """model: net.py:build
data: net.py:load
objective: val_accuracy
params:
  filters: [4, 8]
training:
  batch_size: [16, 32]
"""
REGRESSOR = """
import keras


def build(hp, input_shape, task, **unused):
    assert task == "regression" and not isinstance(hp, dict)
    inputs = keras.Input(input_shape)
    x = keras.layers.Dense(hp["units"], activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(unused["n_outputs"])(x))
"""
REGRESSOR_SPACE = """model: models/reg.py:build
task: regression
objective: val_loss
params:
  units: [8, 16]
optimizer:
  learning_rate: [0.01, 0.05]
"""


def wine_csv(path: Path) -> None:
    """Three wine features after the class, as labels 2, 10, 30 (their text order differs from
    their numeric order)."""
    from sklearn.datasets import load_wine

    wine = load_wine()
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cultivar", *wine.feature_names[:3]])
        for row, label in zip(wine.data, wine.target, strict=True):
            writer.writerow([(2, 10, 30)[label], *row[:3]])


def cancer_csv(path: Path) -> None:
    """Four breast cancer features after the diagnosis, as text labels."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["diagnosis", *data.feature_names[:4]])
        for row, label in zip(data.data, data.target, strict=True):
            writer.writerow([data.target_names[label], *row[:4]])


def cancer_npz(path: Path) -> None:
    """Breast cancer as whole-number features (scaled by their maximum) with a fixed test part."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    x, y = np.round(data.data[:, :8] * 10).astype(np.int32), np.where(data.target, "b", "m")
    np.savez(path, x_train=x[:400], y_train=y[:400], x_test=x[400:], y_test=y[400:])


def tunedeck(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


def reproduce(root: Path, *args: str, space: str = "", files: dict[str, str] | None = None):
    """(script's printed line, best.yaml, script text) of a search on `args` in `root`."""
    project, exports = root / "project", root / "exports"
    for name, text in (files or {}).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    project.mkdir(exist_ok=True)
    exports.mkdir()
    if space:
        (project / "space.yaml").write_text(space)
    search = tunedeck(
        "run",
        *(["project/space.yaml"] if space else []),
        *args,
        *SEARCH,
        "--run-dir",
        "run",
        cwd=root,
    )
    assert search.returncode == 0, search.stderr
    best = yaml.safe_load((root / "run" / "best.yaml").read_text())
    written = tunedeck("export", "run", "--format", "python", "-o", "exports/train.py", cwd=root)
    assert written.returncode == 0, written.stderr
    script = (exports / "train.py").read_text()
    done = subprocess.run(
        [sys.executable, "train.py"],
        cwd=exports,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1], best, script


def assert_standalone(script: str, path: Path) -> None:
    """Plain Python that imports no tunedeck package (and lints clean where ruff is at hand)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(script)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    assert not names & {"engine", "tui", "tunedeck"}, names
    if (ruff := Path(sys.executable).with_name("ruff")).exists():
        lint = subprocess.run(
            [ruff, "check", "--isolated", "--select", "E,F,W,B", "--ignore", "E501", path],
            capture_output=True,
            text=True,
        )
        assert lint.returncode == 0, lint.stdout


def constant(script: str, name: str) -> object:
    tree = ast.parse(script)
    return next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == name
    )


@pytest.mark.slow
def test_a_subsampled_builtin_dataset(tmp_path: Path) -> None:
    line, best, script = reproduce(tmp_path, "--dataset", "digits", "--subsample", "500")
    assert line == f"test accuracy: {best['test_score']:.4f}"
    assert constant(script, "SUBSAMPLE") == 500 and constant(script, "DATASET") == "digits"
    recipe = best["data_recipe"]  # the script trains on the recorded subsample, not all digits
    assert recipe["rows"]["source"] == 1797 and recipe["subsample"] == 500
    assert sum(recipe["rows"][part] for part in ("train", "val", "test")) == 500
    assert constant(script, "DATA_SHA256") == recipe["sha256"]
    assert_standalone(script, tmp_path / "exports" / "train.py")


def iris_csv(path: Path) -> None:
    """Iris with its species in a first column spelled `Class`."""
    from sklearn.datasets import load_iris

    iris = load_iris()
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Class", "sepal length", "sepal width", "petal length", "petal width"])
        for row, label in zip(iris.data, iris.target, strict=True):
            writer.writerow([iris.target_names[label], *row])


@pytest.mark.slow
def test_a_csv_target_column_found_case_insensitively(tmp_path: Path) -> None:
    """`Class`, the first column, is the target the engine finds by name in any case."""
    (tmp_path / "project").mkdir()
    iris_csv(tmp_path / "project" / "iris.csv")
    line, best, script = reproduce(tmp_path, "--dataset", "project/iris.csv")
    assert line == f"test accuracy: {best['test_score']:.4f}"
    assert best["data_recipe"]["target"] == "Class" and constant(script, "TARGET") == "Class"


@pytest.mark.slow
def test_a_csv_with_a_target_column_and_an_auc_objective(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    cancer_csv(tmp_path / "project" / "cancer.csv")
    line, best, _ = reproduce(
        tmp_path,
        "--dataset",
        "project/cancer.csv",
        "--target",
        "diagnosis",
        "--objective",
        "val_auc",
    )
    assert line == f"test auc: {best['test_score']:.4f}"


@pytest.mark.slow
def test_a_parquet_table_with_text_columns_and_gaps(tmp_path: Path) -> None:
    """One-hot text, imputed gaps, string labels: the script applies the run's saved
    ColumnTransformer and reproduces the score."""
    from tests.engine.test_tables import write_parquet

    (tmp_path / "project").mkdir()
    write_parquet(tmp_path / "project" / "customers.parquet")
    line, best, script = reproduce(tmp_path, "--dataset", "project/customers.parquet")
    assert line == f"test accuracy: {best['test_score']:.4f}"
    assert best["data_recipe"]["preprocessing"]["one_hot"] == {"colour": ["blue", "green", "red"]}
    assert constant(script, "PREPROCESS") == str((tmp_path / "run" / "preprocess.joblib").resolve())


@pytest.mark.slow
def test_a_user_cnn_and_loader(tmp_path: Path) -> None:
    line, best, script = reproduce(tmp_path, space=CNN_SPACE, files={"net.py": CNN})
    assert line == f"test accuracy: {best['test_score']:.4f}"
    assert best["hyperparameters"]["filters"] in (4, 8)
    assert constant(script, "DATASET") == "../project/net.py:load"
    assert constant(script, "MODEL") == "../project/net.py:build"
    assert_standalone(script, tmp_path / "exports" / "train.py")


@pytest.mark.slow
def test_a_user_regression_model_on_diabetes(tmp_path: Path) -> None:
    line, best, _ = reproduce(
        tmp_path, "--dataset", "diabetes", space=REGRESSOR_SPACE, files={"models/reg.py": REGRESSOR}
    )
    assert line == f"test loss: {best['test_score']:.4f}"
    assert best["task"] == "regression"


LOADERS = """
import numpy as np


def rng():
    return np.random.default_rng(0)


def text_labels():
    return rng().normal(size=60), np.array(["cat", "dog", "emu"] * 20)


def parts_one_hot():
    x, y = rng().normal(size=(90, 2, 3)), np.eye(3)[np.arange(90) % 3]
    return {"x_train": x[:60], "y_train": y[:60], "x_val": x[60:75], "y_val": y[60:75],
            "x_test": x[75:], "y_test": y[75:], "unused": None}


def two_targets():
    return rng().normal(size=(50, 4)), rng().normal(size=(50, 2)) + 0.5


def whole_targets():
    return rng().normal(size=(40, 3)), np.arange(40)
"""


def sources(folder: Path) -> list[tuple[str, dict]]:
    """(dataset spec, settings and space task) for every way the engine reads data."""
    wine_csv(folder / "wine.csv")
    cancer_csv(folder / "cancer.csv")
    cancer_npz(folder / "cancer.npz")
    (folder / "loaders.py").write_text(LOADERS)
    with (folder / "reg.csv").open("w") as handle:
        handle.write("a,Label\n" + "".join(f"{i % 7},{i * 0.37:.2f}\n" for i in range(40)))
    np.savez(folder / "reg.npz", x_train=np.arange(30.0), y_train=np.linspace(0.1, 3.3, 30))
    loader = str(folder / "loaders.py")
    return [
        ("digits", {"subsample": 300, "seed": 3}),
        ("iris", {}),
        ("diabetes", {"subsample": 100, "seed": 4}),
        ("mnist_5k", {"subsample": 200}),
        (str(folder / "wine.csv"), {"target": "cultivar"}),
        (str(folder / "cancer.csv"), {"target": "diagnosis", "subsample": 100}),
        (str(folder / "reg.csv"), {}),
        (str(folder / "cancer.npz"), {"seed": 1}),
        (str(folder / "reg.npz"), {}),
        (f"{loader}:text_labels", {}),
        (f"{loader}:parts_one_hot", {"subsample": 30}),
        (f"{loader}:two_targets", {}),
        (f"{loader}:whole_targets", {"task": "regression"}),
    ]


def test_the_script_applies_the_recorded_recipe_and_its_fingerprint(tmp_path: Path) -> None:
    """No target named, a first column spelled `Class` found by its name: the script reads
    the recipe's spelling and rebuilds the very arrays the recipe's sha256 fingerprints."""
    iris_csv(tmp_path / "iris.csv")
    settings = RunSettings(dataset=str(tmp_path / "iris.csv"), subsample=90, seed=5)
    space = Space.from_dict({})
    ds = load_dataset(settings.dataset, seed=5, subsample=90)
    recipe = recipe_of(ds, settings, 0.2, 0.2)
    record = {
        "hyperparameters": space.defaults(),
        "trial_id": "0",
        "backend": "keras-tuner",
        "algorithm": "random",
        "retrain_epochs": 1,
        "data_recipe": recipe,
        "objective": {"metric": "val_loss", "direction": "min"},
    }
    path = tmp_path / "train.py"
    path.write_text(standalone_script(record, settings, space, path))
    assert constant(path.read_text(), "TARGET") == "Class"
    with mock.patch.dict(sys.modules, {"keras": mock.MagicMock()}):
        script = runpy.run_path(str(path), run_name="checked")
        _, _, *arrays = script["load_data"]()
    assert script["digest"](arrays) == recipe["sha256"] == constant(path.read_text(), "DATA_SHA256")


def test_the_script_loads_and_splits_every_source_as_the_engine_does(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "exports").mkdir()
    for i, (spec, options) in enumerate(sources(tmp_path / "project")):
        task = options.pop("task", None)
        settings = RunSettings(dataset=spec, **options)
        space = Space.from_dict({"task": task} if task else {})
        record = {
            "hyperparameters": space.defaults(),
            "trial_id": "0",
            "backend": "keras-tuner",
            "algorithm": "random",
            "retrain_epochs": 1,
            "objective": {"metric": "val_loss", "direction": "min"},
        }
        path = tmp_path / "exports" / f"train_{i}.py"
        path.write_text(standalone_script(record, settings, space, path))
        with mock.patch.dict(sys.modules, {"keras": mock.MagicMock()}):
            script = runpy.run_path(str(path), run_name="checked")
            task_, n_outputs, *arrays = script["load_data"]()
        ds = load_dataset(
            spec,
            seed=settings.seed,
            subsample=settings.subsample,
            target=settings.target,
            task=task,
        )
        assert (task_, n_outputs) == (ds.task, ds.n_outputs), spec
        expected = [ds.x_train, ds.y_train, ds.x_val, ds.y_val, ds.x_test, ds.y_test]
        for got, want in zip(arrays, expected, strict=True):
            assert got.dtype == want.dtype and got.shape == want.shape, spec
            assert np.array_equal(got, want), spec


def test_a_script_whose_files_moved_says_which_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The script was exported beside a project; moved apart (or the data deleted), it says
    which file it cannot find, in one line, exit status 2, instead of a traceback."""
    (tmp_path / "project").mkdir()
    (tmp_path / "exports").mkdir()
    table = tmp_path / "project" / "iris.csv"
    iris_csv(table)
    settings, space = RunSettings(dataset=str(table)), Space.from_dict({})
    record = {
        "hyperparameters": space.defaults(),
        "trial_id": "0",
        "backend": "keras-tuner",
        "algorithm": "random",
        "retrain_epochs": 1,
        "objective": {"metric": "val_accuracy", "direction": "max"},
    }
    path = tmp_path / "exports" / "train.py"
    path.write_text(standalone_script(record, settings, space, path))
    table.unlink()

    def one_line(run: object) -> str:
        with pytest.raises(SystemExit) as stop:
            run()  # type: ignore[operator]
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        return err.strip()

    with mock.patch.dict(sys.modules, {"keras": mock.MagicMock()}):
        assert one_line(lambda: runpy.run_path(str(path), run_name="__main__")) == (
            f"train.py: {table}: no such file"
        )
        script = runpy.run_path(str(path), run_name="checked")
    load = script["load_function"]
    net = tmp_path / "project" / "net.py"
    assert one_line(lambda: load("../project/net.py:build")).startswith(
        f"train.py: {net}: no such file; this script imports ../project/net.py relative to"
    )
    net.write_text("UNITS = 8\n")
    assert one_line(lambda: load("../project/net.py:build")) == (
        "train.py: ../project/net.py: has no function build"
    )
    assert one_line(lambda: load("no_such_module_of_yours:build")) == (
        "train.py: no_such_module_of_yours: no such module (needed for "
        "no_such_module_of_yours:build)"
    )
