"""The user's own build function: called as documented, compiled when it is not, refused in one
line when its model cannot serve the data or the objective."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine.data.datasets import load_dataset
from engine.errors import InputError
from engine.model.factory import make_factory, preflight
from engine.space import Space
from engine.user.code import UserCodeError

NET = '''
import keras

def build(hp, input_shape, n_outputs):
    """A small CNN on 8x8 digits; hp is the trial's configuration."""
    return keras.Sequential([
        keras.Input(input_shape),
        keras.layers.Reshape((8, 8, 1)),
        keras.layers.Conv2D(hp["filters"], 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(hp.get("units", 16), activation="relu"),
        keras.layers.Dense(n_outputs, activation="softmax"),
    ])

def compiled(hp, input_shape, n_outputs):
    model = build(hp, input_shape, n_outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(0.002),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model

def logits(hp, input_shape, n_outputs):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(),
                             keras.layers.Dense(n_outputs)])

def three_units(hp, input_shape):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(),
                             keras.layers.Dense(3, activation="softmax")])

def not_a_model(hp):
    return "a model"

def writes(hp, input_shape, n_outputs):
    hp["filters"] = 4
    return build(hp, input_shape, n_outputs)

def everything(hp, **kwargs):
    assert set(kwargs) == {"input_shape", "n_outputs", "task"}, kwargs
    return build(hp, kwargs["input_shape"], kwargs["n_outputs"])
'''


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", seed=0, subsample=200)


@pytest.fixture
def net(tmp_path: Path) -> Path:
    (tmp_path / "net.py").write_text(textwrap.dedent(NET))
    return tmp_path


def space_for(folder: Path, function: str, **extra) -> Space:
    raw = {"model": f"net.py:{function}", "params": {"filters": [4, 8], "units": 16}, **extra}
    return Space.from_dict(raw, base_dir=str(folder)).resolved()


def test_an_uncompiled_user_model_is_compiled_with_the_spaces_optimizer(net, digits) -> None:
    space = space_for(net, "build", optimizer={"name": "sgd", "learning_rate": 0.05})
    factory = make_factory(space, digits)
    model = factory.build({**space.defaults(), "filters": 8})
    assert model.layers[1].filters == 8 and type(model.optimizer).__name__ == "SGD"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert model.loss == "sparse_categorical_crossentropy"
    preflight(factory, space, digits)  # builds, fits the data, reports val_accuracy


def test_logits_are_recognised_and_every_keyword_is_passed(net, digits) -> None:
    space = space_for(net, "logits")
    model = make_factory(space, digits).build(space.defaults())
    assert model.loss.get_config()["from_logits"] is True
    space = space_for(net, "everything")
    preflight(make_factory(space, digits), space, digits)


def test_a_compiled_model_is_kept_unless_its_optimizer_is_tuned(net, digits) -> None:
    space = space_for(net, "compiled")
    model = make_factory(space, digits).build(space.defaults())
    assert type(model.optimizer).__name__ == "RMSprop"
    tuned = space_for(net, "compiled", optimizer={"name": "sgd", "learning_rate": [0.01, 0.1]})
    notes: list[str] = []
    factory = make_factory(tuned, digits, note=notes.append)
    model = factory.build({**tuned.defaults(), "learning_rate": 0.1})
    factory.build(tuned.defaults())
    assert type(model.optimizer).__name__ == "SGD"  # the tuned optimizer, as the space says
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)
    assert model.loss == "sparse_categorical_crossentropy"  # the function's own loss and
    assert [m for m in model.get_compile_config()["metrics"]] == ["accuracy"]  # metrics
    assert notes == [
        f"model: {tuned.source.model} compiles its own model, which would ignore the tuned "
        "learning_rate: each trial's model is recompiled with the tuned optimizer, keeping "
        "its loss and metrics"
    ]  # said once, however many models are built


@pytest.mark.parametrize(
    ("function", "extra", "words"),
    [
        (
            "three_units",
            {},
            "model: net.py:three_units has 3 output units, but the data has 10 classes",
        ),
        ("not_a_model", {}, "model: net.py:not_a_model returned str, not a Keras model"),
        ("writes", {}, "model: net.py:writes failed on the default configuration: TypeError"),
        (
            "build",
            {"objective": "val_auc"},
            "objective: the model does not report val_auc (it reports val_accuracy, val_loss)",
        ),
        ("missing", {}, "model: "),
    ],
)
def test_models_that_cannot_serve_are_one_line_errors(net, digits, function, extra, words) -> None:
    space = space_for(net, function, **extra)
    with pytest.raises(InputError) as info:
        preflight(make_factory(space, digits), space, digits)
    message = str(info.value).replace(f"{net}/", "")  # the run names the file by its full path
    assert message.startswith(words) and "\n" not in message, message
    if function == "missing":
        assert "has no function 'missing'" in message


def test_binary_data_can_optimise_auc(net) -> None:
    data = load_dataset("breast_cancer", seed=0, subsample=120)
    (net / "tab.py").write_text(
        textwrap.dedent("""
        import keras
        def build(hp, input_shape, n_outputs):
            return keras.Sequential([keras.Input(input_shape), keras.layers.Dense(hp["units"]),
                                     keras.layers.Dense(1, activation="sigmoid")])
    """)
    )
    space = Space.from_dict(
        {"model": "tab.py:build", "params": {"units": 8}, "objective": "val_auc"}, base_dir=str(net)
    ).resolved()
    factory = make_factory(space, data)
    assert factory.objective.metric == "val_auc" and factory.objective.maximise
    preflight(factory, space, data)  # it checks that val_auc is reported
    logs = factory.build(space.defaults()).evaluate(
        data.x_val, data.y_val, verbose=0, return_dict=True
    )
    assert 0.0 <= logs["auc"] <= 1.0 and "accuracy" in logs


def test_a_module_that_raises_on_import_is_one_line_with_the_traceback_kept(tmp_path) -> None:
    (tmp_path / "broken.py").write_text("import keras\nraise RuntimeError('no GPU here')\n")
    space = Space.from_dict({"model": "broken.py:build"}, base_dir=str(tmp_path)).resolved()
    with pytest.raises(UserCodeError) as info:
        make_factory(space, load_dataset("iris", seed=0))
    assert str(info.value) == (
        f"model: importing {tmp_path / 'broken.py'} raised RuntimeError: no GPU here"
    )
    assert "Traceback" in info.value.details and "broken.py" in info.value.details


def test_a_factory_travels_to_a_worker_process_as_its_reference(net, digits) -> None:
    """joblib workers unpickle the factory and import the user's file themselves."""
    import pickle

    space = space_for(net, "build")
    factory = make_factory(space, digits)
    copy = pickle.loads(pickle.dumps(factory))
    assert copy._user is None and copy.ref == factory.ref
    assert copy.build(space.defaults()).layers[1].filters == 4
