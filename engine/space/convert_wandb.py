"""W&B sweeps (`sweep.yaml`) to tunedeck spaces and back.

`method` grid / random / bayes is the algorithm a run picks (`--algorithm`), said in the
conversion's note since a space holds no algorithm; `metric` name / goal is the objective;
each of `parameters` is `value`, `values`, or `min` / `max` with a `distribution`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.errors import SpaceError
from engine.space.foreign import exported, finite_values, number, place, stepped
from engine.space.hyperparameters import Float, Int
from engine.space.layers import refuse_per_layer

if TYPE_CHECKING:
    from engine.space.search_space import Space

METHODS = {"grid": "grid", "random": "random", "bayes": "bayesian"}
TOP = (
    "program",
    "method",
    "metric",
    "parameters",
    "name",
    "description",
    "project",
    "entity",
    "early_terminate",
    "command",
    "run_cap",
)
NO_EQUIVALENT = (
    "q_log_uniform_values",
    "q_log_uniform",
    "inv_log_uniform",
    "inv_log_uniform_values",
    "normal",
    "q_normal",
    "log_normal",
    "q_log_normal",
    "beta",
    "q_beta",
)
KNOWN = (
    "constant",
    "categorical",
    "int_uniform",
    "uniform",
    "q_uniform",
    "log_uniform_values",
    "log_uniform",
    *NO_EQUIVALENT,
)
KEYS = (
    "distribution",
    "value",
    "values",
    "min",
    "max",
    "q",
    "mu",
    "sigma",
    "a",
    "b",
    "probabilities",
)


def is_sweep(data: Any) -> bool:
    return isinstance(data, Mapping) and isinstance(data.get("parameters"), Mapping)


def from_sweep(data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """(a tunedeck space's file form, the note); SpaceError names `parameters.<name>`."""
    for key in data:
        if key not in TOP:
            raise SpaceError(str(key), "not a key of a W&B sweep")
    params = {str(n): _param(str(n), spec) for n, spec in data["parameters"].items()}
    if not params:
        raise SpaceError("parameters", "a sweep needs at least one parameter")
    space, note = place(params, lambda name: f"parameters.{name}", "a W&B sweep")
    metric = data.get("metric")
    if metric is not None:
        space["objective"] = _objective(metric)
    method = data.get("method")
    if method is not None:
        if method not in METHODS:
            raise SpaceError("method", f"must be grid, random or bayes, got {method!r}")
        note += f"; method {method}: run it with --algorithm {METHODS[method]}"
    unused = [key for key in ("program", "command", "early_terminate", "run_cap") if key in data]
    if unused:
        note += f"; not used here: {', '.join(unused)}"
    return space, note


def _objective(metric: Any) -> dict[str, str]:
    if not isinstance(metric, Mapping) or not isinstance(metric.get("name"), str):
        raise SpaceError("metric", "expected name: METRIC and goal: minimize|maximize")
    goal = metric.get("goal", "minimize")
    if goal not in ("minimize", "maximize"):
        raise SpaceError("metric.goal", f"must be minimize or maximize, got {goal!r}")
    return {"metric": metric["name"], "direction": "min" if goal == "minimize" else "max"}


def _param(name: str, spec: Any) -> Any:
    path = f"parameters.{name}"
    if not isinstance(spec, Mapping):
        raise SpaceError(path, "expected a mapping with value, values or min/max")
    if "parameters" in spec:
        raise SpaceError(path, "nested parameters have no tunedeck equivalent")
    for key in spec:
        if key not in KEYS:
            raise SpaceError(f"{path}.{key}", "not a key of a W&B parameter")
    if "probabilities" in spec:
        raise SpaceError(path, "weighted values (probabilities) have no tunedeck equivalent")
    dist = spec.get("distribution") or _inferred(spec, path)
    if dist not in KNOWN:
        raise SpaceError(f"{path}.distribution", f"unknown distribution {dist!r}")
    if dist in NO_EQUIVALENT:
        raise SpaceError(path, f"the {dist} distribution has no tunedeck equivalent")
    if dist == "constant":
        if "value" not in spec:
            raise SpaceError(path, "a constant needs value")
        return spec["value"]
    if dist == "categorical":
        values = spec.get("values")
        if not isinstance(values, list) or not values:
            raise SpaceError(f"{path}.values", f"expected a non-empty list, got {values!r}")
        return list(values)
    for key in ("min", "max"):
        if key not in spec:
            raise SpaceError(path, f"the {dist} distribution needs {key}")
    if dist == "int_uniform":
        low, high = (number(spec[k], f"{path}.{k}", int) for k in ("min", "max"))
        return {"type": "int", "min": low, "max": high}
    low, high = (number(spec[k], f"{path}.{k}") for k in ("min", "max"))
    if dist == "q_uniform":
        return stepped(low, high, number(spec.get("q", 1.0), f"{path}.q"), path)
    if dist == "log_uniform":  # min and max are natural logarithms
        return {"type": "float", "min": math.exp(low), "max": math.exp(high), "sampling": "log"}
    if dist == "log_uniform_values":
        return {"type": "float", "min": float(low), "max": float(high), "sampling": "log"}
    return {"type": "float", "min": float(low), "max": float(high)}


def _inferred(spec: Mapping[str, Any], path: str) -> str:
    """W&B's own inference: a value, values, or integer / real bounds."""
    if "values" in spec:
        return "categorical"
    if "value" in spec:
        return "constant"
    if "min" in spec and "max" in spec:
        ints = all(
            isinstance(spec[k], int) and not isinstance(spec[k], bool) for k in ("min", "max")
        )
        return "int_uniform" if ints else "uniform"
    raise SpaceError(path, "expected value, values or min/max")


def to_sweep(space: Space) -> dict[str, Any]:
    """The W&B sweep of `space` (grid when finite, else random)."""
    params: dict[str, Any] = {}
    refuse_per_layer(space.specs, "W&B")
    for name, hp in exported(space, "W&B"):
        values = finite_values(hp)
        if values is not None:
            params[name] = {"value": values[0]} if len(values) == 1 else {"values": values}
        elif isinstance(hp, Int) and hp.sampling == "linear":
            params[name] = {"distribution": "int_uniform", "min": hp.min, "max": hp.max}
        elif isinstance(hp, Float):
            dist = "log_uniform_values" if hp.sampling == "log" else "uniform"
            params[name] = {"distribution": dist, "min": hp.min, "max": hp.max}
        else:
            raise SpaceError(
                space.spec(name).path, "a log-scaled integer range has no W&B equivalent"
            )
    out: dict[str, Any] = {"method": "grid" if space.grid_size() is not None else "random"}
    objective = space.source.objective
    if objective is not None:
        goal = "minimize" if objective.direction == "min" else "maximize"
        out["metric"] = {"name": objective.metric, "goal": goal}
    out["parameters"] = params
    return out
