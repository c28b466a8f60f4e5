"""NNI search spaces (`search_space.json`: `{name: {"_type": …, "_value": […]}}`) to tunedeck
spaces and back. `randint` excludes its upper bound; `quniform` gives multiples of q."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.errors import SpaceError
from engine.space.foreign import exported, finite_values, number, place, stepped
from engine.space.hyperparameters import Float, Int
from engine.space.layers import refuse_per_layer

if TYPE_CHECKING:
    from engine.space.search_space import Space

NO_EQUIVALENT = ("qloguniform", "normal", "qnormal", "lognormal", "qlognormal")
SIZES = {"randint": 2, "uniform": 2, "loguniform": 2, "quniform": 3}


def is_nni(data: Any) -> bool:
    return (
        isinstance(data, Mapping)
        and bool(data)
        and all(isinstance(v, Mapping) and "_type" in v for v in data.values())
    )


def from_nni(data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    params = {str(name): _param(str(name), spec) for name, spec in data.items()}
    return place(params, str, "an NNI search space")


def _param(name: str, spec: Mapping[str, Any]) -> Any:
    kind, value = spec.get("_type"), spec.get("_value")
    for key in spec:
        if key not in ("_type", "_value"):
            raise SpaceError(f"{name}.{key}", "not a key of an NNI parameter (_type, _value)")
    if kind in NO_EQUIVALENT:
        raise SpaceError(name, f"the {kind} distribution has no tunedeck equivalent")
    if kind != "choice" and kind not in SIZES:
        raise SpaceError(f"{name}._type", f"unknown type {kind!r}")
    if not isinstance(value, list) or not value:
        raise SpaceError(f"{name}._value", f"expected a non-empty list, got {value!r}")
    if kind == "choice":
        if any(isinstance(v, Mapping | list) for v in value):
            raise SpaceError(name, "nested choices (_name) have no tunedeck equivalent")
        return list(value)
    if len(value) != SIZES[kind]:
        raise SpaceError(f"{name}._value", f"{kind} takes {SIZES[kind]} numbers, got {value!r}")
    if kind == "randint":
        low, high = (number(v, f"{name}._value", int) for v in value)
        if high <= low:
            raise SpaceError(f"{name}._value", f"upper {high} must exceed lower {low}")
        return {"type": "int", "min": low, "max": high - 1}
    low, high = (number(v, f"{name}._value") for v in value[:2])
    if kind == "quniform":
        return stepped(low, high, number(value[2], f"{name}._value"), name)
    sampling = {"sampling": "log"} if kind == "loguniform" else {}
    return {"type": "float", "min": float(low), "max": float(high), **sampling}


def to_nni(space: Space) -> dict[str, Any]:
    out: dict[str, Any] = {}
    refuse_per_layer(space.specs, "NNI")
    for name, hp in exported(space, "NNI"):
        values = finite_values(hp)
        if values is not None:
            out[name] = {"_type": "choice", "_value": values}
        elif isinstance(hp, Int) and hp.sampling == "linear":
            out[name] = {"_type": "randint", "_value": [hp.min, hp.max + 1]}
        elif isinstance(hp, Float):
            kind = "loguniform" if hp.sampling == "log" else "uniform"
            out[name] = {"_type": kind, "_value": [hp.min, hp.max]}
        else:
            raise SpaceError(
                space.spec(name).path, "a log-scaled integer range has no NNI equivalent"
            )
    return out
