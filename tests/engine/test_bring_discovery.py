"""Discovering the space a Keras Tuner build function declares: every parameter (those under
conditional scopes and those that appear only for some values), the space file's entries
winning, conditions kept through the backends, and the object the function receives."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml

from engine.model.builder import quiet_tensorflow
from engine.space import Space
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401
from tests.engine.test_bring_keras_tuner import GETTING_STARTED

pytestmark = pytest.mark.usefixtures("isolated_cli")
quiet_tensorflow()

CONDITIONAL = """
import keras


def build(hp):
    kind = hp.Choice("model_type", ["mlp", "cnn"])
    with hp.conditional_scope("model_type", ["mlp"]):
        if kind == "mlp":
            units = hp.Int("mlp_units", 8, 32, step=8)
            with hp.conditional_scope("mlp_units", [32]):
                if units == 32:
                    hp.Boolean("wide", default=True)
    with hp.conditional_scope("model_type", ["cnn"]):
        if kind == "cnn":
            hp.Choice("filters", [4, 8], default=8)
    hp.Fixed("head", 10)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])


def learning_rate(hp):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    rate = hp.Choice("learning_rate", [0.01, 0.001])
    model.compile(optimizer=keras.optimizers.Adam(rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def shaped(hp, input_shape, n_outputs):
    return keras.Sequential([keras.Input(input_shape),
                             keras.layers.Dense(hp.Int("units", 4, 8, step=4)),
                             keras.layers.Dense(n_outputs, activation="softmax")])


def chatty(hp):
    print("building with", hp.Choice("units", [4, 8]))
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])


def one_hot(hp):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(),
                  metrics=[keras.metrics.CategoricalAccuracy(), "accuracy"])
    return model
