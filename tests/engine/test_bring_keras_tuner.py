"""Build functions written for Keras Tuner, run unchanged: two taken from Keras Tuner's own
guides (the getting-started guide's and keras.io's `conditional_scope` example), written as a
user has them, adapted only in the data they load (scikit-learn's digits, a few hundred)."""

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

# keras.io/guides/keras_tuner/getting_started: the last build_model of "Define the search
# space", with its loader's one-hot labels (`keras.utils.to_categorical`).
GETTING_STARTED = """
from tensorflow import keras
from tensorflow.keras import layers
import numpy as np
from sklearn.datasets import load_digits


def build_model(hp):
    model = keras.Sequential()
    model.add(layers.Flatten())
    # Tune the number of layers.
    for i in range(hp.Int("num_layers", 1, 3)):
        model.add(
            layers.Dense(
                # Tune number of units separately.
                units=hp.Int(f"units_{i}", min_value=32, max_value=512, step=32),
                activation=hp.Choice("activation", ["relu", "tanh"]),
            )
        )
    if hp.Boolean("dropout"):
        model.add(layers.Dropout(rate=0.25))
    model.add(layers.Dense(10, activation="softmax"))
    learning_rate = hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def load():
    x, y = load_digits(return_X_y=True)
    x = np.expand_dims(x[:300].reshape(-1, 8, 8), -1).astype("float32") / 16.0
    num_classes = 10
    return x, keras.utils.to_categorical(y[:300], num_classes)
"""

# keras.io/api/keras_tuner/hyperparameters: the `conditional_scope` example (its build method
# as a function), on digits grown to the 32x32x3 images it expects.
CONDITIONAL = """
import numpy as np
from keras import Sequential
from keras.layers import Conv2D, Dense, Flatten, GlobalAveragePooling2D, Input
from sklearn.datasets import load_digits


def build(hp):
    model = Sequential()
    model.add(Input(shape=(32, 32, 3)))
    model_type = hp.Choice("model_type", ["mlp", "cnn"])
    with hp.conditional_scope("model_type", ["mlp"]):
        if model_type == "mlp":
            model.add(Flatten())
            model.add(Dense(32, activation='relu'))
    with hp.conditional_scope("model_type", ["cnn"]):
        if model_type == "cnn":
            model.add(Conv2D(64, 3, activation='relu'))
            model.add(GlobalAveragePooling2D())
    model.add(Dense(10, activation='softmax'))
    return model


def load():
    x, y = load_digits(return_X_y=True)
    images = np.kron(x[:200].reshape(-1, 8, 8), np.ones((4, 4))) / 16.0
    return np.repeat(images[..., None], 3, axis=-1).astype("float32"), y[:200]
"""


def write(folder: Path, source: str, **space: object) -> Path:
    (folder / "tuned.py").write_text(textwrap.dedent(source))
    path = folder / "space.yaml"
    path.write_text(yaml.safe_dump({"data": "tuned.py:load", **space}))
    return path


@pytest.mark.parametrize("backend", ["keras-tuner", "sklearn"])
def test_the_getting_started_build_model_runs_unchanged(capsys, tmp_path, backend) -> None:
    space = write(
        tmp_path,
        GETTING_STARTED,
        model="tuned.py:build_model",
        params={"units_0": [32, 64], "num_layers": {"min": 1, "max": 2}},
    )
    code, out, err = tunedeck(
        capsys,
        "run",
        str(space),
        "--backend",
        backend,
        "--algorithm",
        "random",
        "--max-trials",
        "2",
        "--epochs",
        "1",
        "--cv",
        "2",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    saved = yaml.safe_load((tmp_path / "r" / "space.yaml").read_text())["params"]
    # the declared space, with the file's own entries winning over the declaration
    assert list(saved) == ["num_layers", "units_0", "activation", "dropout", "lr", "units_1"]
    assert saved["units_0"] == [32, 64] and saved["num_layers"] == {"min": 1, "max": 2}
    assert saved["lr"] == {"min": 0.0001, "max": 0.01, "sampling": "log"}
    assert saved["dropout"] == {"type": "boolean", "default": False}
    assert saved["units_1"] == {"min": 32, "max": 512, "step": 32}
    results = load_results(tmp_path / "r")
    assert results.state == "finished" and len(results.trials) == 2
    for trial in results.trials.values():
        assert trial.hyperparameters["units_0"] in (32, 64) and trial.hyperparameters[
            "num_layers"
        ] in (1, 2)
        assert 1e-4 <= trial.hyperparameters["lr"] <= 1e-2
        assert 0.0 <= trial.score <= 1.0  # val_accuracy: its own loss and metric, on one-hot labels
    assert results.objective == "val_accuracy" and 0.0 <= results.test_score <= 1.0


@pytest.mark.parametrize("backend", ["keras-tuner", "sklearn"])
def test_the_conditional_scope_example_runs_unchanged(capsys, tmp_path, backend) -> None:
    space = write(tmp_path, CONDITIONAL, model="tuned.py:build")
    code, out, err = tunedeck(
        capsys,
        "run",
        str(space),
        "--backend",
        backend,
        "--algorithm",
        "grid",
        "--max-trials",
        "2",
        "--epochs",
        "1",
        "--cv",
        "2",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    results = load_results(tmp_path / "r")
    assert results.state == "finished"
    assert sorted(t.hyperparameters["model_type"] for t in results.trials.values()) == [
        "cnn",
        "mlp",
    ]


def test_a_search_the_console_starts_searches_the_declared_space(tmp_path) -> None:
    """The console never imports the user's code: the search finds the declared space."""
    from engine.face import RunSettings, Space, start_args, write_request
    from engine.run.control import Priority

    space = Space.load(write(tmp_path, CONDITIONAL, model="tuned.py:build"))
    settings = RunSettings(
        dataset="tuned.py:load", backend="keras-tuner", algorithm="grid", max_trials=4, epochs=1
    )
    request = write_request(space, settings)
    assert "params" not in yaml.safe_load((request / "space.yaml").read_text())
    run = tmp_path / "r"
    done = subprocess.run(
        [sys.executable, "-m", "engine", *start_args(request, run, priority=Priority.NORMAL)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (run / "runner.log").read_text()
    assert yaml.safe_load((run / "space.yaml").read_text())["params"] == {
        "model_type": ["mlp", "cnn"]
    }
    results = load_results(run)
    assert sorted(t.hyperparameters["model_type"] for t in results.trials.values()) == [
        "cnn",
        "mlp",
    ]


@pytest.mark.slow
def test_the_exported_script_runs_the_keras_tuner_function_too(tmp_path) -> None:
    from tests.engine.test_export_reproduces import assert_standalone, reproduce

    space = (
        "model: tuned.py:build_model\ndata: tuned.py:load\n"
        "params: {num_layers: {min: 1, max: 2}, units_0: [32, 64]}\n"
    )
    line, best, script = reproduce(tmp_path, space=space, files={"tuned.py": GETTING_STARTED})
    assert line == f"test accuracy: {best['test_score']:.4f}"
    assert_standalone(script, tmp_path / "exports" / "train.py")


def test_summary_shows_the_declared_parameters(capsys, tmp_path) -> None:
    space = write(tmp_path, GETTING_STARTED, model="tuned.py:build_model")
    code, out, err = tunedeck(capsys, "summary", str(space))
    assert code == 0, err
    assert "num_layers=1" in out and "units_0=32" in out and "activation=relu" in out
