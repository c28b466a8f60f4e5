"""The data recipe of a run: where its samples came from (files with their sha256, a download's
URL), how they were subsampled, split and prepared, and what each split holds.

The process that first loads a run's data writes it into the run directory
(`data_recipe.yaml`); the closing summary, the YAML/JSON exports and the standalone script read
it, so that a result can be reproduced from its export alone. Reading and describing a recipe
needs no numpy (the console may show it).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.data.catalog import TEST_SPLIT, source_kind
from engine.system.atomic import replacing, write_text

if TYPE_CHECKING:
    from engine.data.datasets import Dataset
    from engine.run.settings import RunSettings
    from engine.space import Space

RECIPE = "data_recipe.yaml"
TRANSFORM = "preprocess.joblib"  # a table's fitted ColumnTransformer
PARTS = ("train", "val", "test")
SCALING = {
    "none": "none",
    "standardize": "standardized (mean 0, variance 1) with statistics of the train split",
    "max": "divided by the train split's largest value",
}


def sha256_file(path: str | Path) -> str:
    found = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            found.update(block)
    return found.hexdigest()


def recipe_of(
    dataset: Dataset, settings: RunSettings, validation_split: float, test_split: float
) -> dict[str, Any]:
    """The recipe of `dataset` as loaded for `settings` (its dataset spec in full-path form)."""
    from engine.data.splits import digest

    origin = dataset.origin
    parts = {
        "train": (dataset.x_train, dataset.y_train),
        "val": (dataset.x_val, dataset.y_val),
        "test": (dataset.x_test, dataset.y_test),
    }
    recipe: dict[str, Any] = {
        "source": source_of(settings.dataset, origin),
        "target": origin.get("target"),
        "task": dataset.task,
        "seed": int(settings.seed),
        "subsample": settings.subsample,
        "test_split": float(test_split),
        "validation_split": float(validation_split),
        "given_parts": list(origin.get("given", [])),
        "preprocessing": origin.get("preprocessing") or SCALING[origin.get("scale", "none")],
        "input_shape": list(dataset.input_shape),
        "rows": {"source": int(origin.get("rows", 0)), **{p: len(parts[p][1]) for p in PARTS}},
    }
    if dataset.task == "classification":
        recipe["classes"] = list(dataset.classes)
        recipe["class_counts"] = {
            part: {name: int((y == code).sum()) for code, name in enumerate(dataset.classes)}
            for part, (_, y) in parts.items()
        }
    recipe["sha256"] = digest([array for pair in parts.values() for array in pair])
    return recipe


def source_of(spec: str, origin: dict[str, Any]) -> dict[str, Any]:
    """What was read: the dataset as named, how, its URL, and every file with its sha256."""
    kind = source_kind(spec)
    files = [str(f) for f in origin.get("files", ())]
    target = spec.strip().rpartition(":")[0]
    if kind == "loader" and target.endswith(".py"):
        files.append(target)
    source: dict[str, Any] = {"dataset": spec, "kind": kind, **origin.get("meta", {})}
    if origin.get("url"):
        source["url"] = origin["url"]
    if files:
        source["files"] = [{"path": f, "sha256": sha256_file(f)} for f in files]
    return source


def record_recipe(
    run_path: str | Path, dataset: Dataset, space: Space, settings: RunSettings
) -> dict[str, Any]:
    """Write the run's recipe unless it has one (a resumed run keeps the one it began with)."""
    existing = read_recipe(run_path)
    if existing is not None:
        return existing
    import yaml

    validation = float(space.defaults()["validation_split"])
    recipe = recipe_of(dataset, settings, validation, TEST_SPLIT)
    if (transformer := dataset.origin.get("transformer")) is not None:
        import joblib

        with replacing(Path(run_path) / TRANSFORM) as tmp:
            joblib.dump(transformer, tmp)
    write_text(Path(run_path) / RECIPE, yaml.safe_dump(recipe, sort_keys=False))
    return recipe


def read_recipe(run_path: str | Path) -> dict[str, Any] | None:
    """The recipe a run recorded, or None (a run made before recipes, or never loaded)."""
    path = Path(run_path) / RECIPE
    if not path.is_file():
        return None
    import yaml

    try:
        recipe = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return recipe if isinstance(recipe, dict) else None


def describe(recipe: dict[str, Any]) -> list[str]:
    """Two lines for a summary: what was read and how it was split, and what the splits hold."""
    source = recipe.get("source", {})
    rows = recipe.get("rows", {})
    name = Path(str(source.get("dataset", "?"))).name
    how = [f"seed {recipe.get('seed')}"]
    if recipe.get("subsample"):
        how.insert(0, f"subsample {recipe['subsample']:,} of {rows.get('source', 0):,}")
    if recipe.get("target"):
        how.append(f"target {recipe['target']!r}")
    fractions = f"test {recipe.get('test_split')}, validation {recipe.get('validation_split')}"
    sizes = " / ".join(f"{rows.get(p, 0):,} {p}" for p in PARTS)
    counts = recipe.get("class_counts", {}).get("train", {})
    what = f"{len(counts)} classes" if counts else str(recipe.get("task", ""))
    return [
        f"data: {name} ({', '.join(how)}; {fractions})",
        f"  {sizes}, {what}; preprocessing: {_preprocessing(recipe.get('preprocessing'))}",
    ]


def _preprocessing(entry: Any) -> str:
    """A table's column transform in a few words, or the scaling as recorded."""
    if not isinstance(entry, dict):
        return str(entry or "none")
    kinds = list(entry.get("columns", {}).values())
    said = [f"{kinds.count('numeric')} numeric columns scaled"]
    if one_hot := entry.get("one_hot"):
        said.append(f"{len(one_hot)} text columns one-hot encoded")
    if imputed := entry.get("imputed"):
        said.append(f"{sum(imputed.values())} missing values imputed")
    return f"{', '.join(said)} ({entry.get('features_out')} features, fitted on train)"
