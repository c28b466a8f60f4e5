"""Model code people already have, run unchanged on both backends: a Keras Tuner HyperModel
whose `fit` tunes `shuffle` and a normalisation step (the Keras Tuner guide's), one with a
custom training loop returning the objective, scikeras' quickstart `get_model(hidden_layer_dim,
meta)` and a tutorial's self-compiling `create_model(nodes=…)`; what cannot serve is one line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from engine.run.kept import load_results
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401

pytestmark = pytest.mark.usefixtures("isolated_cli")

# keras.io/guides/keras_tuner/getting_started, "Tune model training" (its units range made
# small), and "custom training loop" reduced to its shape: a loop that calls the callbacks and
# returns the best epoch's loss.
HYPER = """
import keras
import keras_tuner
import numpy as np
import tensorflow as tf
from keras import layers


class MyHyperModel(keras_tuner.HyperModel):
    def build(self, hp):
        model = keras.Sequential()
        model.add(layers.Flatten())
        model.add(
            layers.Dense(
                units=hp.Int("units", min_value=4, max_value=8, step=4),
                activation="relu",
            )
        )
        model.add(layers.Dense(10, activation="softmax"))
        model.compile(
            optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"],
        )
        return model

    def fit(self, hp, model, x, y, **kwargs):
        if hp.Boolean("normalize"):
            x = layers.Normalization()(x)
        return model.fit(
            x,
            y,
            # Tune whether to shuffle the data in each epoch.
            shuffle=hp.Boolean("shuffle"),
            **kwargs,
        )


class LoopModel(keras_tuner.HyperModel):
    def build(self, hp):
        return keras.Sequential([layers.Flatten(), layers.Dense(hp.Choice("units", [4, 8])),
                                 layers.Dense(10, activation="softmax")])

    def fit(self, hp, model, x, y, validation_data, callbacks=None, **kwargs):
        batch_size = hp.Int("batch_size", 16, 32, step=16, default=16)
        optimizer = keras.optimizers.Adam(hp.Float("lr", 1e-3, 1e-2, sampling="log"))
        loss_fn = keras.losses.SparseCategoricalCrossentropy()
        data = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
        x_val, y_val = validation_data
        for callback in callbacks:
            callback.set_model(model)
        best = float("inf")
        for epoch in range(2):
            for xb, yb in data:
                with tf.GradientTape() as tape:
                    loss = loss_fn(yb, model(xb, training=True))
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
            val_loss = float(loss_fn(y_val, model(x_val)))
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs={"val_loss": val_loss})
            best = min(best, val_loss)
        return best


CALLS = []


class Counting(keras_tuner.HyperModel):
    # its fit returns how many times it has been called in this process: 1, 2, 3, …

    def build(self, hp):
        return keras.Sequential([layers.Flatten(), layers.Dense(hp.Choice("units", [4])),
                                 layers.Dense(10, activation="softmax")])

    def fit(self, hp, model, x, y, **kwargs):
        CALLS.append(1)
        return float(len(CALLS))


class EpochsInFit(MyHyperModel):
    # keras.io's HyperModel API page: fit tunes the epochs itself
    def fit(self, hp, model, *args, **kwargs):
        return model.fit(
            *args,
            epochs=hp.Int("epochs", 1, 2),
            **kwargs)


class ReturnsNothing(MyHyperModel):
    def fit(self, hp, model, *args, **kwargs):
        model.fit(*args, **kwargs)


class ReturnsOtherMetrics(MyHyperModel):
    def fit(self, hp, model, *args, **kwargs):
        return {"loss": 0.5}


class MyTuner(keras_tuner.RandomSearch):
    def run_trial(self, trial, *args, **kwargs):
        return {"val_loss": 0.5}


class NotAHyperModel:
    def build(self, hp):
        return None
"""

# scikeras' quickstart model function (meta asked for), and a tutorial's self-compiling one.
SCIKERAS = """
import keras


def get_model(hidden_layer_dim, meta):
    # note that meta is a special argument that will be
    # handed a dict containing input metadata
    n_features_in_ = meta["n_features_in_"]
    X_shape_ = meta["X_shape_"]
    n_classes_ = meta["n_classes_"]

    model = keras.models.Sequential()
    model.add(keras.layers.Dense(n_features_in_, input_shape=X_shape_[1:]))
    model.add(keras.layers.Activation("relu"))
    model.add(keras.layers.Dense(hidden_layer_dim))
    model.add(keras.layers.Activation("relu"))
    model.add(keras.layers.Dense(n_classes_))
    model.add(keras.layers.Activation("softmax"))
    return model


