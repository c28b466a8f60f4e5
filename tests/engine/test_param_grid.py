"""A scikit-learn param_grid read as a space, without running the user's file: scikeras'
routing, the wrapper call's model and fixed values, and one line for what has no equivalent."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine.errors import InputError
from engine.space import Space
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401

# The shape of a common tutorial's grid search: the model function compiles itself, the grid
# is built from module-level lists under `if __name__ == "__main__":`.
TUTORIAL = """
import sys
from scikeras.wrappers import KerasClassifier
from sklearn.model_selection import GridSearchCV

raise SystemExit("this file must never run while a space is read")


def create_model(nodes=8, activation_1="relu"):
    ...


if __name__ == "__main__":
    model = KerasClassifier(model=create_model, loss="binary_crossentropy", epochs=100,
                            batch_size=10, verbose=0, callbacks=[object()])
    nodes = [4, 8, 16]
    learn_rate = [0.001, 0.01]
    param_grid = dict(model__nodes=nodes, model__activation_1=["relu", "tanh"],
                      batch_size=[16, 32], optimizer=["SGD", "Adam"],
                      optimizer__learning_rate=learn_rate)
    grid = GridSearchCV(estimator=model, param_grid=param_grid, n_jobs=-1, cv=3)
"""


def write(folder: Path, text: str, name: str = "tutorial.py") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_files_param_grid_is_a_space_with_its_model_and_fixed_values(tmp_path) -> None:
    write(tmp_path, TUTORIAL)
    space = Space.from_dict({"params": "tutorial.py:param_grid"}, base_dir=str(tmp_path))
    assert str(space.source.model) == "tutorial.py:create_model"
    assert space.params["nodes"].values() == (4, 8, 16)
    assert space.params["activation_1"].values() == ("relu", "tanh")
    assert space.params["batch_size"].values() == (16, 32)  # the grid wins over batch_size=10
    assert space.params["optimizer"].values() == ("sgd", "adam")  # Keras's class names, as ours
    assert space.params["learning_rate"].values() == (0.001, 0.01)
    assert space.params["epochs"].values() == (100,)  # the wrapper's fixed value
    assert space.params["loss"].values() == ("binary_crossentropy",)
    assert space.grid_size() == 3 * 2 * 2 * 2 * 2
    assert "model__nodes → params.nodes" in space.note
    assert "optimizer__learning_rate → optimizer.learning_rate" in space.note


def test_an_inline_grid_routes_the_same_and_the_files_own_groups_win() -> None:
    space = Space.from_dict(
        {
            "model": "net.py:get_model",
            "params": {"model__hidden_layer_dim": [50, 100], "optimizer": ["adam", "SGD"]},
            "optimizer": {"name": ["rmsprop", "sgd"]},
        }
    )
    assert space.params["hidden_layer_dim"].values() == (50, 100)
    assert space.params["optimizer"].values() == ("rmsprop", "sgd")


@pytest.mark.usefixtures("isolated_cli")
def test_space_from_prints_the_grid_as_a_space(capsys, tmp_path) -> None:
    """`space --from` imports the model's file (it reads the function's defaults)."""
    runnable = TUTORIAL.replace(
        'raise SystemExit("this file must never run while a space is read")', ""
    )
    write(tmp_path, runnable.replace("nodes=8, activation_1", "nodes=8, dropout=0.2, activation_1"))
    code, out, err = tunedeck(capsys, "space", "--from", "tutorial.py:param_grid")
    assert code == 0, err
    assert "model: tutorial.py:create_model" in out and "nodes: [4, 8, 16]" in out
    assert "name: [sgd, adam]" in out
    assert "dropout: 0.2" in out  # a default of the function that the grid does not tune
    assert "read the param_grid" in err  # what went where, on stderr


@pytest.mark.parametrize(
    ("grid", "words"),
    [
        (
            "param_grid = {'optimizer__nesterov': [True, False]}",
            "grid.py:param_grid.optimizer__nesterov: tunedeck has no equivalent of this routed",
        ),
        (
            "param_grid = [{'model__nodes': [4]}, {'model__nodes': [8]}]",
            "a list of 2 grids: tunedeck searches one grid",
        ),
        (
            "import numpy as np\nparam_grid = {'optimizer__learning_rate': np.logspace(-3, -1, 3)}",
            "param_grid is computed (np.logspace(-3, -1, 3)), not written out",
        ),
        ("param_grid = {'optimizer': ['Adamm']}", "unknown optimizer 'Adamm'"),
        ("param_grid = {'model__nodes': [None, 4]}", "None is not a value a space can hold"),
        ("grid = {}", "binds no param_grid"),
    ],
)
@pytest.mark.usefixtures("isolated_cli")
def test_a_grid_without_an_equivalent_is_one_line(capsys, tmp_path, grid, words):
    write(tmp_path, grid + "\n", "grid.py")
    (tmp_path / "space.yaml").write_text("params: grid.py:param_grid\n")
    code, out, err = tunedeck(capsys, "validate", "space.yaml")
    assert code == 2 and out == ""
    assert words in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_a_tuple_value_is_kept_whole_as_its_text(tmp_path) -> None:
    """scikeras' MLPClassifier tutorial: `hidden_layer_sizes=(100, )` is one value, and a grid
    of tuples a choice of them (the function receives the tuple, `calling.plain_value`)."""
    wrapper = "clf = KerasClassifier(model=get_clf_model, hidden_layer_sizes=(100, ), epochs=5)\n"
    write(tmp_path, wrapper + "param_grid = {'optimizer__learning_rate': [0.01]}\n", "fixed.py")
    space = Space.from_dict({"params": "fixed.py:param_grid"}, base_dir=str(tmp_path))
    assert space.params["hidden_layer_sizes"].values() == ("(100,)",)
    grid = "param_grid = {'hidden_layer_sizes': [(100, ), (50, 50)]}\n"
    write(tmp_path, wrapper + grid, "tuned.py")
    space = Space.from_dict({"params": "tuned.py:param_grid"}, base_dir=str(tmp_path))
    assert space.params["hidden_layer_sizes"].values() == ("(100,)", "(50, 50)")


def test_a_file_that_is_not_python_is_one_line(tmp_path) -> None:
    write(tmp_path, "param_grid = {\n", "grid.py")
    with pytest.raises(InputError, match=r"grid.py is not valid Python \(line 1\)"):
        Space.from_dict({"params": "grid.py:param_grid"}, base_dir=str(tmp_path))


def test_a_yaml_file_holding_a_grid_is_a_space(tmp_path) -> None:
    path = tmp_path / "grid.yaml"
    path.write_text("model__nodes: [4, 8]\nbatch_size: [16, 32]\noptimizer__lr: [0.01]\n")
    space = Space.load(path)
    assert space.params["nodes"].values() == (4, 8)
    assert space.params["batch_size"].values() == (16, 32)
    assert space.params["learning_rate"].values() == (0.01,)
    assert space.note.startswith(
        "read the param_grid param_grid: model__nodes → architecture.nodes"
    )


@pytest.mark.usefixtures("isolated_cli")
def test_a_grid_converts_to_a_sweep_and_back_to_the_same_grid(capsys, tmp_path) -> None:
    (tmp_path / "grid.yaml").write_text(
        "model__nodes: [4, 8]\noptimizer: [SGD, Adam]\noptimizer__learning_rate: [0.01, 0.1]\n"
    )
    code, out, err = tunedeck(capsys, "space", "--from", "grid.yaml", "--to", "wandb")
    assert code == 0, err
    (tmp_path / "sweep.yaml").write_text(out)
    grid, sweep = Space.load(tmp_path / "grid.yaml"), Space.load(tmp_path / "sweep.yaml")
    assert list(sweep.grid()) == list(grid.grid()) and grid.grid_size() == 8
