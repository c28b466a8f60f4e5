"""A grid written for Keras's own scikit-learn wrappers (`keras.wrappers.SKLearnClassifier`:
`model_kwargs` / `fit_kwargs` dicts, a `model(X, y, **kwargs)` function) read like scikeras'
form, and searched end to end on both backends."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from engine.model.calling import declared_names, sample_arguments, takes_by_name
from engine.run.kept import load_results
from engine.space import Space
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture

# Keras's documented example, as a user keeps it: a function of the data and its values, the
# wrapper's fixed arguments, and a grid of whole dicts.
WRAPPED = """
import keras

def dynamic_model(X, y, nodes=8, activation="relu"):
    inputs = keras.Input(shape=(X.shape[1],))
    hidden = keras.layers.Dense(nodes, activation=activation)(inputs)
    outputs = keras.layers.Dense(y.shape[1], activation="softmax")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


if __name__ == "__main__":
    from keras.wrappers import SKLearnClassifier

    clf = SKLearnClassifier(model=dynamic_model, model_kwargs={"activation": "tanh"},
                            fit_kwargs={"epochs": 1, "verbose": 0})
    param_grid = {"model_kwargs": [{"nodes": 4}, {"nodes": 8}],
                  "fit_kwargs": [{"batch_size": 16}]}
"""


def write(folder: Path) -> None:
    (folder / "wrapped.py").write_text(textwrap.dedent(WRAPPED))


def test_the_grid_and_the_wrapper_call_are_read_without_running_the_file(tmp_path) -> None:
    write(tmp_path)
    space = Space.from_dict({"params": "wrapped.py:param_grid"}, base_dir=str(tmp_path))
    assert str(space.source.model) == "wrapped.py:dynamic_model"
    assert space.params["nodes"].values() == (4, 8)
    assert space.params["activation"].values() == ("tanh",)  # the wrapper's model_kwargs
    assert space.params["batch_size"].values() == (16,)
    assert space.params["epochs"].values() == (1,)  # fit_kwargs; its verbose ignored
    assert space.grid_size() == 2
    assert "model_kwargs → params.nodes" not in space.note  # named by what it became
    assert "model__nodes → params.nodes" in space.note


def test_an_inline_grid_of_dicts_that_is_no_product_is_widened_and_says_so() -> None:
    grid = {
        "model_kwargs": [{"nodes": 8, "activation": "relu"}, {"nodes": 16, "activation": "tanh"}],
        "fit_kwargs": [{"epochs": 2, "batch_size": 32}],
    }
    space = Space.from_dict({"model": "net.py:build", "params": grid})
    assert space.params["nodes"].values() == (8, 16)
    assert space.params["activation"].values() == ("relu", "tanh")
    assert space.grid_size() == 4
    assert "model_kwargs: 2 dicts searched as every combination of their values (4)" in space.note
    product = {
        "model_kwargs": [{"nodes": n, "activation": a} for n in (8, 16) for a in ("relu", "tanh")]
    }
    assert "combination" not in Space.from_dict({"model": "net.py:build", "params": product}).note


@pytest.mark.parametrize(
    ("grid", "words"),
    [
        ({"model_kwargs": [8, 16]}, "params.model_kwargs: expected a dict of arguments"),
        (
            {"fit_kwargs": [{"steps_per_epoch": 3}]},
            "params.fit__steps_per_epoch: tunedeck has no equivalent",
        ),
    ],
)
def test_what_has_no_equivalent_is_one_line(grid, words) -> None:
    with pytest.raises(Exception, match=words.replace(".", r"\.").replace("(", r"\(")):
        Space.from_dict({"model": "net.py:build", "params": grid})


def test_a_function_of_x_and_y_takes_its_values_by_name() -> None:
    def dynamic_model(X, y, nodes=8):  # noqa: N803 (Keras's own name)
        return X.shape, y.shape, nodes

    assert takes_by_name(dynamic_model) and declared_names(dynamic_model) == ("nodes",)
    given = sample_arguments(dynamic_model, (4,), 3, "classification", 120)
    assert given["X"].shape == (120, 4) and given["y"].shape == (120, 3)
    assert sorted(set(given["y"].argmax(axis=1))) == [0, 1, 2]  # one-hot, every class
    assert sample_arguments(dynamic_model, (5,), 1, "regression", 10)["y"].shape == (10, 1)
    assert sample_arguments(lambda nodes=8: nodes, (4,), 3, "classification", 9) == {}


@pytest.mark.slow
@pytest.mark.usefixtures("isolated_cli")
@pytest.mark.parametrize("backend", ["keras-tuner", "sklearn"])
def test_a_keras_wrappers_grid_searches_on_both_backends(capsys, tmp_path, backend) -> None:
    write(tmp_path)
    (tmp_path / "space.yaml").write_text(yaml.safe_dump({"params": "wrapped.py:param_grid"}))
    code, out, err = tunedeck(
        capsys,
        "run",
        "space.yaml",
        "--run-dir",
        "r",
        "--seed",
        "1",
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
    trials = load_results(tmp_path / "r").trials.values()
    assert sorted(t.hyperparameters["nodes"] for t in trials) == [4, 8]
    assert all(t.score is not None and len(t.curve) >= 1 for t in trials)
    import keras

    model = keras.saving.load_model(tmp_path / "r" / "best_model.keras")
    assert model.input_shape == (None, 4) and model.output_shape == (None, 3)  # X, y of iris
