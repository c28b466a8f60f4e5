"""engine.data.tables: CSV and Parquet tables with text columns (one-hot), numeric columns
(scaled), missing values (imputed, fitted on train only) and string labels; the same transform
saved in the run directory and applied by the exported script."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path
from unittest import mock

import joblib
import numpy as np
import pandas as pd
import pytest

from engine.data.datasets import load_dataset
from engine.data.recipe import TRANSFORM, record_recipe
from engine.errors import DataError
from engine.export.script import standalone_script
from engine.run.settings import RunSettings
from engine.space import Space

N = 60


def frame() -> pd.DataFrame:
    """Sixty customers: a numeric column with gaps, a text column with gaps, a boolean, and a
    text label that depends on the colour."""
    rng = np.random.default_rng(0)
    colour = np.array(["red", "green", "blue"])[np.arange(N) % 3].astype(object)
    size = rng.normal(10, 3, N)
    size[[4, 17]] = np.nan
    colour[[5, 20, 33]] = None
    return pd.DataFrame(
        {
            "size": size,
            "colour": colour,
            "member": np.arange(N) % 2 == 0,
            "Outcome": np.where(np.arange(N) % 3 == 0, "stay", "leave"),
        }
    )


def write_csv(path: Path) -> Path:
    frame().to_csv(path, index=False)
    return path


def write_parquet(path: Path) -> Path:
    table = frame()
    table["colour"] = table["colour"].astype("category")
    table.to_parquet(path, engine="pyarrow")
    return path


@pytest.mark.parametrize("write", [write_csv, write_parquet])
def test_text_columns_are_one_hot_and_gaps_imputed(tmp_path: Path, write) -> None:
    path = write(tmp_path / ("t.csv" if write is write_csv else "t.parquet"))
    ds = load_dataset(str(path), target="Outcome", seed=2)
    assert ds.classes == ("leave", "stay") and ds.origin["target"] == "Outcome"
    assert ds.input_shape == (5,)  # size, member scaled; blue, green, red one-hot
    for x in (ds.x_train, ds.x_val, ds.x_test):
        assert np.isfinite(x).all()
        assert set(np.unique(x[:, 2:])) <= {0.0, 1.0}  # one-hot columns
    np.testing.assert_allclose(ds.x_train[:, :2].mean(axis=0), 0, atol=1e-5)  # scaled on train
    entry = ds.origin["preprocessing"]
    assert entry["columns"] == {"size": "numeric", "colour": "text", "member": "numeric"}
    assert entry["one_hot"] == {"colour": ["blue", "green", "red"]}
    assert entry["imputed"] == {"size": 2, "colour": 3} and entry["features_out"] == 5


def test_csv_and_parquet_of_the_same_table_give_the_same_arrays(tmp_path: Path) -> None:
    a = load_dataset(str(write_csv(tmp_path / "t.csv")), seed=4)
    b = load_dataset(str(write_parquet(tmp_path / "t.parquet")), seed=4)
    for left, right in zip(
        (a.x_train, a.y_train, a.x_test), (b.x_train, b.y_train, b.x_test), strict=True
    ):
        np.testing.assert_allclose(left, right, rtol=1e-6)


def test_the_transform_is_fitted_on_the_train_split_only(tmp_path: Path) -> None:
    """A colour only a test row has encodes as no colour at all, not a column of its own."""
    rows = [f"{i},{'ab'[i % 2]},{'xy'[i % 2]}" for i in range(40)] + ["40,zzz,x"]
    path = tmp_path / "t.csv"
    path.write_text("n,colour,label\n" + "\n".join(rows) + "\n")
    ds = load_dataset(str(path), seed=0)
    transformer = ds.origin["transformer"]
    categories = transformer.named_transformers_["text"][-1].categories_[0]
    in_train = sorted({0.0, 1.0, 2.0} & set(categories))
    assert len(categories) == len(in_train) and ds.input_shape == (1 + len(in_train),)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("a,b,target\n" + "1,x,p\n2,3,q\n" * 5, ["column 'b'", "'x'", "line 2", "mixes"]),
        ("a,b,target\n" + "1,,p\n2,,q\n" * 5, ["column 'b'", "has no values"]),
        ("a,b,target\n1,2,\n" + "2,3,q\n3,3,p\n" * 5, ["target column", "missing", "line 2"]),
    ],
)
def test_table_errors_are_one_line(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(DataError) as caught:
        load_dataset(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_parquet_errors_name_the_row_or_the_type(tmp_path: Path) -> None:
    table = frame()
    table.loc[7, "Outcome"] = None
    table.to_parquet(tmp_path / "gap.parquet")
    with pytest.raises(
        DataError,
        match="target column 'Outcome' has missing values in 1 row "
        r"\(first at row 8\)",
    ):
        load_dataset(str(tmp_path / "gap.parquet"))
    table = frame().assign(when=pd.Timestamp("2024-01-01"))
    table.to_parquet(tmp_path / "when.parquet")
    with pytest.raises(DataError, match="column 'when' has type datetime64"):
        load_dataset(str(tmp_path / "when.parquet"))
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match="not a readable Parquet file"):
        load_dataset(str(tmp_path / "junk.parquet"))


@pytest.mark.parametrize("write", [write_csv, write_parquet])
@pytest.mark.parametrize("saved", [True, False])
def test_the_script_applies_the_saved_transform(tmp_path: Path, write, saved: bool) -> None:
    """The script loads the run's fitted ColumnTransformer (or, without it, fits the same one
    on the same train split) and rebuilds the arrays the recipe fingerprints."""
    path = write(tmp_path / ("t.csv" if write is write_csv else "t.parquet"))
    settings = RunSettings(dataset=str(path), target="Outcome", subsample=45, seed=1)
    space = Space.from_dict({})
    run = tmp_path / "run"
    run.mkdir()
    ds = load_dataset(str(path), target="Outcome", subsample=45, seed=1)
    recipe = record_recipe(run, ds, space, settings)
    fitted = joblib.load(run / TRANSFORM)
    np.testing.assert_array_equal(fitted.transform(np.asarray([[np.nan, 0.0, 1.0]])).shape, (1, 5))
    if not saved:
        (run / TRANSFORM).unlink()
    loaded, arrays = _script_data(tmp_path, run, space, settings, recipe)
    assert (loaded["PREPROCESS"] is not None) == saved
    assert loaded["digest"](arrays) == recipe["sha256"]


def test_a_csv_without_a_header_keeps_its_first_row_and_numbers_its_columns(tmp_path) -> None:
    """A tutorial's `pima-indians-diabetes.csv` (np.savetxt: numbers only, no header): every
    row is data, columns are named 0, 1, … as numpy indexes them; the script reads it alike."""
    rng = np.random.default_rng(0)
    table = np.column_stack([rng.normal(size=(N, 4)), np.arange(N) % 2])
    path = tmp_path / "pima.csv"
    np.savetxt(path, table, delimiter=",", fmt="%.6g")
    settings = RunSettings(dataset=str(path), target="4", seed=1)
    ds = load_dataset(str(path), target="4", seed=1)
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == N  # the first line too
    assert ds.input_shape == (4,) and ds.classes == ("0", "1")
    run = tmp_path / "run"
    run.mkdir()
    space = Space.from_dict({"data": "pima.csv", "target": 4})  # a position, as YAML reads it
    assert space.source.target == "4"
    recipe = record_recipe(run, ds, space, settings)
    loaded, arrays = _script_data(tmp_path, run, space, settings, recipe)
    assert loaded["digest"](arrays) == recipe["sha256"]


def _script_data(tmp_path, run, space, settings, recipe):
    """The exported script's module (Keras left out) and the arrays its `load_data` reads."""
    record = {
        "hyperparameters": space.defaults(),
        "trial_id": "0",
        "backend": "keras-tuner",
        "algorithm": "random",
        "retrain_epochs": 1,
        "data_recipe": recipe,
        "objective": {"metric": "val_loss", "direction": "min"},
    }
    script = tmp_path / "train.py"
    script.write_text(standalone_script(record, settings, space, script, run))
    with mock.patch.dict(sys.modules, {"keras": mock.MagicMock()}):
        loaded = runpy.run_path(str(script), run_name="checked")
        _, _, *arrays = loaded["load_data"]()
    return loaded, arrays
