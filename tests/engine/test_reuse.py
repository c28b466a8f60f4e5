"""A pooled model trains as a fresh one would (`engine.model.reuse`): same weights to start,
an optimizer as new, the same history for the same seed; its traced functions are kept."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import pytest

from engine.data.datasets import dataset_for
from engine.model.factory import make_factory
from engine.model.reuse import OPTIMIZERS_KEPT, POOL_SIZE, architecture_keys, steps_per_call
from engine.run.settings import RunSettings
from engine.space import Space

SPACE = {
    "training": {"batch_size": 4, "epochs": 2},  # 32 batches an epoch: grouped calls
    "optimizer": {"name": ["adam", "adagrad"], "learning_rate": [0.05, 0.01]},
    "architecture": {"nodes": [8, 16]},
    "regularization": {"dropout": 0.25},  # dropout draws from seed states: they are copied too
    "early_stopping": {"enabled": False},
}


@pytest.fixture(scope="module")
def setup() -> tuple[Any, Any, list[dict[str, Any]]]:
    space = Space.from_dict(SPACE)
    data = dataset_for(space, RunSettings(dataset="digits", seed=0, subsample=200))
    return make_factory(space, data), data, list(space.grid())


def history(model: Any, data: Any) -> list[float]:
    fit = model.fit(
        data.x_train,
        data.y_train,
        validation_data=(data.x_val, data.y_val),
        batch_size=4,
        epochs=2,
        verbose=0,
    )
    return fit.history["loss"] + fit.history["val_loss"]


def test_pooled_models_train_exactly_as_fresh_ones(setup: tuple) -> None:
    factory, data, configs = setup
    rows = len(data.x_train)
    eight = [c for c in configs if c["nodes"] == 8]  # adam/adagrad × two learning rates
    order = [*eight, eight[0]]  # and back to the first optimizer
    models = []
    for config in order:
        keras.utils.set_random_seed(5)
        plain = history(factory.build(config), data)
        keras.utils.set_random_seed(5)
        model = factory.trial_model(config, rows, 4)
        pooled = history(model, data)
        np.testing.assert_allclose(pooled, plain, rtol=1e-5, err_msg=str(config))
        models.append(model)
    assert all(m is models[0] for m in models), "one traced model for one set of layers"
    assert factory.pool.reused == len(order) - 1
    assert models[0].steps_per_execution == steps_per_call(rows, 4) > 1


def test_a_return_to_an_optimizer_keeps_its_traced_train_function(setup: tuple) -> None:
    factory, data, configs = setup
    sixteen = [c for c in configs if c["nodes"] == 16]
    adam, adagrad = (
        sixteen[0],
        next(c for c in sixteen if c["optimizer"] != sixteen[0]["optimizer"]),
    )
    model = factory.trial_model(adam, len(data.x_train), 4)
    history(model, data)
    traced = model.train_function
    assert factory.trial_model(adagrad, len(data.x_train), 4) is model
    history(model, data)
    assert model.train_function is not traced  # another optimizer's update: traced anew
    assert factory.trial_model(adam, len(data.x_train), 4) is model
    assert model.train_function is traced


def test_architecture_keys_tell_layers_from_optimizer_settings(setup: tuple) -> None:
    factory, _, configs = setup
    keys = {
        tuple(map(str, (c["nodes"], c["optimizer"], c["learning_rate"]))): architecture_keys(
            factory.build(c)
        )
        for c in configs
    }
    assert keys[("8", "adam", "0.05")] == keys[("8", "adam", "0.01")], "a rate is a variable"
    assert keys[("8", "adam", "0.05")][0] == keys[("8", "adagrad", "0.05")][0]
    assert keys[("8", "adam", "0.05")][1] != keys[("8", "adagrad", "0.05")][1]
    assert keys[("8", "adam", "0.05")][0] != keys[("16", "adam", "0.05")][0]


class Doubled(keras.layers.Layer):
    def call(self, x: Any) -> Any:
        return x * 2


def sequential(extra: list[Any]) -> keras.Model:
    model = keras.Sequential([keras.Input((4,)), *extra, keras.layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_only_keras_own_layers_are_pooled() -> None:
    first, second = sequential([]), sequential([])  # automatic names differ: dense, dense_1
    assert architecture_keys(first) == architecture_keys(second) is not None
    assert architecture_keys(sequential([Doubled()])) is None  # state Keras cannot see
    uncompiled = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    assert architecture_keys(uncompiled) is None


@pytest.mark.parametrize(
    ("rows", "batch", "steps"),
    [(1149, 32, 9), (60000, 32, 32), (384, 32, 1), (10, 32, 1), (0, 32, 1)],
)
def test_batches_per_call_make_a_few_calls_an_epoch(rows: int, batch: int, steps: int) -> None:
    assert steps_per_call(rows, batch) == steps


def test_what_the_pool_holds_is_counted_and_bounded() -> None:
    space = Space.from_dict(
        {
            **SPACE,
            "architecture": {"nodes": [4, 5, 6, 7, 8]},
            "optimizer": {"name": ["adam", "adagrad"], "learning_rate": 0.05},
        }
    )
    data = dataset_for(space, RunSettings(dataset="digits", seed=0, subsample=60))
    factory = make_factory(space, data)
    held = [factory.pool.held()]
    for config in sorted(space.grid(), key=lambda c: c["nodes"]):  # each set of layers in turn
        model = factory.trial_model(config, len(data.x_train), 4)
        model.fit(data.x_train, data.y_train, batch_size=4, epochs=1, verbose=0)
        held.append(factory.pool.held())
    bound = POOL_SIZE * OPTIMIZERS_KEPT  # 4 of the 5 sets of layers, each with 2 optimizers
    assert held[0] == 0
    assert max(held) == bound
    assert held.index(bound) < len(held) - 2, "reached, then held there through an eviction"
    assert all(h <= bound for h in held)
