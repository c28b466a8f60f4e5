"""Trials that share an architecture share one traced model.

A small model's trial is mostly TensorFlow tracing its train, test and predict functions
(about 0.8 s of a 1.2 s trial on `digits`); every later epoch costs a tenth of that. Two trials
whose models differ only in their starting weights, the optimizer's learning rate, or the data
they see (the folds of one scikit-learn candidate, a seed rerun, a grid over learning rates)
can train the same traced model.

Each trial still builds its own fresh model, seeded as before, which costs milliseconds and
draws exactly the starting weights the plain path would. When a model with the same layers,
loss and metrics is in the pool, the fresh model's state (weights, dropout seeds) is copied
into it and the pooled model trains instead, its test and predict functions traced already.
Its optimizer is the one it trained with before under the same settings, reset to a fresh
optimizer's state (slots rebuilt by that class, the new learning rate), with that optimizer's
traced train function; or, for settings it has not seen, the fresh model's optimizer, whose
train function is traced on first use. Same configuration, same seed: same result (tested).

Only models made of Keras's own classes are pooled: a custom layer may keep state outside its
configuration, which a copy of its variables would miss. Anything unexpected (a subclassed
model, a config that will not serialise, variables that do not line up) trains the fresh model.

`steps_per_execution` is part of the same trade: several batches per call of the traced
function (Keras then calls batch hooks once per call), chosen so that an epoch is a few calls
and a stop or skip request still lands within a few dozen batches.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

POOL_SIZE = 4  # architectures kept traced; each holds its weights, optimizer slots and graphs
OPTIMIZERS_KEPT = 2  # per architecture, with their traced train functions
MOST_STEPS_PER_CALL = 32
FEWEST_STEPS_TO_GROUP = 16
CALLS_PER_EPOCH = 4


def steps_per_call(rows: int, batch_size: int) -> int:
    """Batches per traced call: about a quarter epoch, at most 32 (a stop check waits at most
    that many batches); 1 for epochs under 16 batches, where the saving per batch does not pay
    for the costlier trace of a call that loops (Hyperband's many short trials on a subsample
    ran slower with it)."""
    if rows <= 0 or batch_size <= 0:
        return 1
    steps = math.ceil(rows / batch_size)
    if steps < FEWEST_STEPS_TO_GROUP:
        return 1
    return max(1, min(MOST_STEPS_PER_CALL, math.ceil(steps / CALLS_PER_EPOCH)))


@dataclass
class _Traced:
    """A pooled model, and the optimizers it has trained with: each keeps its own traced train
    function (its update is part of the trace), so a return to one traces nothing again."""

    model: Any
    optimizer_key: str  # the optimizer the model holds now
    trainers: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # key: optimizer, function


class ModelPool:
    """Traced models by architecture, least recently used dropped first."""

    def __init__(self, size: int = POOL_SIZE) -> None:
        self.size = size
        self.models: OrderedDict[str, _Traced] = OrderedDict()
        self.reused = 0

    def take(self, fresh: Any) -> Any:
        """The model to train: a pooled one now holding `fresh`'s state, else `fresh` itself
        (pooled for the next trial when it can be)."""
        keys = architecture_keys(fresh)
        if keys is None:
            return fresh
        layers, optimizer = keys
        traced = self.models.get(layers)
        if traced is not None and adopt(traced, fresh, optimizer):
            self.models.move_to_end(layers)
            self.reused += 1
            return traced.model
        self.models[layers] = _Traced(fresh, optimizer)
        self.models.move_to_end(layers)
        while len(self.models) > self.size:
            self.models.popitem(last=False)
        return fresh

    def held(self) -> int:
        """Traced models and optimizers kept: memory held on purpose, bounded by the sizes."""
        return sum(1 + len(t.trainers) for t in self.models.values())

    def __getstate__(self) -> dict[str, Any]:
        """A pool travels empty (to scikit-learn's worker processes): models do not pickle."""
        return {"size": self.size, "models": OrderedDict(), "reused": 0}


def adopt(traced: _Traced, fresh: Any, optimizer_key: str) -> bool:
    """Give the pooled model the state `fresh` starts with: its weights and seed states, and
    an optimizer as a fresh one starts (one this model trained with before, reset, or `fresh`'s
    own, whose train function is traced on first use). False when nothing lines up."""
    model = traced.model
    if not _same_shapes(model.variables, fresh.variables):
        return False
    traced.trainers[traced.optimizer_key] = (model.optimizer, model.train_function)
    optimizer, train_function = traced.trainers.pop(optimizer_key, (fresh.optimizer, None))
    if optimizer is not fresh.optimizer:
        if optimizer.built:
            fresh.optimizer.build(model.trainable_variables)  # slots as this class starts them
        if not _same_shapes(optimizer.variables, fresh.optimizer.variables):
            return False
        for target, source in zip(optimizer.variables, fresh.optimizer.variables, strict=True):
            target.assign(source.value)  # iterations, learning rate, slots
    while len(traced.trainers) >= OPTIMIZERS_KEPT:  # the others, beside the one in use
        traced.trainers.pop(next(iter(traced.trainers)))
    model.optimizer, model.train_function = optimizer, train_function
    traced.optimizer_key = optimizer_key
    for target, source in zip(model.variables, fresh.variables, strict=True):
        target.assign(source.value)  # weights, seed states
    model.reset_metrics()
    model.stop_training = False
    return True


@contextlib.contextmanager
def one_batch_per_call(model: Any) -> Iterator[None]:
    """Predict a batch per call: grouped, Keras traces a loop that gathers the outputs, which
    costs more than it saves on one pass (0.54 s against 0.18 s over a fold of `digits`).
    Every prediction of a pooled model goes through here, so its predict function is traced
    for one batch per call and always called that way."""
    saved = model.steps_per_execution
    model.steps_per_execution = 1
    try:
        yield
    finally:
        model.steps_per_execution = saved


def _same_shapes(a: list[Any], b: list[Any]) -> bool:
    return len(a) == len(b) and all(
        tuple(x.shape) == tuple(y.shape) and x.dtype == y.dtype for x, y in zip(a, b, strict=True)
    )


def architecture_keys(model: Any) -> tuple[str, str] | None:
    """What a traced model's functions depend on, as (layers, optimizer): its layers'
    configuration (names made positional: Keras numbers its automatic names), loss, metrics
    and batches per call; then the optimizer's settings but its name and a plain learning rate
    (a variable). None when the model cannot be pooled safely."""
    if not getattr(model, "compiled", False) or not _keras_all_the_way(model):
        return None
    try:
        config = model.get_config()
        compiled = dict(model.get_compile_config() or {})
    except Exception:  # a model or metric that does not serialise: no pooling
        return None
    optimizer = dict(compiled.pop("optimizer", None) or {})
    settings = dict(optimizer.get("config") or {})
    settings.pop("name", None)  # numbered by Keras per instance; it names nothing traced
    if isinstance(settings.get("learning_rate"), int | float):
        settings.pop("learning_rate")
    # a Sequential's input layer is only in its configuration, not among its layers
    listed = [(e.get("config") or {}).get("name") for e in config.get("layers") or ()]
    ordered = [*listed, *(layer.name for layer in _all_layers(model)), model.name]
    names = {name: f"#{i}" for i, name in enumerate(dict.fromkeys(ordered)) if name}
    layers = [config, compiled, int(getattr(model, "steps_per_execution", 1) or 1)]
    try:
        return (
            json.dumps(_renamed(layers, names), sort_keys=True, default=repr),
            json.dumps({**optimizer, "config": settings}, sort_keys=True, default=repr),
        )
    except (TypeError, ValueError):
        return None


def _all_layers(model: Any) -> list[Any]:
    found: list[Any] = []
    for layer in getattr(model, "layers", ()):
        found.append(layer)
        found.extend(_all_layers(layer))
    return found


def _keras_all_the_way(model: Any) -> bool:
    """The model and every layer in it are Keras's own classes (no user state to miss)."""
    return all(
        type(layer).__module__.startswith("keras.") for layer in [model, *_all_layers(model)]
    )


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):
        return {k: _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_renamed(v, names) for v in value]
    return value