def create_model(nodes=8, activation_1="relu"):
    model = keras.models.Sequential()
    model.add(keras.layers.Dense(nodes, input_shape=(4,), activation=activation_1))
    model.add(keras.layers.Dense(3, activation="softmax"))
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def no_values():
    return create_model()


# scikeras' MLPClassifier tutorial (`keras.layers.Input(shape=(n,))`, as Keras 3 needs it)
def get_clf_model(hidden_layer_sizes, meta, compile_kwargs):
    model = keras.Sequential()
    inp = keras.layers.Input(shape=(meta["n_features_in_"],))
    model.add(inp)
    for hidden_layer_size in hidden_layer_sizes:
        layer = keras.layers.Dense(hidden_layer_size, activation="relu")
        model.add(layer)
    if meta["target_type_"] == "binary":
        n_output_units = 1
        output_activation = "sigmoid"
        loss = "binary_crossentropy"
    elif meta["target_type_"] == "multiclass":
        n_output_units = meta["n_classes_"]
        output_activation = "softmax"
        loss = "sparse_categorical_crossentropy"
    else:
        raise NotImplementedError(f"Unsupported task type: {meta['target_type_']}")
    out = keras.layers.Dense(n_output_units, activation=output_activation)
    model.add(out)
    model.compile(loss=loss, optimizer=compile_kwargs["optimizer"])
    return model


