"""The search space: one hyperparameter per catalogued parameter, validated, saved losslessly.

File form (YAML or JSON), grouped as in `engine.space.schema.GROUPS`; every part is optional and an
omitted parameter is fixed at its catalogue default:

    training:
      batch_size: [16, 32, 64]          # a list is a Choice (default: first value)
      epochs: 30                        # a scalar is Fixed
    optimizer:
      learning_rate: {min: 0.0001, max: 0.1, sampling: log}   # a range (Int or Float by type)
      name: {values: [adam, sgd], default: sgd, disabled: [adagrad]}  # disabled: not searched
    early_stopping:
      restore_best_weights: {type: boolean, default: true}

`architecture.layers` may also list one mapping of settings per hidden layer (`engine.space.layers`).
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.errors import InputError, SpaceError
from engine.space.hyperparameters import Fixed, Hyperparameter
from engine.space.layers import PATH as LAYERS_PATH
from engine.space.layers import dump_layers, is_layer_list, parse_layers
from engine.space.model_source import KEYS as SOURCE_KEYS
from engine.space.model_source import ModelSource
from engine.space.param_grid import expand as expand_grid
from engine.space.params import check_param, dump_param, parse_param, suggest, type_name
from engine.space.reading import parse_text, read_text
from engine.space.schema import (
    BY_NAME,
    BY_PATH,
    GROUPS,
    MODEL_GROUPS,
    PARAMS,
    ParamSpec,
)
from engine.space.user_params import GROUP as USER_GROUP
from engine.space.user_params import parse_user_params, shared_type, user_spec, with_when

Config = dict[str, Any]
_NOT_TUNABLE = (
    "cannot be tuned: every trial is scored on the same validation split (the run's data "
    "recipe), so that scores compare; give one value"
)
_NOT_FOR_A_USER_MODEL = (
    "belongs to the built-in model, which a space naming its own model does not use "
    "(put the model's own parameters under params)"
)


@dataclass(frozen=True)
class Space:
    """A validated search space: `params[name]` is the hyperparameter of each parameter.

    Its parameters are the catalogue's, less the built-in model's groups when `source` names a
    model of the user's, plus that model's own (`user`, the `params` group).
    """

    params: Mapping[str, Hyperparameter] = field(default_factory=dict)
    user: tuple[ParamSpec, ...] = ()
    source: ModelSource = field(default_factory=ModelSource)
    base_dir: str | None = field(default=None, compare=False)  # the space file's folder
    note: str = field(default="", compare=False)  # how it was read, e.g. converted from a sweep
    layered: tuple[ParamSpec, ...] | None = None  # per-layer settings; None: `layers` is a count
    # the console's settings saved with the file (`console:`), restored when it opens the file
    console: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        specs = self.specs
        full = {p.name: self.params.get(p.name, Fixed(p.default)) for p in specs}
        unknown = set(self.params) - set(full)
        if unknown:
            name = sorted(unknown)[0]
            if name in BY_NAME and self.source.model is not None:
                raise SpaceError(BY_NAME[name].path, _NOT_FOR_A_USER_MODEL)
            raise SpaceError(name, "unknown parameter")
        for spec in specs:
            check_param(spec, full[spec.name])
            if not spec.tunable and full[spec.name].count() != 1:
                raise SpaceError(spec.path, _NOT_TUNABLE)
        if self.layered is not None:
            _check_layer_count(full["layers"], self.layered)
        object.__setattr__(self, "params", full)

    @property
    def specs(self) -> tuple[ParamSpec, ...]:
        """Every parameter's catalogue entry, in file order."""
        if self.source.model is None:
            at = PARAMS.index(BY_NAME["layers"]) + 1  # a layer's own settings follow the count
            return (*self.user, *PARAMS[:at], *(self.layered or ()), *PARAMS[at:])
        return (*self.user, *(p for p in PARAMS if p.group not in MODEL_GROUPS))

    def spec(self, name: str) -> ParamSpec:
        return next(p for p in self.specs if p.name == name)

    def children(self, name: str) -> tuple[ParamSpec, ...]:
        """The parameters that matter only under some values of `name`."""
        return tuple(p for p in self.specs if p.parent == name)

    def is_active(self, name: str, config: Config) -> bool:
        """Whether `name` influences a model under `config` (its parents take enabling values)."""
        spec = self.spec(name)
        if spec.parent is None:
            return True
        return self.is_active(spec.parent, config) and config.get(spec.parent) in spec.when

    @property
    def groups(self) -> tuple[str, ...]:
        """The groups of this space's parameters, in file order."""
        return tuple(dict.fromkeys(p.group for p in self.specs))

    # ---- editing -------------------------------------------------------------------------
    def with_param(self, name: str, hp: Hyperparameter) -> Space:
        """A copy with one parameter replaced (validated; raises SpaceError). A parameter of
        the user's model takes the type of its new values."""
        user = tuple(
            user_spec(name, _kind_of(hp), hp.default, p.parent, p.when) if p.name == name else p
            for p in self.user
        )
        return replace(self, params={**self.params, name: hp}, user=user)

    def fixed_at(self, config: Config) -> Space:
        """Every parameter fixed at `config`'s value (e.g. to re-run one trial)."""
        params = {n: Fixed(config[n]) if n in config else hp for n, hp in self.params.items()}
        return replace(self, params=params)

    def parse_value(self, name: str, raw: Any) -> Hyperparameter:
        """One parameter from its space-file form, checked as a file's would be (a parameter
        of the user's model takes its type from the new values)."""
        spec = self.spec(name)
        if spec.group != USER_GROUP:
            return parse_param(spec, raw)
        builtin = {p.name: p for p in self.specs if p.group != USER_GROUP}
        if isinstance(raw, Mapping) and "when" in raw:
            raw = {k: v for k, v in raw.items() if k != "when"}  # the condition stays the spec's
        return parse_user_params({name: raw}, builtin)[1][name]

    def with_source(self, **changes: Any) -> Space:
        """A copy with the model, data, task or objective changed (e.g. by a command-line flag)."""
        return replace(self, source=replace(self.source, **changes))

    def resolved(self) -> Space:
        """The same space with relative `.py` references made absolute (for a run directory,
        which lives elsewhere than the space file)."""
        base = Path(self.base_dir) if self.base_dir else None
        return replace(self, source=self.source.relative_to(base), base_dir=None)

    def layer_inserted(self, after: int) -> Space:
        """A hidden layer with the shared settings inserted after layer `after` (0: first)."""
        return self._relayered(lambda layers: layers.insert(after, {}))

    def layer_removed(self, layer: int) -> Space:
        """Layer `layer` (counted from 1) and its own settings gone; later layers move up."""

        def drop(layers: list[Any]) -> None:
            if len(layers) < 2:
                raise SpaceError(LAYERS_PATH, "the model keeps at least one hidden layer")
            del layers[layer - 1]

        return self._relayered(drop)

    def _relayered(self, change: Callable[[list[Any]], None]) -> Space:
        """The list of layers changed in its file form (settings renumbered), read again."""
        if self.layered is None:
            raise SpaceError(LAYERS_PATH, "a number of layers here, not a list of them")
        data = self.to_dict()
        change(data["architecture"]["layers"])
        return replace(Space.from_dict(data, self.base_dir), note=self.note)

    # ---- configurations ------------------------------------------------------------------
    def defaults(self) -> Config:
        return {name: hp.default for name, hp in self.params.items()}

    def tuned(self) -> tuple[str, ...]:
        """Names that take more than one value."""
        return tuple(n for n, hp in self.params.items() if _size(hp) != 1)

    def sample(self, rng: random.Random) -> Config:
        config = {name: hp.sample(rng) for name, hp in self.params.items()}
        return self.canonical(config)

    def canonical(self, config: Config) -> Config:
        """Inactive parameters reset to their defaults, so equal models have equal configs."""
        return {
            n: (v if self.is_active(n, config) else self.params[n].default)
            for n, v in config.items()
        }

    # ---- grid ----------------------------------------------------------------------------
    def grid_size(self) -> int | None:
        """Distinct configurations a grid visits (conditions respected), None if continuous."""
        if self.continuous():
            return None
        roots = (p for p in self.specs if p.parent is None)
        return math.prod(_tree_count(self, root.name) for root in roots)

    def continuous(self) -> tuple[str, ...]:
        """Paths of the parameters whose range is continuous (an infinite grid)."""
        return tuple(self.spec(n).path for n, hp in self.params.items() if _size(hp) is None)

    def grid(self) -> Iterator[Config]:
        """Every configuration of a finite space, in a stable order."""
        if self.continuous():
            raise SpaceError(self.continuous()[0], "a continuous range has no finite grid")
        trees = [list(_tree_configs(self, p.name)) for p in self.specs if p.parent is None]
        for parts in itertools.product(*trees):
            config: Config = {}
            for part in parts:
                config.update(part)
            yield {p.name: config[p.name] for p in self.specs}

    # ---- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = self.source.to_dict()
        for spec in self.specs:
            if spec.layer:
                continue  # written in the list of layers
            dumped = dump_param(self.params[spec.name])
            if spec.name == "layers" and self.layered is not None:
                dumped = dump_layers(self.params["layers"].default, self.layered, self.params)
            if spec.group == USER_GROUP:  # the catalogue knows its own conditions
                dumped = with_when(dumped, spec.parent, spec.when)
            out.setdefault(spec.group, {})[spec.key] = dumped
        if self.console:
            out[CONSOLE] = dict(self.console)
        return out

    @classmethod
    def from_dict(cls, data: Any, base_dir: str | None = None) -> Space:
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise SpaceError("", f"a space is a mapping of groups, got {type_name(data)}")
        data, note = expand_grid(data, base_dir)  # `params:` may be a scikeras param_grid
        source = ModelSource.parse(data)
        builtin = {p.name: p for p in PARAMS if source.model is None or p.group not in MODEL_GROUPS}
        user, params = parse_user_params(data.get(USER_GROUP), builtin)
        layered: tuple[ParamSpec, ...] | None = None
        tops = (*SOURCE_KEYS, USER_GROUP, *GROUPS)
        for group, body in data.items():
            if group in SOURCE_KEYS or group in (USER_GROUP, CONSOLE):
                continue
            if group not in GROUPS:
                raise SpaceError(str(group), "unknown group" + suggest(group, tops))
            if body is None:
                continue
            if group in MODEL_GROUPS and source.model is not None:
                raise SpaceError(group, _NOT_FOR_A_USER_MODEL)
            if not isinstance(body, Mapping):
                raise SpaceError(group, f"expected a mapping of parameters, got {type_name(body)}")
            keys = [k for (g, k) in BY_PATH if g == group]
            for key, raw in body.items():
                spec = BY_PATH.get((group, key))
                if spec is None:
                    raise SpaceError(f"{group}.{key}", "unknown key" + suggest(key, keys))
                if spec.name == "layers" and is_layer_list(raw):
                    layered, per_layer = parse_layers(raw)
                    params.update(per_layer)
                    params["layers"] = Fixed(len(raw))
                    continue
                params[spec.name] = parse_param(spec, raw)
        console = parse_console(data.get(CONSOLE))
        return cls(params, user, source, base_dir, note, layered=layered, console=console)

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.to_dict(), sort_keys=False, default_flow_style=None)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> Space:
        """Read a YAML or JSON space file (or a W&B sweep, or an NNI search space: `note` says
        what was converted); every problem is an InputError naming the file."""
        path = Path(path)
        text = read_text(path)  # a regular file of sane size, or one line
        try:
            from engine.space.converted import convert  # a W&B sweep or an NNI space, too

            data, note = convert(parse_text(text, path.suffix))
            space = cls.from_dict(data, str(path.resolve().parent))
            return replace(space, note=note) if note else space
        except InputError as exc:
            raise exc.with_source(str(path)) from None

    def save(self, path: str | Path) -> None:
        from engine.system.atomic import write_text

        path = Path(path)
        write_text(path, self.to_json() if path.suffix == ".json" else self.to_yaml())

    def save_over(self, path: str | Path) -> None:
        """Save into the user's own file at `path`, keeping its comments, order and style and
        writing only what changed (`engine.space.roundtrip`); a file this version reads only
        by converting it (a sweep, a param_grid), or not at all, is written whole."""
        from engine.space.roundtrip import updated_text
        from engine.system.atomic import write_text

        path = Path(path)
        try:
            text = read_text(path)
            before = Space.load(path)
        except InputError:
            self.save(path)
            return
        if before.note or path.suffix.lower() not in (".yaml", ".yml", ".json"):
            self.save(path)
            return
        write_text(path, updated_text(text, path.suffix.lower(), before.to_dict(), self.to_dict()))


