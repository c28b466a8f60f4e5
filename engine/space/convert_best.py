"""A best configuration (`best.yaml`, or a YAML/JSON export of the winner) read as a space:
every parameter fixed at the winner's value, with its model, task and objective, so that
`tunedeck run best.yaml` trains that configuration again and the console opens it."""

from __future__ import annotations

from typing import Any

from engine.space.layers import layers_of
from engine.space.schema import BY_NAME, split_layer_name
from engine.space.user_params import GROUP

BUILT_IN = "built-in"


def is_best_record(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("hyperparameters"), dict)
        and "trial_id" in data
    )


def from_best(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(the space-file form, what was converted). Parameters the record leaves out (those that
    did not apply to the winner) stay at their defaults."""
    out: dict[str, Any] = {}
    built_in = data.get("model") in (None, BUILT_IN)
    per_layer = layers_of(data["hyperparameters"]) if built_in else {}
    for name, value in data["hyperparameters"].items():
        spec = BY_NAME.get(name)
        if spec is not None:
            out.setdefault(spec.group, {})[spec.key] = value
        elif not (per_layer and split_layer_name(name)):
            out.setdefault(GROUP, {})[name] = value
    if per_layer:  # the winner's own settings per layer, back in the list form
        count = max(int(data["hyperparameters"].get("layers", 0)), *per_layer)
        own = [per_layer.get(i, {}) for i in range(1, count + 1)]
        layers = [{f: data["hyperparameters"][n] for f, n in names.items()} for names in own]
        out.setdefault("architecture", {})["layers"] = layers
    if not built_in:
        out["model"] = data["model"]
    for key in ("task", "objective", "constraints", "callbacks", "checkpoint"):
        if data.get(key) is not None:
            out[key] = data[key]
    dataset = data.get("dataset")
    if isinstance(dataset, str) and ":" in dataset and not dataset.startswith("openml:"):
        out["data"] = dataset  # a loader FILE.py:FUNCTION
    return out, f"a best configuration (trial {data['trial_id']}): every parameter fixed"
