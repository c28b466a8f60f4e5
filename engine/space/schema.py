"""The catalogue of tunable parameters: names, groups, types, bounds, defaults and conditions.

A configuration is a flat mapping from these names to values. A parameter with a `parent` only
matters when the parent takes one of the `when` values (e.g. `beta_1` only for Adam-like
optimizers); backends use that to build conditional spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad", "adadelta", "adamax", "nadam")
ACTIVATIONS = (
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "mish",
    "tanh",
    "sigmoid",
    "hard_sigmoid",
    "softplus",
    "softsign",
    "linear",
)
INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "random_uniform",
    "random_normal",
    "truncated_normal",
    "orthogonal",
)
REGULARIZERS = ("none", "l1", "l2", "l1_l2")
SCHEDULES = ("constant", "cosine_restarts", "exponential")
FAMILIES = ("mlp", "cnn")  # the built-in model: Dense layers, or convolutions before them
POOLINGS = ("max", "average", "none")
MONITORS = ("val_loss", "val_accuracy", "loss", "accuracy")
ADAM_LIKE = ("adam", "adamw", "nadam", "adamax")
MOMENTUM_LIKE = ("sgd", "rmsprop")
WITH_STRENGTH = ("l1", "l2", "l1_l2")

GROUPS = ("training", "optimizer", "schedule", "architecture", "regularization", "early_stopping")
MODEL_GROUPS = ("architecture", "regularization")  # the built-in model's own: not for a user's


@dataclass(frozen=True)
class Bound:
    """An interval check: `low`/`high` inclusive unless marked open."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def check(self, value: float) -> str | None:
        """None for a value inside, else the refusal: `must be >= 1`, `must be < 1 (allowed [0, 1))`."""
        interval = self.interval()
        allowed = f" (allowed {interval})" if interval else ""
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return f"must be {self._low_text()}{allowed}"
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            return f"must be {self._high_text()}{allowed}"
        return None

    def describe(self) -> str:
        """What the bound allows, for a help line: `> 0`, `>= 1`, `in [0, 1)`."""
        interval = self.interval()
        if interval:
            return f"in {interval}"
        if self.low is not None:
            return self._low_text()
        return self._high_text() if self.high is not None else ""

    def interval(self) -> str:
        """`[0, 1)` when both ends are bounded, else empty."""
        if self.low is None or self.high is None:
            return ""
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{self.low:g}, {self.high:g}{right}"

    def _low_text(self) -> str:
        return f"{'>' if self.low_open else '>='} {self.low:g}"

    def _high_text(self) -> str:
        return f"{'<' if self.high_open else '<='} {self.high:g}"


@dataclass(frozen=True)
class ParamSpec:
    """One tunable parameter: where it lives in a space file and what it accepts."""

    name: str
    group: str
    key: str
    type: type
    default: Any
    help: str
    names: tuple[str, ...] | None = None
    bound: Bound | None = None
    parent: str | None = None
    when: tuple[Any, ...] = ()
    tunable: bool = True  # False: one value per run (it defines what scores are measured on)
    layer: int = 0  # 1-based: a setting of that hidden layer alone (`layer_2_nodes`); 0: shared

    @property
    def path(self) -> str:
        if self.layer:
            return f"{self.group}.layers[{self.layer - 1}].{self.key}"
        return f"{self.group}.{self.key}"


def _p(name: str, group: str, type_: type, default: Any, help_: str, **kw: Any) -> ParamSpec:
    return ParamSpec(name, group, kw.pop("key", name), type_, default, help_, **kw)


POSITIVE = Bound(low=0, low_open=True)
AT_LEAST_1 = Bound(low=1)
NON_NEGATIVE = Bound(low=0)
UNIT_OPEN = Bound(low=0, high=1, high_open=True)