clf = None  # KerasClassifier(create_model, epochs=2, batch_size=16) in the user's notebook
param_grid = dict(model__nodes=[4, 8], optimizer=["Adam", "SGD"], optimizer__learning_rate=[0.1])
"""


def space(folder: Path, body: dict, name: str = "space.yaml") -> str:
    (folder / "hyper.py").write_text(textwrap.dedent(HYPER))
    (folder / "sk.py").write_text(textwrap.dedent(SCIKERAS))
    (folder / name).write_text(yaml.safe_dump(body))
    return name


def run(capsys, path: str, *extra: str) -> tuple[int, str, str]:
    return tunedeck(capsys, "run", path, "--run-dir", "r", "--seed", "1", *extra)


def assert_script_reproduces(capsys, folder: Path, metric: str = "accuracy") -> None:
    """The run's exported script, run apart, prints the test score the run reported."""
    assert tunedeck(capsys, "export", "r", "--format", "python", "-o", "train.py")[0] == 0
    best = yaml.safe_load((folder / "r" / "best.yaml").read_text())
    done = subprocess.run(
        [sys.executable, "train.py"], capture_output=True, text=True, cwd=folder, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert f"test {metric}: {best['test_score']:.4f}" in done.stdout


def test_space_from_a_function_with_nothing_by_name_says_so(capsys, tmp_path) -> None:
    space(tmp_path, {})
    code, out, err = tunedeck(capsys, "space", "--from", "sk.py:no_values")
    assert code == 2 and out == ""
    assert "model: sk.py:no_values takes no values by name, so nothing in it is tuned" in err


@pytest.mark.parametrize("named", ["hyper.py:MyHyperModel", "hyper.py:MyHyperModel.build"])
def test_space_from_a_hypermodel_finds_what_build_and_fit_declare(capsys, tmp_path, named):
    space(tmp_path, {})
    code, out, err = tunedeck(capsys, "space", "--from", named)
    assert code == 0, err
    params = yaml.safe_load(out)["params"]
    assert params == {
        "units": {"min": 4, "max": 8, "step": 4},
        "normalize": {"type": "boolean", "default": False},
        "shuffle": {"type": "boolean", "default": False},
    }


@pytest.mark.parametrize("backend", ["keras-tuner", "sklearn"])
def test_a_hypermodels_fit_tunes_its_own_hyperparameters(capsys, tmp_path, backend) -> None:
    body = {
        "model": "hyper.py:MyHyperModel",
        "training": {"epochs": 2},
        "params": {"units": 4, "normalize": [False, True], "shuffle": [False, True]},
    }
    code, out, err = run(
        capsys,
        space(tmp_path, body),
        "--dataset",
        "digits",
        "--subsample",
        "200",
        "--backend",
        backend,
        "--algorithm",
        "grid",
        "--cv",
        "2",
    )
    assert code == 0, err
    results = load_results(tmp_path / "r")
    seen = {
        (t.hyperparameters["normalize"], t.hyperparameters["shuffle"])
        for t in results.trials.values()
        if t.score is not None
    }
    assert seen == {(False, False), (False, True), (True, False), (True, True)}
    if backend == "keras-tuner":  # the exported script trains through the same fit
        assert_script_reproduces(capsys, tmp_path)


def test_a_custom_training_loop_is_scored_by_what_fit_returns(capsys, tmp_path) -> None:
    body = {
        "model": "hyper.py:LoopModel",
        "objective": "val_loss:min",
        "params": {"units": [4, 8], "lr": 0.005},
        "training": {"epochs": 2},
    }
    code, out, err = run(
        capsys,
        space(tmp_path, body),
        "--dataset",
        "digits",
        "--subsample",
        "200",
        "--backend",
        "keras-tuner",
        "--max-trials",
        "2",
    )
    assert code == 0, err
    results = load_results(tmp_path / "r")
    for trial in results.trials.values():  # the returned value is the best epoch's val_loss
        losses = [row["val_loss"] for row in trial.curve]
        assert len(losses) == 2 and trial.score == pytest.approx(min(losses))


def test_scikeras_quickstart_get_model_takes_its_values_by_name_and_meta(capsys, tmp_path):
    body = {
        "model": "sk.py:get_model",
        "training": {"epochs": 1},
        "params": {"model__hidden_layer_dim": [8, 16], "loss": "sparse_categorical_crossentropy"},
    }
    code, out, err = run(
        capsys,
        space(tmp_path, body),
        "--dataset",
        "iris",
        "--backend",
        "keras-tuner",
        "--algorithm",
        "grid",
    )
    assert code == 0, err
    results = load_results(tmp_path / "r")
    assert sorted(t.hyperparameters["hidden_layer_dim"] for t in results.trials.values()) == [8, 16]
    import keras

    model = keras.saving.load_model(tmp_path / "r" / "best_model.keras")
    assert model.layers[0].units == 4  # meta["n_features_in_"] of iris
    assert model.layers[-2].units == 3  # meta["n_classes_"]


@pytest.mark.parametrize("backend", ["keras-tuner", "sklearn"])
def test_a_tutorials_self_compiled_model_trains_with_the_tuned_optimizer(capsys, tmp_path, backend):
    body = {
        "params": "sk.py:param_grid",
        "model": "sk.py:create_model",
        "training": {"epochs": 1, "batch_size": 16},
    }
    code, out, err = run(
        capsys,
        space(tmp_path, body),
        "--dataset",
        "iris",
        "--backend",
        backend,
        "--algorithm",
        "grid",
        "--cv",
        "2",
    )
    assert code == 0, err
    assert "recompiled with the tuned optimizer, keeping its loss and metrics" in out + err
    trials = load_results(tmp_path / "r").trials.values()
    assert {(t.hyperparameters["nodes"], t.hyperparameters["optimizer"]) for t in trials} == {
        (4, "adam"),
        (4, "sgd"),
        (8, "adam"),
        (8, "sgd"),
    }
    assert all(t.score is not None for t in trials)
    if backend == "sklearn":
        assert_script_reproduces(capsys, tmp_path)


@pytest.mark.parametrize(
    ("model", "words"),
    [
        (
            "hyper.py:ReturnsNothing",
            "hyper.py:ReturnsNothing fit returned nothing (None); return model.fit's History",
        ),
        (
            "hyper.py:ReturnsOtherMetrics",
            "fit returned a dict without the objective val_accuracy (it has loss)",
        ),
        (
            "hyper.py:MyTuner",
            "hyper.py:MyTuner is a Keras Tuner tuner; tunedeck runs the search itself",
        ),
        ("hyper.py:NotAHyperModel", "is a class but not a Keras Tuner HyperModel"),
        ("sk.py:get_model", "takes hidden_layer_dim by name without a default"),
    ],
)
def test_model_code_that_cannot_serve_is_one_line_and_no_run(capsys, tmp_path, model, words):
    code, out, err = run(
        capsys,
        space(tmp_path, {"model": model, "training": {"epochs": 1}}),
        "--dataset",
        "digits",
        "--subsample",
        "100",
    )
    assert code == 2, err
    assert words in err and len(err.strip().splitlines()) == 1, err
    assert "Recorder" not in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_executions_average_several_fits_of_a_trial(capsys, tmp_path) -> None:
    """Its fit returns how often it was called: the trial's two executions return n and
    n + 1 (n counts the discovery and the check before the search), so their mean ends in .5,
    where one execution's score would be whole."""
    body = {"model": "hyper.py:Counting", "objective": "val_loss:min", "training": {"epochs": 1}}
    code, out, err = run(
        capsys,
        space(tmp_path, body),
        "--dataset",
        "digits",
        "--subsample",
        "100",
        "--backend",
        "keras-tuner",
        "--max-trials",
        "1",
        "--executions",
        "2",
    )
    assert code == 0, err
    (trial,) = load_results(tmp_path / "r").trials.values()
    assert trial.score % 1 == pytest.approx(0.5)
    code, out, err = run(capsys, "space.yaml", "--backend", "sklearn", "--executions", "2")
    assert code == 2 and "executions: several fits per trial apply to Keras Tuner" in err
