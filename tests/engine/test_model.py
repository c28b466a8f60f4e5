"""The Keras model builder (`engine.model.keras_build`) and its engine-side wrapper (`engine.model.builder`)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.model.builder import quiet_tensorflow

quiet_tensorflow()

import keras  # noqa: E402  (after quiet_tensorflow, as the engine does)
import numpy as np  # noqa: E402

from engine.model import keras_build  # noqa: E402
from engine.model.builder import build, model_summary  # noqa: E402
from engine.space import default_space  # noqa: E402
from engine.space.schema import ACTIVATIONS, INITIALIZERS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHAPE = (8, 8)
DEFAULTS: dict[str, Any] = default_space().defaults()


def cfg(**changes: Any) -> dict[str, Any]:
    return {**DEFAULTS, **changes}


@pytest.fixture(autouse=True, scope="module")
def _fresh_session():
    """Once per module: `clear_session` collects garbage, seconds each in a long test process."""
    yield
    keras.backend.clear_session()


def dense(model: keras.Model, name: str = "hidden_1") -> keras.layers.Dense:
    return model.get_layer(name)


# ---- architecture ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({}, ["flatten", "hidden_1", "output"]),
        ({"layers": 3}, ["flatten", "hidden_1", "hidden_2", "hidden_3", "output"]),
        (
            {"layers": 2, "dropout": 0.25},
            ["flatten", "hidden_1", "dropout_1", "hidden_2", "dropout_2", "output"],
        ),
    ],
)
def test_layer_order(changes: dict[str, Any], names: list[str]) -> None:
    model = build(cfg(**changes), SHAPE, 10)
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    assert [layer.name for layer in layers] == names
    kinds = {"flatten": keras.layers.Flatten, "hidden": keras.layers.Dense}
    kinds |= {"dropout": keras.layers.Dropout, "output": keras.layers.Dense}
    for layer in layers:
        assert type(layer) is kinds[layer.name.split("_")[0]]
    assert model.input_shape == (None, *SHAPE)


def test_hidden_units_and_rate() -> None:
    model = build(cfg(layers=2, nodes=24, dropout=0.5), SHAPE, 10)
    assert [dense(model, f"hidden_{i}").units for i in (1, 2)] == [24, 24]
    assert [model.get_layer(f"dropout_{i}").rate for i in (1, 2)] == [0.5, 0.5]
    assert dense(model).kernel.shape == (64, 24)


def test_no_dropout_layer_when_rate_is_zero() -> None:
    model = build(cfg(layers=3, dropout=0.0), SHAPE, 10)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in model.layers)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_catalogue_activation(activation: str) -> None:
    model = build(cfg(activation=activation, layers=2), SHAPE, 10)
    for name in ("hidden_1", "hidden_2"):
        assert dense(model, name).activation is keras.activations.get(activation)


INITIALIZER_CLASSES = {
    "glorot_uniform": keras.initializers.GlorotUniform,
    "glorot_normal": keras.initializers.GlorotNormal,
    "he_uniform": keras.initializers.HeUniform,
    "he_normal": keras.initializers.HeNormal,
    "lecun_uniform": keras.initializers.LecunUniform,
    "lecun_normal": keras.initializers.LecunNormal,
    "random_uniform": keras.initializers.RandomUniform,
    "random_normal": keras.initializers.RandomNormal,
    "truncated_normal": keras.initializers.TruncatedNormal,
    "orthogonal": keras.initializers.Orthogonal,
}


def test_initializer_table_covers_catalogue() -> None:
    assert set(INITIALIZER_CLASSES) == set(INITIALIZERS)


@pytest.mark.parametrize("name", INITIALIZERS)
def test_every_catalogue_initializer(name: str) -> None:
    layer = dense(build(cfg(initializer=name), SHAPE, 10))
    assert type(layer.kernel_initializer) is INITIALIZER_CLASSES[name]


@pytest.mark.parametrize(
    ("n_classes", "units", "activation", "loss"),
    [
        (2, 1, "sigmoid", "binary_crossentropy"),
        (3, 3, "softmax", "sparse_categorical_crossentropy"),
        (10, 10, "softmax", "sparse_categorical_crossentropy"),
    ],
)
def test_output_and_loss(n_classes: int, units: int, activation: str, loss: str) -> None:
    model = build(cfg(), SHAPE, n_classes)
    out = dense(model, "output")
    assert out.units == units
    assert out.activation is keras.activations.get(activation)
    assert model.loss == loss
    assert model.output_shape == (None, units)


def test_one_class_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least 2 classes"):
        keras_build.build_model(cfg(), SHAPE, 1)


# ---- regularizers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "cls", "l1", "l2"),
    [
        ("l1", keras.regularizers.L1, True, False),
        ("l2", keras.regularizers.L2, False, True),
        ("l1_l2", keras.regularizers.L1L2, True, True),
    ],
)
@pytest.mark.parametrize("where", ["kernel", "bias", "activity"])
def test_regularizers(kind: str, cls: type, l1: bool, l2: bool, where: str) -> None:
    strengths = {"kernel_strength": 0.03, "bias_strength": 0.002, "activity_strength": 0.005}
    model = build(cfg(**strengths, **{f"{where}_regularizer": kind}), SHAPE, 10)
    layer = dense(model)
    reg = getattr(layer, f"{where}_regularizer")
    assert type(reg) is cls
    strength = strengths[f"{where}_strength"]
    if l1:
        assert float(reg.l1) == pytest.approx(strength)
    if l2:
        assert float(reg.l2) == pytest.approx(strength)
    others = {"kernel", "bias", "activity"} - {where}
    assert all(getattr(layer, f"{other}_regularizer") is None for other in others)
    assert dense(model, "output").kernel_regularizer is None


def test_no_regularizers_by_default() -> None:
    layer = dense(build(cfg(), SHAPE, 10))
    assert layer.kernel_regularizer is layer.bias_regularizer is layer.activity_regularizer is None
    assert keras_build.make_regularizer("none", 0.5) is None


def test_regularizer_adds_a_loss() -> None:
    model = build(cfg(kernel_regularizer="l2", kernel_strength=0.5), SHAPE, 10)
    kernel = dense(model).kernel.numpy()
    assert len(model.losses) == 1
    assert float(model.losses[0]) == pytest.approx(0.5 * float(np.sum(kernel**2)), rel=1e-4)


def test_unknown_regularizer() -> None:
    with pytest.raises(ValueError, match="unknown regularizer"):
        keras_build.make_regularizer("l3", 0.1)


# ---- optimizers and schedules ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "cls", "extra"),
    [
        ("adam", keras.optimizers.Adam, "beta_1"),
        ("adamw", keras.optimizers.AdamW, "beta_1"),
        ("nadam", keras.optimizers.Nadam, "beta_1"),
        ("adamax", keras.optimizers.Adamax, "beta_1"),
        ("sgd", keras.optimizers.SGD, "momentum"),
        ("rmsprop", keras.optimizers.RMSprop, "momentum"),
        ("adagrad", keras.optimizers.Adagrad, None),
        ("adadelta", keras.optimizers.Adadelta, None),
    ],
)
def test_optimizers(name: str, cls: type, extra: str | None) -> None:
    config = cfg(optimizer=name, learning_rate=0.05, beta_1=0.85, momentum=0.3)
    opt = keras_build.make_optimizer(config)
    assert type(opt) is cls
    assert float(opt.learning_rate) == pytest.approx(0.05)
    if extra == "beta_1":
        assert opt.beta_1 == pytest.approx(0.85)
    if extra == "momentum":
        assert opt.momentum == pytest.approx(0.3)


def test_compiled_model_uses_configured_optimizer() -> None:
    model = build(cfg(optimizer="sgd", learning_rate=0.3, momentum=0.5), SHAPE, 10)
    assert type(model.optimizer) is keras.optimizers.SGD
    assert float(model.optimizer.learning_rate) == pytest.approx(0.3)
    assert model.optimizer.momentum == pytest.approx(0.5)


def test_unknown_optimizer() -> None:
    with pytest.raises(ValueError, match="unknown optimizer"):
        keras_build.make_optimizer(cfg(optimizer="lion"))


def test_constant_learning_rate_is_a_float() -> None:
    rate = keras_build.make_learning_rate(cfg(learning_rate=0.3))
    assert type(rate) is float and rate == 0.3


def test_cosine_restarts_schedule() -> None:
    sched = keras_build.make_learning_rate(cfg(schedule="cosine_restarts", learning_rate=0.1))
    assert type(sched) is keras.optimizers.schedules.CosineDecayRestarts
    assert sched.initial_learning_rate == pytest.approx(0.1)
    assert sched.first_decay_steps == 1000
    assert float(sched(0)) == pytest.approx(0.1)
    assert float(sched(500)) < 0.1


def test_exponential_schedule() -> None:
    config = cfg(schedule="exponential", learning_rate=0.2, decay_steps=50, decay_rate=0.5)
    sched = keras_build.make_learning_rate(config)
    assert type(sched) is keras.optimizers.schedules.ExponentialDecay
    assert (sched.decay_steps, sched.decay_rate) == (50, pytest.approx(0.5))
    assert float(sched(50)) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("schedule", "class_name"),
    [("cosine_restarts", "CosineDecayRestarts"), ("exponential", "ExponentialDecay")],
)
def test_optimizer_carries_schedule(schedule: str, class_name: str) -> None:
    opt = keras_build.make_optimizer(cfg(optimizer="adagrad", schedule=schedule))
    assert opt.get_config()["learning_rate"]["class_name"] == class_name


def test_unknown_schedule() -> None:
    with pytest.raises(ValueError, match="unknown learning-rate schedule"):
        keras_build.make_learning_rate(cfg(schedule="cyclic"))


# ---- callbacks -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("monitor", "patience", "min_delta", "restore"),
    [("val_loss", 10, 0.0, True), ("val_accuracy", 3, 0.01, False), ("loss", 0, 0.5, True)],
)
def test_early_stopping(monitor: str, patience: int, min_delta: float, restore: bool) -> None:
    config = cfg(monitor=monitor, patience=patience, min_delta=min_delta)
    callbacks = keras_build.make_callbacks({**config, "restore_best_weights": restore})
    assert len(callbacks) == 1
    (stop,) = callbacks
    assert type(stop) is keras.callbacks.EarlyStopping
    assert (stop.monitor, stop.patience) == (monitor, patience)
    assert abs(stop.min_delta) == pytest.approx(min_delta)
    assert stop.restore_best_weights is restore


def test_no_callbacks_when_disabled() -> None:
    assert keras_build.make_callbacks(cfg(early_stopping=False)) == []


# ---- training --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n_classes", "changes"),
    [
        (2, {"layers": 2, "dropout": 0.5, "kernel_regularizer": "l2"}),
        (10, {"optimizer": "sgd", "schedule": "cosine_restarts", "activity_regularizer": "l1"}),
    ],
)
def test_trains_one_epoch_and_predicts(n_classes: int, changes: dict[str, Any]) -> None:
    rng = np.random.default_rng(0)
    x = rng.random((32, *SHAPE), dtype=np.float32)
    y = rng.integers(0, n_classes, size=32)
    config = cfg(**changes)
    model = build(config, SHAPE, n_classes)
    before = dense(model).kernel.numpy().copy()
    history = model.fit(
        x,
        y,
        epochs=1,
        batch_size=config["batch_size"],
        validation_split=config["validation_split"],
        callbacks=keras_build.make_callbacks(config),
        verbose=0,
    )
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.history)
    assert np.isfinite(history.history["loss"][0])
    assert not np.allclose(before, dense(model).kernel.numpy())
    pred = model.predict(x[:5], verbose=0)
    want = 1 if n_classes == 2 else n_classes
    assert pred.shape == (5, want)
    assert np.all((pred >= 0) & (pred <= 1))
    if n_classes > 2:
        np.testing.assert_allclose(pred.sum(axis=1), 1.0, rtol=1e-5)


# ---- summary ---------------------------------------------------------------------------------
def test_model_summary() -> None:
    config = cfg(layers=2, nodes=16, dropout=0.5)
    from engine.model.factory import ModelFactory
    from engine.model.user_model import ModelTarget

    text = model_summary(ModelFactory(ModelTarget(SHAPE, 10)), config)
    params = build(config, SHAPE, 10).count_params()
    assert params == (64 * 16 + 16) + (16 * 16 + 16) + (16 * 10 + 10)
    lines = text.splitlines()
    assert "2×16" in lines[0] and "adam" in lines[0] and "relu" in lines[0]
    assert "hidden_1" in text and "dropout_2" in text and "output" in text
    assert f"Total params: {params:,}" in text
    assert "\x1b" not in text and "[bold]" not in text
    assert max(len(line) for line in lines[1:]) <= 80


# ---- hygiene ---------------------------------------------------------------------------------
def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND")
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_importing_engine_model_loads_no_tensorflow_and_quieting_it_prints_nothing() -> None:
    code = (
        "import os, sys, engine.model.builder as m\n"
        "heavy = lambda: sorted({n.split('.')[0] for n in sys.modules} & {'tensorflow', 'keras'})\n"
        "print(heavy())\n"
        "m.quiet_tensorflow(); m.quiet_tensorflow()\n"
        "print(heavy(), os.environ['TF_CPP_MIN_LOG_LEVEL'], os.environ['KERAS_BACKEND'])\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["[]", "['keras', 'tensorflow'] 3 tensorflow"]
    assert result.stderr == ""  # TensorFlow's C++ start-up lines never reach a terminal


def test_keras_build_imports_only_keras_and_stdlib() -> None:
    source = (ROOT / "engine" / "model" / "keras_build.py").read_text(encoding="utf-8")
    imported: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            imported.append(node.module or "")
    assert "keras" in imported
    for name in imported:
        top = name.split(".")[0]
        assert top == "keras" or top in sys.stdlib_module_names, name
        assert top != "__future__", "illegal once embedded in a generated script"


def test_keras_build_source_runs_standalone() -> None:
    """The verbatim source, executed outside the package, builds the same model."""
    source = (ROOT / "engine" / "model" / "keras_build.py").read_text(encoding="utf-8")
    namespace: dict[str, Any] = {"__name__": "exported"}
    exec(compile(source, "exported_script.py", "exec"), namespace)
    model = namespace["build_model"](cfg(layers=2), SHAPE, 2)
    assert [layer.name for layer in model.layers[-3:]] == ["hidden_1", "hidden_2", "output"]