PARAMS: tuple[ParamSpec, ...] = (
    _p("batch_size", "training", int, 32, "samples per gradient step", bound=AT_LEAST_1),
    _p("epochs", "training", int, 30, "passes over the training data", bound=AT_LEAST_1),
    _p(
        "validation_split",
        "training",
        float,
        0.2,
        "fraction held out to score a trial",
        bound=Bound(0, 1, low_open=True, high_open=True),
        tunable=False,
    ),
    _p("optimizer", "optimizer", str, "adam", "optimizer name", key="name", names=OPTIMIZERS),
    _p("learning_rate", "optimizer", float, 0.01, "initial learning rate", bound=POSITIVE),
    _p(
        "beta_1",
        "optimizer",
        float,
        0.9,
        "decay of the first moment (Adam family)",
        bound=UNIT_OPEN,
        parent="optimizer",
        when=ADAM_LIKE,
    ),
    _p(
        "momentum",
        "optimizer",
        float,
        0.0,
        "momentum (SGD, RMSprop)",
        bound=UNIT_OPEN,
        parent="optimizer",
        when=MOMENTUM_LIKE,
    ),
    _p(
        "schedule",
        "schedule",
        str,
        "constant",
        "learning-rate schedule",
        key="name",
        names=SCHEDULES,
    ),
    _p(
        "first_decay_steps",
        "schedule",
        int,
        1000,
        "steps in the first cosine cycle",
        bound=AT_LEAST_1,
        parent="schedule",
        when=("cosine_restarts",),
    ),
    _p(
        "decay_steps",
        "schedule",
        int,
        1000,
        "steps per exponential decay",
        bound=AT_LEAST_1,
        parent="schedule",
        when=("exponential",),
    ),
    _p(
        "decay_rate",
        "schedule",
        float,
        0.9,
        "factor per decay_steps",
        bound=Bound(0, 1, low_open=True),
        parent="schedule",
        when=("exponential",),
    ),
    _p(
        "family",
        "architecture",
        str,
        "mlp",
        "mlp: Dense layers; cnn: convolutions, then them",
        names=FAMILIES,
    ),
    _p(
        "conv_layers",
        "architecture",
        int,
        2,
        "convolution blocks (cnn)",
        bound=AT_LEAST_1,
        parent="family",
        when=("cnn",),
    ),
    _p(
        "filters",
        "architecture",
        int,
        32,
        "filters per convolution (cnn)",
        bound=AT_LEAST_1,
        parent="family",
        when=("cnn",),
    ),
    _p(
        "kernel_size",
        "architecture",
        int,
        3,
        "convolution window side (cnn)",
        bound=AT_LEAST_1,
        parent="family",
        when=("cnn",),
    ),
    _p(
        "pooling",
        "architecture",
        str,
        "max",
        "2x2 pooling after each block (cnn)",
        names=POOLINGS,
        parent="family",
        when=("cnn",),
    ),
    _p(
        "batch_norm",
        "architecture",
        bool,
        False,
        "batch normalisation in each block (cnn)",
        parent="family",
        when=("cnn",),
    ),
    _p("layers", "architecture", int, 1, "number of hidden Dense layers", bound=AT_LEAST_1),
    _p("nodes", "architecture", int, 32, "units per hidden layer", bound=AT_LEAST_1),
    _p("activation", "architecture", str, "relu", "hidden-layer activation", names=ACTIVATIONS),
    _p(
        "initializer",
        "architecture",
        str,
        "glorot_uniform",
        "kernel initializer",
        names=INITIALIZERS,
    ),
    _p(
        "dropout",
        "regularization",
        float,
        0.0,
        "dropout rate after each hidden layer",
        bound=UNIT_OPEN,
    ),
    _p(
        "kernel_regularizer",
        "regularization",
        str,
        "none",
        "penalty on weights",
        names=REGULARIZERS,
    ),
    _p(
        "kernel_strength",
        "regularization",
        float,
        0.01,
        "kernel penalty factor",
        bound=NON_NEGATIVE,
        parent="kernel_regularizer",
        when=WITH_STRENGTH,
    ),
    _p("bias_regularizer", "regularization", str, "none", "penalty on biases", names=REGULARIZERS),
    _p(
        "bias_strength",
        "regularization",
        float,
        0.001,
        "bias penalty factor",
        bound=NON_NEGATIVE,
        parent="bias_regularizer",
        when=WITH_STRENGTH,
    ),
    _p(
        "activity_regularizer",
        "regularization",
        str,
        "none",
        "penalty on layer outputs",
        names=REGULARIZERS,
    ),
    _p(
        "activity_strength",
        "regularization",
        float,
        0.01,
        "activity penalty factor",
        bound=NON_NEGATIVE,
        parent="activity_regularizer",
        when=WITH_STRENGTH,
    ),
    _p(
        "early_stopping",
        "early_stopping",
        bool,
        True,
        "stop a trial when it stops improving",
        key="enabled",
    ),
    _p(
        "monitor",
        "early_stopping",
        str,
        "val_loss",
        "metric watched",
        names=MONITORS,
        parent="early_stopping",
        when=(True,),
    ),
    _p(
        "patience",
        "early_stopping",
        int,
        10,
        "epochs without improvement before stopping",
        bound=NON_NEGATIVE,
        parent="early_stopping",
        when=(True,),
    ),
    _p(
        "min_delta",
        "early_stopping",
        float,
        0.0,
        "smallest change that counts",
        bound=NON_NEGATIVE,
        parent="early_stopping",
        when=(True,),
    ),
    _p(
        "restore_best_weights",
        "early_stopping",
        bool,
        True,
        "keep the best epoch's weights",
        parent="early_stopping",
        when=(True,),
    ),
)