CONSOLE = "console"
CONSOLE_KEYS = (
    "dataset",
    "target",
    "backend",
    "algorithm",
    "max_trials",
    "cv",
    "seed",
    "epochs",
    "subsample",
    "workers",
    "prune",
)


def parse_console(body: Any) -> dict[str, Any]:
    """The `console:` settings as given (the console checks their values as it applies them)."""
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        raise SpaceError(CONSOLE, f"expected a mapping of settings, got {type_name(body)}")
    for key, value in body.items():
        if key not in CONSOLE_KEYS:
            raise SpaceError(
                f"{CONSOLE}.{key}", "unknown setting" + suggest(str(key), CONSOLE_KEYS)
            )
        if value is not None and not isinstance(value, bool | int | str):
            raise SpaceError(f"{CONSOLE}.{key}", f"expected a single value, got {type_name(value)}")
    return dict(body)


def default_space() -> Space:
    """The tutorial's space: the values this product grew from."""
    return Space.from_dict(
        {
            "training": {"batch_size": [16, 32, 64], "epochs": 30, "validation_split": 0.2},
            "optimizer": {
                "name": ["adam", "sgd", "adagrad"],
                "learning_rate": [0.01, 0.05, 0.1, 0.3],
                "beta_1": [0.9, 0.89],
                "momentum": 0.0,
            },
            "schedule": {"name": ["constant", "cosine_restarts"], "first_decay_steps": 1000},
            "architecture": {
                "layers": 1,
                "nodes": [16, 32, 64],
                "activation": ["relu", "tanh", "sigmoid"],
                "initializer": ["he_uniform", "glorot_uniform"],
            },
            "regularization": {
                "dropout": [0.0, 0.5],
                "kernel_regularizer": ["none", "l2"],
                "kernel_strength": 0.01,
                "bias_regularizer": ["none", "l2"],
                "bias_strength": 0.001,
                "activity_regularizer": ["none", "l1"],
                "activity_strength": 0.01,
            },
            "early_stopping": {
                "enabled": True,
                "monitor": "val_loss",
                "patience": 10,
                "min_delta": 0.0,
                "restore_best_weights": True,
            },
        }
    )


