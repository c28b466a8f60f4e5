"""`architecture.layers` as a list: one mapping of settings per hidden layer.

    architecture:
      layers:
        - {nodes: 64, activation: linear, kernel_regularizer: l2, kernel_strength: 0.001}
        - {nodes: [64, 128], initializer: he_uniform, dropout: 0.5}

Each setting takes the usual syntax (a list is a choice, a scalar fixed, `{min, max}` a range)
and becomes a flat parameter named `layer_<n>_<field>` (layers counted from 1), so that a
configuration stays one flat mapping for every backend, export and analysis; a setting a layer
leaves out takes the shared parameter (`architecture.nodes`, `regularization.dropout`, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.errors import SpaceError
from engine.space.hyperparameters import Hyperparameter
from engine.space.params import dump_param, parse_param, suggest, type_name
from engine.space.schema import LAYER_FIELDS, ParamSpec, layer_spec, split_layer_name

PATH = "architecture.layers"


def is_layer_list(raw: Any) -> bool:
    """Whether `architecture.layers` is written per layer (a list of mappings) rather than as a
    number of layers (a number, or a list of numbers to choose from)."""
    if not isinstance(raw, list) or not any(isinstance(item, Mapping) for item in raw):
        return False
    for i, item in enumerate(raw):
        if item is not None and not isinstance(item, Mapping):
            raise SpaceError(
                f"{PATH}[{i}]",
                f"expected a mapping of the layer's settings, got {type_name(item)} (a list of "
                "numbers is a choice of how many layers; a list of mappings describes each)",
            )
    return True


def parse_layers(raw: list[Any]) -> tuple[tuple[ParamSpec, ...], dict[str, Hyperparameter]]:
    """(specs, hyperparameters) of the settings each layer of the list gives itself."""
    specs: list[ParamSpec] = []
    hps: dict[str, Hyperparameter] = {}
    for layer, body in enumerate(raw, 1):
        body = body or {}
        for key in body:
            if key not in LAYER_FIELDS:
                raise SpaceError(
                    f"{PATH}[{layer - 1}].{key}",
                    "unknown setting of a layer" + suggest(key, LAYER_FIELDS, fallback=True),
                )
        for field in body:
            spec = layer_spec(layer, field, body)
            specs.append(spec)
            hps[spec.name] = parse_param(spec, body[field])
    return tuple(specs), hps


def dump_layers(count: int, specs: Iterable[ParamSpec], params: Mapping[str, Any]) -> list[Any]:
    """The file form of `count` layers: each layer's own settings, `{}` for a layer that has
    none."""
    out: list[dict[str, Any]] = [{} for _ in range(count)]
    for spec in specs:
        out[spec.layer - 1][spec.key] = dump_param(params[spec.name])
    return out


def layers_of(names: Iterable[str]) -> dict[int, dict[str, str]]:
    """The per-layer names among `names`, by layer, then field: {2: {"dropout": "layer_2_dropout"}}."""
    out: dict[int, dict[str, str]] = {}
    for name in names:
        split = split_layer_name(name)
        if split is not None:
            out.setdefault(split[0], {})[split[1]] = name
    return dict(sorted(out.items()))


def refuse_per_layer(specs: Iterable[ParamSpec], tool: str) -> None:
    """A per-layer space has no equivalent in `tool`'s flat format: one clear refusal."""
    for spec in specs:
        if spec.layer:
            raise SpaceError(
                PATH,
                f"per-layer settings have no {tool} equivalent; give the layer count and "
                "shared settings instead",
            )