BY_NAME: dict[str, ParamSpec] = {p.name: p for p in PARAMS}
BY_PATH: dict[tuple[str, str], ParamSpec] = {(p.group, p.key): p for p in PARAMS}


# What one hidden layer may set for itself in `architecture.layers: [{...}, ...]`; a setting it
# leaves out takes the shared parameter of the same name.
LAYER_FIELDS = (
    "nodes",
    "activation",
    "initializer",
    "dropout",
    "kernel_regularizer",
    "kernel_strength",
    "bias_regularizer",
    "bias_strength",
    "activity_regularizer",
    "activity_strength",
)
_LAYER_NAME = re.compile(r"^layer_([1-9][0-9]*)_([a-z_]+)$")


def layer_name(layer: int, field: str) -> str:
    """The flat name of a layer's own setting: `layer_2_dropout` (layers counted from 1)."""
    return f"layer_{layer}_{field}"


def split_layer_name(name: str) -> tuple[int, str] | None:
    """(layer, field) of a per-layer name, None for any other name."""
    match = _LAYER_NAME.match(name)
    if match is None or match.group(2) not in LAYER_FIELDS:
        return None
    return int(match.group(1)), match.group(2)


def layer_spec(layer: int, field: str, given: Any) -> ParamSpec:
    """The catalogue entry of `layer`'s own `field`: the shared entry's type, bounds and default.
    A strength depends on the layer's own regularizer when the layer sets one (`given` holds
    the fields it sets), else on the shared regularizer it then uses. Every per-layer setting
    lives under `architecture.layers`, a regularization one too."""
    shared = BY_NAME[field]
    parent = shared.parent
    if parent is not None and parent in given:
        parent = layer_name(layer, parent)
    name = layer_name(layer, field)
    return replace(shared, name=name, group="architecture", parent=parent, layer=layer)


def is_active(name: str, config: dict[str, Any]) -> bool:
    """Whether `name` influences a model under `config` (its parent chain takes enabling values).
    A parent missing from `config` means the built-in model's groups are not there: the name
    is then a user model's own parameter (e.g. its `filters`), which has no parent."""
    spec = BY_NAME.get(name)
    if spec is None and (split := split_layer_name(name)) is not None:
        layer, field = split
        spec = layer_spec(layer, field, {f for f in LAYER_FIELDS if layer_name(layer, f) in config})
    if spec is None or spec.parent is None or spec.parent not in config:
        return True
    return is_active(spec.parent, config) and config.get(spec.parent) in spec.when


def children(name: str) -> tuple[ParamSpec, ...]:
    return tuple(p for p in PARAMS if p.parent == name)
