"""What a brought model's own code returns and asks for, honoured: a HyperModel's `fit` that
returns its score is what scikit-learn's folds and the test score are (and the exported script
prints), a bare number with no objective named is minimised as Keras Tuner does, a `fit` that
passes its own epochs runs, and scikeras' MLPClassifier tutorial gets `compile_kwargs`, its
tuple back and the task's metric."""

from __future__ import annotations

import runpy

import numpy as np
import pytest
import yaml

from engine.run.kept import load_results
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401
from tests.engine.test_brought_models import run, space

pytestmark = pytest.mark.usefixtures("isolated_cli")


def test_scikeras_mlp_classifier_gets_compile_kwargs_its_tuple_and_the_task_s_metric(tmp_path):
    """The function compiles with compile_kwargs' optimizer (the tuned one: no recompiling),
    gets its hidden_layer_sizes tuple back from the space's text, and, compiled without
    metrics, is compiled again with accuracy, which scikit-learn would score it by."""
    from engine.model.user_model import ModelTarget, build_user_model, resolve
    from engine.space import Space
    from engine.user.code import CodeRef

    space(tmp_path, {})
    found = CodeRef(str(tmp_path / "sk.py"), "get_clf_model").load_object("model")
    user = resolve(found, "sk.py:get_clf_model", None)
    config = Space.from_dict({"params": {"hidden_layer_sizes": ["(50, 50)"]}}).defaults()
    config |= {"optimizer": "sgd", "learning_rate": 0.05}
    notes: list[str] = []
    model = build_user_model(
        user, config, ModelTarget((4,), 3), tuned=("learning_rate",), note=notes.append
    )
    assert [layer.units for layer in model.layers] == [50, 50, 3]
    assert type(model.optimizer).__name__ == "SGD"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    logs = model.evaluate(np.zeros((2, 4)), np.zeros(2), verbose=0, return_dict=True)
    assert "accuracy" in logs
    assert notes == [
        "model: sk.py:get_clf_model compiles its model without metrics: each trial's model is "
        "compiled again with the task's, keeping its loss and optimizer"
    ]


def test_a_fit_that_passes_its_own_epochs_is_called_without_ours(capsys, tmp_path) -> None:
    """Keras Tuner's API example, `model.fit(*args, epochs=hp.Int("epochs", …), **kwargs)`:
    its epochs are the space's (found by `space --from`), and a trial trains that many."""
    from engine.model.user_fit import fit_user

    space(tmp_path, {})
    code, out, err = tunedeck(capsys, "space", "--from", "hyper.py:EpochsInFit")
    assert code == 0, err
    assert yaml.safe_load(out)["training"]["epochs"] == {"min": 1, "max": 2}
    namespace: dict = {}
    exec((tmp_path / "hyper.py").read_text(), namespace)
    hypermodel = namespace["EpochsInFit"]()
    config = {"units": 4, "normalize": False, "shuffle": False, "epochs": 2}
    model = hypermodel.build(namespace["keras_tuner"].HyperParameters())
    x, y = np.zeros((8, 4), "float32"), np.eye(10)[np.zeros(8, "int64")]  # its one-hot loss
    fitted = fit_user(
        hypermodel.fit,
        config,
        model,
        x,
        y,
        label="EpochsInFit",
        metric="loss",
        validation_data=None,
        epochs=2,
        batch_size=4,
        callbacks=[],
    )
    assert len(fitted.history["loss"]) == 2


def test_on_scikit_learn_each_fold_is_scored_by_what_fit_returns(capsys, tmp_path) -> None:
    """Given the fold's held-out rows to validate on, the loop returns the fold's score; the
    retrained winner's test score is what it returns given the test part, and the exported
    script prints the same."""
    body = {
        "model": "hyper.py:LoopModel",
        "objective": "val_loss:min",
        "params": {"units": 4, "lr": 0.005},
        "training": {"epochs": 2},
    }
    args = ("--dataset", "digits", "--subsample", "150", "--backend", "sklearn", "--cv", "2")
    code, out, err = run(capsys, space(tmp_path, body), *args, "--max-trials", "1")
    assert code == 0, err
    results = load_results(tmp_path / "r")
    (trial,) = results.trials.values()
    folds = [[r["val_loss"] for r in trial.curve if r.get("fold") == k] for k in (1, 2)]
    assert all(len(rows) == 2 for rows in folds)
    assert trial.score == pytest.approx(sum(min(rows) for rows in folds) / 2)
    assert results.test_by_fit and results.test_score is not None
    assert tunedeck(capsys, "export", "r", "--format", "python", "-o", "train.py")[0] == 0
    runpy.run_path(str(tmp_path / "train.py"), run_name="__main__")  # in-process: cheaper
    assert f"test loss: {results.test_score:.4f}" in capsys.readouterr().out


def test_a_returned_number_with_no_objective_named_is_minimised(capsys, tmp_path) -> None:
    """Keras Tuner minimises what fit returns when no objective is given; tunedeck too,
    under Keras Tuner's name for it, rather than reading it as the task's accuracy."""
    body = {"model": "hyper.py:Counting", "training": {"epochs": 1}}
    args = ("--dataset", "digits", "--subsample", "100", "--max-trials", "2")
    code, out, err = run(capsys, space(tmp_path, body), *args, "--backend", "keras-tuner")
    assert code == 0, err
    assert "fit returns a number and the space names no objective: it is minimised" in err
    results = load_results(tmp_path / "r")
    assert (results.objective, results.direction) == ("default_objective", "min")
    scores = sorted(t.score for t in results.trials.values())  # it counts its calls: 3, 4
    assert results.best is not None and results.best.score == scores[0]
