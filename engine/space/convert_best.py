"""A best configuration (`best.yaml`, or a YAML/JSON export of the winner) read as a space:
every parameter fixed at the winner's value, with its model, task and objective, so that
`tunedeck run best.yaml` trains that configuration again and the console opens it."""

from __future__ import annotations

from typing import Any

from engine.space.schema import BY_NAME
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
    for name, value in data["hyperparameters"].items():
        spec = BY_NAME.get(name)
        if spec is not None:
            out.setdefault(spec.group, {})[spec.key] = value
        else:
            out.setdefault(GROUP, {})[name] = value
    if data.get("model") not in (None, BUILT_IN):
        out["model"] = data["model"]
    for key in ("task", "objective"):
        if data.get(key) is not None:
            out[key] = data[key]
    dataset = data.get("dataset")
    if isinstance(dataset, str) and ":" in dataset and not dataset.startswith("openml:"):
        out["data"] = dataset  # a loader FILE.py:FUNCTION
    return out, f"a best configuration (trial {data['trial_id']}): every parameter fixed"