# ---- grid helpers --------------------------------------------------------------------------
def _size(hp: Hyperparameter) -> int | None:
    return hp.count()


def _tree_count(space: Space, name: str) -> int:
    hp = space.params[name]
    if not space.children(name):
        return hp.count() or 0
    total = 0
    for value in hp.values() or ():
        count = 1
        for child in space.children(name):
            if value in child.when:
                count *= _tree_count(space, child.name)
        total += count
    return total


def _tree_configs(space: Space, name: str) -> Iterator[Config]:
    for value in space.params[name].values() or ():
        parts: list[list[Config]] = []
        for child in space.children(name):
            if value in child.when:
                parts.append(list(_tree_configs(space, child.name)))
            else:
                parts.append([_inactive(space, child.name)])
        for combo in itertools.product(*parts):
            config = {name: value}
            for part in combo:
                config.update(part)
            yield config


def _inactive(space: Space, name: str) -> Config:
    out = {name: space.params[name].default}
    for child in space.children(name):
        out.update(_inactive(space, child.name))
    return out


def _check_layer_count(count: Hyperparameter, layered: tuple[ParamSpec, ...]) -> None:
    """A list of layers fixes how many there are: at least as many as have settings."""
    if not isinstance(count, Fixed):
        raise SpaceError(LAYERS_PATH, "a list of layers fixes their number; it cannot be tuned")
    deepest = max((spec.layer for spec in layered), default=0)
    if count.value < deepest:
        raise SpaceError(
            LAYERS_PATH, f"{count.value} layers, but layer {deepest} has settings of its own"
        )


def _kind_of(hp: Hyperparameter) -> type:
    """The type a user parameter's values share (what `Space` checks them against)."""
    values = hp.values() or (hp.min, hp.max)  # type: ignore[union-attr]
    return shared_type(list(values), USER_GROUP)
