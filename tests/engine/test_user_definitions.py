"""A user's script imported for its model: the training it runs at its top (a tutorial's
GridSearchCV(...).fit, a Keras Tuner search) is skipped, with the data only that training used,
while what its functions need still runs. Pure Python: nothing here imports TensorFlow."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from engine.user.code import CodeRef
from engine.user.definitions import definitions_only

# A common tutorial's shape, as published: no `if __name__ == "__main__":` anywhere.
TUTORIAL = """
import numpy as np

def GridSearchCV(estimator, param_grid, n_jobs=1, cv=3):
    raise SystemExit("the tutorial's own grid search ran")

def KerasClassifier(model, **kwargs):
    return model

def create_model(nodes=8, activation_1="relu"):
    return ("model", nodes, WIDTH)

WIDTH = 3 * 4
seed = 7
np.random.seed(seed)
dataset = np.loadtxt("pima-indians-diabetes.csv", delimiter=",")
X = dataset[:, 0:8]
Y = dataset[:, 8]
model = KerasClassifier(model=create_model, verbose=0)
nodes = [8, 16, 32]
param_grid = dict(model__nodes=nodes)
grid = GridSearchCV(estimator=model, param_grid=param_grid, n_jobs=-1, cv=3)
grid_result = grid.fit(X, Y)
print("Best: %f using %s" % (grid_result.best_score_, grid_result.best_params_))
means = grid_result.cv_results_["mean_test_score"]
for mean, param in zip(means, grid_result.cv_results_["params"]):
    print("%f with: %r" % (mean, param))
"""

KERAS_TUNER_SCRIPT = """
import keras_tuner

(x_train, y_train), (x_val, y_val) = keras.datasets.mnist.load_data()

class MyHyperModel(keras_tuner.HyperModel):
    def build(self, hp):
        model = hp.Int("units", 8, 16)
        return model

    def fit(self, hp, model, x, y, **kwargs):
        return model.fit(x, y, **kwargs)

hp = keras_tuner.HyperParameters()
hypermodel = MyHyperModel()
model = hypermodel.build(hp)
hypermodel.fit(hp, model, x_train, y_train)
tuner = keras_tuner.RandomSearch(MyHyperModel(), objective="val_accuracy", max_trials=3)
tuner.search(x_train, y_train, epochs=2, validation_data=(x_val, y_val))
best_model = tuner.get_best_models()[0]
"""


def kept(text: str) -> list[str]:
    module, _, _ = definitions_only(ast.parse(textwrap.dedent(text)))
    return [ast.unparse(node).splitlines()[0] for node in module.body]


def test_a_tutorial_keeps_its_definitions_and_drops_its_search_and_its_data() -> None:
    lines = kept(TUTORIAL)
    assert "def create_model(nodes=8, activation_1='relu'):" in lines
    assert "WIDTH = 3 * 4" in lines  # a global the model function reads
    assert "np.random.seed(seed)" in lines and "seed = 7" in lines  # effects stay
    for gone in ("dataset =", "X =", "model =", "grid =", "grid_result =", "print(", "for "):
        assert not any(line.startswith(gone) for line in lines), gone


def test_a_keras_tuner_script_keeps_its_hypermodel_and_drops_its_search() -> None:
    lines = kept(KERAS_TUNER_SCRIPT)
    assert lines[:2] == ["import keras_tuner", "class MyHyperModel(keras_tuner.HyperModel):"]
    assert len(lines) == 2  # the download, the check fit, the tuner, its search and best model


def test_the_file_imports_without_running_its_search(tmp_path: Path, capsys) -> None:
    (tmp_path / "tutorial.py").write_text(textwrap.dedent(TUTORIAL))
    create_model = CodeRef(str(tmp_path / "tutorial.py"), "create_model").load("model")
    assert create_model(nodes=16) == ("model", 16, 12)
    err = capsys.readouterr().err
    assert "tutorial.py: its own training is not run (lines 22, 23, and 9 statements only" in err


def test_a_module_that_trains_nothing_runs_whole() -> None:
    text = "import os\nREGISTRY = {}\nREGISTRY['a'] = os.sep\n\ndef build(hp):\n    return 1\n"
    assert kept(text) == ["import os", "REGISTRY = {}", "REGISTRY['a'] = os.sep", "def build(hp):"]


def test_it_can_be_embedded_in_an_exported_script() -> None:
    """Copied verbatim into exported scripts: the standard library only, no __future__."""
    import sys

    import engine.user.definitions as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in names:
                top = (name or "").split(".")[0]
                assert top in sys.stdlib_module_names and top != "__future__", name
