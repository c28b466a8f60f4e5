"""Class labels reach every model as class indices: a loader's one-hot rows are turned into
them so that splits stratify and scikit-learn scores them. A model its build function compiled
for one-hot labels (`categorical_crossentropy`, `CategoricalAccuracy`) keeps its loss and
metrics, computed from the index: the sparse form of each, same values, same names.
"""

from __future__ import annotations

from typing import Any

SPARSE = {
    "categorical_crossentropy": "sparse_categorical_crossentropy",
    "CategoricalCrossentropy": "SparseCategoricalCrossentropy",
    "categorical_accuracy": "sparse_categorical_accuracy",
    "CategoricalAccuracy": "SparseCategoricalAccuracy",
    "top_k_categorical_accuracy": "sparse_top_k_categorical_accuracy",
    "TopKCategoricalAccuracy": "SparseTopKCategoricalAccuracy",
}
_DROPPED = ("label_smoothing", "axis")  # one-hot only; a sparse loss has neither


def use_class_indices(model: Any) -> bool:
    """Recompile `model` with the sparse forms of its one-hot loss and metrics; True if it did."""
    config = model.get_compile_config()
    if not config:
        return False
    changed = False

    def sparse(item: Any) -> Any:
        nonlocal changed
        if isinstance(item, str) and item in SPARSE:
            changed = True
            return SPARSE[item]
        if isinstance(item, dict) and item.get("class_name") in SPARSE:
            if (item.get("config") or {}).get("label_smoothing"):
                return item  # no sparse form: the loss needs one-hot labels
            changed = True
            inner = {k: v for k, v in (item.get("config") or {}).items() if k not in _DROPPED}
            return {**item, "class_name": SPARSE[item["class_name"]], "config": inner}
        if isinstance(item, list):
            return [sparse(i) for i in item]
        if isinstance(item, dict) and "class_name" not in item:
            return {k: sparse(v) for k, v in item.items()}
        return item

    new = {**config, "loss": sparse(config.get("loss")), "metrics": sparse(config.get("metrics"))}
    if changed:
        model.compile_from_config(new)
    return changed
