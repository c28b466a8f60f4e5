"""engine.data.recipe: what a run records of its data, how a summary shows it, and that a
resumed run keeps the recipe it began with."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from engine.data.datasets import load_dataset
from engine.data.recipe import RECIPE, TRANSFORM, describe, read_recipe, record_recipe
from engine.export.report import summary
from engine.run.results import RunResults
from engine.run.settings import RunSettings
from engine.space import Space


def test_a_subsampled_builtin_dataset_records_rows_and_class_counts(tmp_path: Path) -> None:
    settings = RunSettings(dataset="digits", subsample=500, seed=7)
    ds = load_dataset("digits", seed=7, subsample=500)
    recipe = record_recipe(tmp_path, ds, Space.from_dict({}), settings)
    assert yaml.safe_load((tmp_path / RECIPE).read_text()) == recipe
    assert recipe["source"] == {"dataset": "digits", "kind": "sklearn"}
    assert (recipe["seed"], recipe["subsample"], recipe["task"]) == (7, 500, "classification")
    assert (recipe["test_split"], recipe["validation_split"]) == (0.2, 0.2)
    assert recipe["rows"] == {"source": 1797, "train": 320, "val": 80, "test": 100}
    for part in ("train", "val", "test"):
        assert sum(recipe["class_counts"][part].values()) == recipe["rows"][part]
    assert set(recipe["class_counts"]["train"]) == {str(i) for i in range(10)}
    assert recipe["input_shape"] == [8, 8] and recipe["preprocessing"] == "none"


def test_a_csv_records_its_file_hash_and_the_target_as_spelled(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("x,y,Class\n" + "".join(f"{i},{i % 5},{'ab'[i % 2]}\n" for i in range(40)))
    settings = RunSettings(dataset=str(path))  # `Class` is found by its name, in any case
    ds = load_dataset(str(path))
    recipe = record_recipe(tmp_path, ds, Space.from_dict({}), settings)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert recipe["source"]["files"] == [{"path": str(path), "sha256": digest}]
    assert recipe["target"] == "Class" and recipe["classes"] == ["a", "b"]
    assert recipe["preprocessing"]["columns"] == {"x": "numeric", "y": "numeric"}
    assert (tmp_path / TRANSFORM).is_file()  # the fitted ColumnTransformer


def test_a_resumed_run_keeps_the_recipe_it_began_with(tmp_path: Path) -> None:
    space = Space.from_dict({})
    first = record_recipe(tmp_path, load_dataset("iris"), space, RunSettings(dataset="iris"))
    again = record_recipe(tmp_path, load_dataset("wine"), space, RunSettings(dataset="wine"))
    assert again == first == read_recipe(tmp_path)
    assert read_recipe(tmp_path / "nowhere") is None


def test_the_closing_summary_shows_the_recipe(tmp_path: Path) -> None:
    settings = RunSettings(dataset="digits", subsample=500, seed=7)
    ds = load_dataset("digits", seed=7, subsample=500)
    record_recipe(tmp_path, ds, Space.from_dict({}), settings)
    text = summary(RunResults(), str(tmp_path), ())
    lines = describe(read_recipe(tmp_path) or {})
    assert lines[0] == "data: digits (subsample 500 of 1,797, seed 7; test 0.2, validation 0.2)"
    assert lines[1] == "  320 train / 80 val / 100 test, 10 classes; preprocessing: none"
    assert "\n".join(lines) in text and text.endswith(f"run directory: {tmp_path}")
