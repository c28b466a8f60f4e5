"""Searches of the user's own model toward the user's objective, headless as a user runs them:
regression on both backends, objectives in either direction, a compiled model, and the inputs
that must stop before a run directory exists."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from engine.run.kept import load_results
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401

pytestmark = pytest.mark.usefixtures("isolated_cli")

NET = '''
import keras


def mlp(hp, input_shape, n_outputs, task):
    """Dense layers of hp["units"]; the output fits the task."""
    layers = [keras.Input(input_shape), keras.layers.Dense(hp["units"], activation="relu")]
    if task == "regression":
        layers.append(keras.layers.Dense(n_outputs))
    else:
        layers.append(keras.layers.Dense(n_outputs, activation="sigmoid" if n_outputs == 1
                                         else "softmax"))
    return keras.Sequential(layers)


def binary(hp, input_shape):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Dense(hp["units"]),
                             keras.layers.Dense(1, activation="sigmoid")])


def compiled(hp, input_shape, n_outputs):
    model = mlp(hp, input_shape, n_outputs, "classification")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


class Scale(keras.layers.Layer):
    """A custom layer Keras cannot serialise: its argument is a function, no get_config."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def call(self, x):
        return self.fn(x)


def custom(hp, input_shape, n_outputs):
    return keras.Sequential([keras.Input(input_shape), Scale(lambda x: x * 2.0),
                             keras.layers.Dense(n_outputs, activation="softmax")])