"""


def discovered(capsys, source: str) -> dict:
    code, out, err = tunedeck(capsys, "space", "--from", source)
    assert code == 0, err
    return yaml.safe_load(out)


def test_the_getting_started_space_is_found_whole(tmp_path, capsys) -> None:
    (tmp_path / "tuned.py").write_text(textwrap.dedent(GETTING_STARTED))
    space = discovered(capsys, "tuned.py:build_model")
    step32 = {"min": 32, "max": 512, "step": 32}
    assert space["model"] == "tuned.py:build_model"
    assert space["params"] == {
        "num_layers": {"min": 1, "max": 3},
        "units_0": step32,
        "activation": ["relu", "tanh"],
        "dropout": {"type": "boolean", "default": False},
        "lr": {"min": 0.0001, "max": 0.01, "sampling": "log"},
        "units_1": step32,
        "units_2": step32,
    }
    assert Space.from_dict(space).grid_size() is None  # lr is continuous


def test_conditional_scopes_become_conditions(tmp_path, capsys) -> None:
    (tmp_path / "net.py").write_text(textwrap.dedent(CONDITIONAL))
    params = discovered(capsys, "net.py:build")["params"]
    assert params == {
        "model_type": ["mlp", "cnn"],
        "mlp_units": {"min": 8, "max": 32, "step": 8, "when": {"model_type": ["mlp"]}},
        "wide": {"type": "boolean", "default": True, "when": {"mlp_units": [32]}},
        "filters": {"values": [4, 8], "default": 8, "when": {"model_type": ["cnn"]}},
        "head": 10,
    }
    space = Space.from_dict({"model": "net.py:build", "params": params})
    assert space.grid_size() == 7 == len(list(space.grid()))  # mlp: 3 + 32 × wide (2); cnn: 2
    from sklearn.model_selection import ParameterGrid

    from engine.backends.keras_tuner.hyperparameters import to_hyperparameters
    from engine.backends.sklearn.grid import param_grid

    assert len(ParameterGrid(param_grid(space))) == 7
    hp = to_hyperparameters(space)
    hp.values["model_type"] = "cnn"
    assert hp.is_active("filters") and not hp.is_active("mlp_units")


def test_the_space_file_overrides_the_declaration(tmp_path, capsys) -> None:
    (tmp_path / "net.py").write_text(textwrap.dedent(CONDITIONAL))
    (tmp_path / "space.yaml").write_text(
        yaml.safe_dump({"model": "net.py:build", "params": {"mlp_units": [8, 32], "filters": 4}})
    )
    params = discovered(capsys, "space.yaml")["params"]
    assert params["mlp_units"] == {"values": [8, 32], "when": {"model_type": ["mlp"]}}
    assert params["filters"] == {"value": 4, "when": {"model_type": ["cnn"]}}
    names = list(params)  # found in the order declared: a parent before its children
    assert set(names) == {"model_type", "mlp_units", "wide", "filters", "head"}
    assert names.index("model_type") < names.index("mlp_units") < names.index("wide")


def test_a_declared_catalogue_name_is_that_parameter_and_counts_as_used(tmp_path) -> None:
    from engine.data.datasets import load_dataset
    from engine.model.discovery import with_discovered
    from engine.model.factory import make_factory

    (tmp_path / "net.py").write_text(textwrap.dedent(CONDITIONAL))
    space = Space.from_dict({"model": "net.py:learning_rate"}, str(tmp_path)).resolved()
    iris = load_dataset("iris")
    found = with_discovered(space, iris)
    assert found.params["learning_rate"].values() == (0.01, 0.001) and not found.user
    model = make_factory(found, iris).build({**found.defaults(), "learning_rate": 0.001})
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.001)


def test_one_hot_losses_and_metrics_read_class_indices(tmp_path) -> None:
    from engine.data.datasets import load_dataset
    from engine.model.factory import make_factory

    (tmp_path / "net.py").write_text(textwrap.dedent(CONDITIONAL))
    space = Space.from_dict({"model": "net.py:one_hot"}, str(tmp_path)).resolved()
    iris = load_dataset("iris")
    model = make_factory(space, iris).build(space.defaults())
    assert type(model.loss).__name__ == "SparseCategoricalCrossentropy"
    logs = model.evaluate(iris.x_val, iris.y_val, verbose=0, return_dict=True)
    assert logs["categorical_accuracy"] == pytest.approx(logs["accuracy"])
    assert np.isfinite(logs["loss"])


def test_the_function_gets_keras_tuner_s_hyperparameters_that_read_as_a_mapping() -> None:
    from collections.abc import Mapping

    import keras_tuner

    from engine.model.hyperparameters import TrialHyperParameters

    hp = TrialHyperParameters({"units": 64, "kind": "cnn"})
    assert isinstance(hp, keras_tuner.HyperParameters) and isinstance(hp, Mapping)
    assert hp.Int("units", 8, 512, step=8) == 64  # the candidate's value, not the default
    assert hp["kind"] == "cnn" and hp.get("missing", 3) == 3 and dict(hp.items())["units"] == 64
    with pytest.raises(TypeError):
        hp["units"] = 1  # type: ignore[index]
    assert hp.read == {"units", "kind", "missing"}


def test_a_space_file_written_by_discovery_runs_as_it_is(tmp_path: Path, capsys) -> None:
    (tmp_path / "net.py").write_text(textwrap.dedent(CONDITIONAL))
    (tmp_path / "space.yaml").write_text(yaml.safe_dump(discovered(capsys, "net.py:build")))
    code, out, err = tunedeck(capsys, "validate", "space.yaml")
    assert code == 0, err
    assert "grid of 7 configurations" in out


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (
            {
                "a": {"values": [1, 2], "when": {"b": [1]}},
                "b": {"values": [1, 2], "when": {"a": [1]}},
            },
            "params.a.when: conditions go round in a circle",
        ),
        (
            {"a": {"values": [1, 2], "when": {"nope": [1]}}},
            "params.a.when: 'nope' is not a parameter",
        ),
        ({"a": {"values": [1, 2], "when": ["b"]}}, "params.a.when: expected one parent"),
    ],
)
def test_bad_conditions_name_the_parameter(params, words) -> None:
    from engine.errors import SpaceError

    with pytest.raises(SpaceError, match=words):
        Space.from_dict({"model": "net.py:build", "params": params})


def test_a_function_that_needs_the_data_s_shape_is_given_it(tmp_path, capsys) -> None:
    (tmp_path / "net.py").write_text(textwrap.dedent(CONDITIONAL))
    code, out, err = tunedeck(capsys, "space", "--from", "net.py:shaped")
    assert code == 2 and out == ""
    assert "net.py:shaped needs input_shape to declare its space: give the data" in err
    code, out, err = tunedeck(capsys, "space", "--from", "net.py:shaped", "--dataset", "iris")
    assert code == 0, err
    assert yaml.safe_load(out)["params"] == {"units": {"min": 4, "max": 8, "step": 4}}


def test_what_the_code_prints_goes_to_stderr_not_into_the_printed_space(tmp_path, capsys) -> None:
    (tmp_path / "net.py").write_text(textwrap.dedent(CONDITIONAL))
    code, out, err = tunedeck(capsys, "space", "--from", "net.py:chatty")
    assert code == 0, err
    assert yaml.safe_load(out)["params"] == {"units": [4, 8]}  # `space --from … > space.yaml`
    assert "building with 4" in err