def three(hp, input_shape):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Dense(3, activation="softmax")])
'''


def write_space(folder: Path, **top) -> Path:
    (folder / "net.py").write_text(textwrap.dedent(NET))
    space = {
        "params": {"units": [4, 16]},
        "training": {"batch_size": 32, "epochs": 3},
        "early_stopping": {"enabled": False},
        **top,
    }
    path = folder / "space.yaml"
    path.write_text(yaml.safe_dump(space))
    return path


@pytest.mark.parametrize("backend", ["keras-tuner", "sklearn"])
def test_regression_minimises_the_loss_on_both_backends(capsys, tmp_path, backend) -> None:
    space = write_space(tmp_path, model="net.py:mlp")
    code, out, err = tunedeck(
        capsys,
        "run",
        str(space),
        "--dataset",
        "diabetes",
        "--backend",
        backend,
        "--algorithm",
        "grid",
        "--cv",
        "2",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    results = load_results(tmp_path / "r")
    assert (results.objective, results.direction) == ("val_loss", "min")
    scores = {t.trial_id: t.score for t in results.trials.values()}
    assert results.best_trial_id == min(scores, key=scores.__getitem__)
    assert results.leaderboard()[0].score == min(scores.values()) < max(scores.values())
    assert results.test_metrics.keys() >= {"loss", "mae", "rmse"}
    assert results.test_score == results.test_metrics["loss"]
    label = "val_loss (min, 2-fold cross-validated mean)" if backend == "sklearn" else "(min)"
    assert label in out and "test loss of the retrained best model" in out


def test_auc_is_maximised_on_binary_data(capsys, tmp_path) -> None:
    space = write_space(tmp_path, model="net.py:binary", objective="val_auc")
    code, out, err = tunedeck(
        capsys,
        "run",
        str(space),
        "--dataset",
        "breast_cancer",
        "--backend",
        "keras-tuner",
        "--algorithm",
        "grid",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    results = load_results(tmp_path / "r")
    assert (results.objective, results.direction) == ("val_auc", "max")
    for trial in results.trials.values():
        aucs = [row["val_auc"] for row in trial.curve]
        assert trial.epoch_score == max(aucs)  # the best epoch's, kept beside the score
        assert trial.score == pytest.approx(aucs[-1], abs=1e-6)  # the model handed over: the
        # last epoch's weights, with no early stopping to restore better ones
    assert results.best.score == max(t.score for t in results.trials.values())
    assert 0.5 < results.test_score <= 1.0


def test_a_model_the_user_compiled_keeps_its_own_optimizer(capsys, tmp_path) -> None:
    space = write_space(tmp_path, model="net.py:compiled")
    code, _, err = tunedeck(
        capsys,
        "run",
        str(space),
        "--dataset",
        "iris",
        "--backend",
        "keras-tuner",
        "--max-trials",
        "2",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    assert load_results(tmp_path / "r").state == "finished"


@pytest.mark.parametrize(
    ("top", "flags", "words"),
    [
        (
            {"model": "net.py:three"},
            ["--dataset", "digits"],
            "net.py:three has 3 output units, but the data has 10 classes",
        ),
        (
            {"model": "net.py:mlp"},
            ["--dataset", "iris", "--objective", "val_auc"],
            "objective: the model does not report val_auc",
        ),
        ({"model": "net.py:nothere"}, [], "has no function 'nothere'"),
        ({"model": "missing.py:build"}, [], "model: no such file"),
        (
            {"model": "net.py:mlp"},
            ["--objective", "val_goodness"],
            "--objective: cannot tell whether val_goodness should go up or down",
        ),
        (
            {"model": "net.py:mlp"},
            ["--dataset", "iris", "--task", "regression"],
            "iris is a classification dataset, not regression",
        ),
    ],
)
def test_bad_models_stop_before_a_run_directory_exists(capsys, tmp_path, top, flags, words):
    space = write_space(tmp_path, **top)
    code, out, err = tunedeck(capsys, "run", str(space), *flags, "--run-dir", "r")
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], err
    assert "Traceback" not in err and not (tmp_path / "r").exists()


def test_the_starter_project_runs_as_it_is(capsys, tmp_path) -> None:
    """README's "Tune your own model": init, then run the space it wrote."""
    code, out, _ = tunedeck(capsys, "init", "myproject")
    assert code == 0 and "myproject/space.yaml" in out
    code, out, err = tunedeck(
        capsys,
        "run",
        "myproject/space.yaml",
        "--max-trials",
        "2",
        "--epochs",
        "2",
        "--subsample",
        "300",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    results = load_results(tmp_path / "r")
    assert results.state == "finished" and len(results.trials) == 2
    assert {"layers", "units", "activation", "dropout"} <= set(results.best.hyperparameters)
    assert results.settings["dataset"] == f"{tmp_path / 'myproject' / 'model.py'}:load"
    code, out, err = tunedeck(capsys, "summary", "myproject/space.yaml")
    assert code == 0, err
    assert out.startswith("model.py:build layers=1 units=16 activation=relu dropout=0.0 | adam")
    assert "Total params" in out
    code, out, err = tunedeck(capsys, "export", "r", "--format", "yaml")
    record = yaml.safe_load(out)
    assert record["model"] == f"{tmp_path / 'myproject' / 'model.py'}:build"
    assert record["objective"] == {"metric": "val_accuracy", "direction": "max"}
    assert record["task"] == "classification" and record["dataset"].endswith("model.py:load")
    assert list(record["hyperparameters"])[:4] == ["layers", "units", "activation", "dropout"]
    assert "nodes" not in record["hyperparameters"]
    code, _, err = tunedeck(capsys, "init", "myproject")
    assert code == 2 and "already exists" in err


def test_a_model_keras_cannot_save_finishes_and_its_export_says_why(capsys, tmp_path) -> None:
    space = write_space(tmp_path, model="net.py:custom")
    code, out, err = tunedeck(
        capsys,
        "run",
        str(space),
        "--dataset",
        "iris",
        "--backend",
        "keras-tuner",
        "--max-trials",
        "1",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    assert "Keras cannot save layer 'scale" in err and "(Scale)" in err  # a warning only
    assert load_results(tmp_path / "r").state == "finished"
    code, out, err = tunedeck(capsys, "export", "r", "--format", "keras", "-o", "best.keras")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "layer 'scale" in err and "(Scale)" in err and "get_config" in err
    assert not (tmp_path / "best.keras").exists()


def test_user_code_that_raises_in_the_runner_leaves_its_traceback_in_the_run(tmp_path) -> None:
    """The console's searches load the model in the runner: its one line is journaled and the
    whole traceback kept in the run directory."""
    from engine.commands.runner import run_search
    from engine.errors import InputError
    from engine.prepare import prepare
    from engine.run.settings import RunSettings
    from engine.space import Space

    space_file = write_space(tmp_path, model="net.py:mlp")
    run = prepare(
        tmp_path / "r",
        Space.load(space_file),
        RunSettings(dataset="iris", backend="keras-tuner", max_trials=1),
    )
    (tmp_path / "net.py").write_text("raise ImportError('tensorflow-metal is missing')\n")
    with pytest.raises(InputError, match="raised ImportError: tensorflow-metal is missing"):
        run_search(run)
    results = load_results(tmp_path / "r")
    assert results.state == "failed" and "tensorflow-metal" in results.failure
    trace = (tmp_path / "r" / "state" / "traceback.txt").read_text()
    assert trace.startswith("Traceback") and "net.py" in trace
