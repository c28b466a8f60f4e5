"""Build and compile the tuned Keras model from a flat configuration.

This file is copied verbatim into exported standalone training scripts, so it imports only
`keras` and the standard library, never another tunedeck module, and takes plain values (no
`from __future__` import either: it would be illegal in the middle of a generated script).
"""

import inspect
import types
from typing import Any

import keras


def make_regularizer(kind: str, strength: float) -> keras.regularizers.Regularizer | None:
    """The penalty named by the catalogue ("none", "l1", "l2", "l1_l2") at `strength`."""
    if kind == "none":
        return None
    if kind == "l1":
        return keras.regularizers.L1(strength)
    if kind == "l2":
        return keras.regularizers.L2(strength)
    if kind == "l1_l2":
        return keras.regularizers.L1L2(l1=strength, l2=strength)
    raise ValueError(f"unknown regularizer {kind!r}")


def make_learning_rate(config: dict[str, Any]) -> Any:
    """A float, or a schedule object when `schedule` asks the rate to change per step."""
    rate = float(config["learning_rate"])
    schedule = config["schedule"]
    if schedule == "constant":
        return rate
    if schedule == "cosine_restarts":
        return keras.optimizers.schedules.CosineDecayRestarts(
            rate, int(config["first_decay_steps"])
        )
    if schedule == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(
            rate, int(config["decay_steps"]), float(config["decay_rate"])
        )
    raise ValueError(f"unknown learning-rate schedule {schedule!r}")


_OPTIMIZERS: dict[str, Any] = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
    "adagrad": keras.optimizers.Adagrad,
    "adadelta": keras.optimizers.Adadelta,
    "adamax": keras.optimizers.Adamax,
    "nadam": keras.optimizers.Nadam,
}


def make_optimizer(config: dict[str, Any]) -> keras.optimizers.Optimizer:
    """The named optimizer; `beta_1` and `momentum` only go to the optimizers that take them."""
    name = config["optimizer"]
    if name not in _OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}")
    kwargs: dict[str, Any] = {"learning_rate": make_learning_rate(config)}
    if name in ("adam", "adamw", "nadam", "adamax"):
        kwargs["beta_1"] = float(config["beta_1"])
    if name in ("sgd", "rmsprop"):
        kwargs["momentum"] = float(config["momentum"])
    return _OPTIMIZERS[name](**kwargs)


def compile_kwargs(config: dict[str, Any]) -> dict[str, Any]:
    """What scikeras hands a model function that declares `compile_kwargs`: the configured
    optimizer, built, and the loss the space names (None: the function chooses)."""
    return {
        "optimizer": make_optimizer(config),
        "loss": config.get("loss") or None,
        "metrics": None,
        "loss_weights": None,
        "weighted_metrics": None,
        "run_eagerly": False,
    }


def make_callbacks(config: dict[str, Any]) -> list[keras.callbacks.Callback]:
    """EarlyStopping when enabled, so a trial ends once its monitored metric stops improving."""
    if not config["early_stopping"]:
        return []
    return [
        keras.callbacks.EarlyStopping(
            monitor=config["monitor"],
            patience=int(config["patience"]),
            min_delta=float(config["min_delta"]),
            restore_best_weights=bool(config["restore_best_weights"]),
        )
    ]


def call_callback_factory(function: Any, config: dict[str, Any], trial_dir: str) -> list:
    """The callbacks a user's factory (the space's `callbacks:`) returns for one fit: called
    with `config` (read-only) and `trial_dir` (a folder of that trial's own) when it declares
    them by name. Anything but a list of Keras callbacks is a TypeError saying what it was."""
    try:
        declared = inspect.signature(function).parameters
    except (TypeError, ValueError):
        declared = {}  # type: ignore[assignment]
    takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in declared.values())
    values = {"config": types.MappingProxyType(dict(config)), "trial_dir": trial_dir}
    made = function(**{k: v for k, v in values.items() if k in declared or takes_all})
    if not isinstance(made, list | tuple):
        raise TypeError(f"returned {type(made).__name__}, not a list of Keras callbacks")
    for item in made:
        if not isinstance(item, keras.callbacks.Callback):
            raise TypeError(f"returned a list holding {type(item).__name__}, not a Keras callback")
    return list(made)


def build_model(
    config: dict[str, Any],
    input_shape: tuple,
    n_outputs: int,
    task: str = "classification",
    metrics: tuple = (),
) -> keras.Model:
    """[cnn: `conv_layers` × convolution blocks →] Flatten → `layers` × Dense (+ Dropout), each
    with its own settings where the configuration has them (`hidden_layer`) → output layer,
    compiled (`compile_model`).

    Two classes get one sigmoid unit, more a softmax over `n_outputs` units; regression gets
    `n_outputs` linear units.
    """
    if task == "classification" and n_outputs < 2:
        raise ValueError(f"a classifier needs at least 2 classes, got {n_outputs}")
    inputs = keras.Input(shape=tuple(input_shape), name="input")
    x = inputs
    if config.get("family", "mlp") == "cnn":
        x = convolutions(x, config, tuple(input_shape))
    x = keras.layers.Flatten(name="flatten")(x)
    for i in range(1, int(config["layers"]) + 1):
        x = hidden_layer(x, config, i)
    if task == "regression":
        outputs = keras.layers.Dense(n_outputs, name="output")(x)
    else:
        binary = n_outputs == 2
        outputs = keras.layers.Dense(
            1 if binary else n_outputs, activation="sigmoid" if binary else "softmax", name="output"
        )(x)
    model = keras.Model(inputs, outputs, name="tunedeck_model")
    compile_model(model, config, task, metrics)
    return model


def layer_setting(config: dict[str, Any], layer: int, field: str) -> Any:
    """A hidden layer's own setting (`layer_2_nodes`, layers counted from 1), else the shared
    one (`nodes`)."""
    return config.get(f"layer_{layer}_{field}", config[field])


def hidden_layer(x: Any, config: dict[str, Any], layer: int) -> Any:
    """Hidden Dense layer number `layer`, then its Dropout when its rate is above 0."""

    def own(field: str) -> Any:
        return layer_setting(config, layer, field)

    def penalty(kind: str) -> Any:
        return make_regularizer(own(f"{kind}_regularizer"), float(own(f"{kind}_strength")))

    x = keras.layers.Dense(
        int(own("nodes")),
        activation=own("activation"),
        kernel_initializer=own("initializer"),
        kernel_regularizer=penalty("kernel"),
        bias_regularizer=penalty("bias"),
        activity_regularizer=penalty("activity"),
        name=f"hidden_{layer}",
    )(x)
    dropout = float(own("dropout"))
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name=f"dropout_{layer}")(x)
    return x


def convolutions(x: Any, config: dict[str, Any], input_shape: tuple) -> Any:
    """`conv_layers` blocks of Conv2D ("same" padding) [+ BatchNormalization] [+ 2x2 pooling
    while the image is at least 2x2] on images (height, width) or (height, width, channels)."""
    if len(input_shape) not in (2, 3):
        raise ValueError(
            f"the cnn family needs images (height, width[, channels]), got input shape "
            f"{tuple(input_shape)}"
        )
    if len(input_shape) == 2:  # one channel
        x = keras.layers.Reshape((*input_shape, 1), name="channels")(x)
    height, width = int(input_shape[0]), int(input_shape[1])
    pooling = {"max": keras.layers.MaxPooling2D, "average": keras.layers.AveragePooling2D}
    for i in range(1, int(config["conv_layers"]) + 1):
        x = keras.layers.Conv2D(
            int(config["filters"]),
            int(config["kernel_size"]),
            padding="same",
            activation=config["activation"],
            kernel_initializer=config["initializer"],
            name=f"conv_{i}",
        )(x)
        if config["batch_norm"]:
            x = keras.layers.BatchNormalization(name=f"batch_norm_{i}")(x)
        if config["pooling"] in pooling and min(height, width) >= 2:
            x = pooling[config["pooling"]](2, padding="same", name=f"pool_{i}")(x)
            height, width = (height + 1) // 2, (width + 1) // 2
    return x


_EXTRA_METRICS: dict[str, Any] = {
    "auc": keras.metrics.AUC,
    "precision": keras.metrics.Precision,
    "recall": keras.metrics.Recall,
}


def make_metrics(task: str, units: int, extra: tuple = ()) -> list[Any]:
    """Accuracy for a classifier, MAE and RMSE for a regressor, plus the objective's metric
    when it is one Keras computes on binary labels (auc, precision, recall)."""
    if task == "regression":
        return [
            keras.metrics.MeanAbsoluteError(name="mae"),
            keras.metrics.RootMeanSquaredError(name="rmse"),
        ]
    metrics: list[Any] = ["accuracy"]
    for name in extra:
        if name in _EXTRA_METRICS and units == 1:
            metrics.append(_EXTRA_METRICS[name](name=name))
    return metrics


def compile_model(
    model: keras.Model, config: dict[str, Any], task: str = "classification", metrics: tuple = ()
) -> None:
    """Compile with the configured optimizer and the loss the space names, else the loss that
    fits the task and the output: MSE for regression; binary or sparse categorical cross-entropy for classification, from
    logits when the last layer has no sigmoid/softmax."""
    units = int(model.output_shape[-1])
    if config.get("loss"):  # a loss the space names (scikeras' `loss` of a param_grid)
        loss: Any = config["loss"]
        if task == "classification":  # labels reach the model as class indices
            loss = SPARSE.get(loss, loss)
    elif task == "regression":
        loss = "mse"
    else:
        activation = getattr(getattr(model.layers[-1], "activation", None), "__name__", "")
        loss = "binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy"
        if activation not in ("sigmoid", "softmax"):  # the last layer gives logits
            loss = (
                keras.losses.BinaryCrossentropy(from_logits=True)
                if units == 1
                else keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            )
    model.compile(
        optimizer=make_optimizer(config), loss=loss, metrics=make_metrics(task, units, metrics)
    )


def recompile(model: keras.Model, config: dict[str, Any]) -> None:
    """A model its own code compiled, compiled again with the configured optimizer: the same
    loss, metrics and other compile settings."""
    settings = keras.saving.deserialize_keras_object(dict(model.get_compile_config() or {}))
    settings["optimizer"] = make_optimizer(config)  # unbuilt, as a fresh compile leaves it
    model.compile(**settings)


def add_task_metrics(model: keras.Model, task: str, extra: tuple = ()) -> bool:
    """A model its own code compiled without metrics (scikeras scores a classifier by its
    predictions whatever it was compiled with), compiled again with the task's when the
    objective (`extra`) asks for more than the loss: the same loss, optimizer and other
    settings. True if it was."""
    config = model.get_compile_config()
    if not config or config.get("metrics") or config.get("weighted_metrics"):
        return False
    if all(name == "loss" for name in extra):
        return False
    settings = keras.saving.deserialize_keras_object(dict(config))
    settings["metrics"] = make_metrics(task, int(model.output_shape[-1]), extra)
    model.compile(**settings)
    return True


def shape_user_model(model: Any, input_shape: tuple, task: str) -> None:
    """A user's model as the search trains it: a `Sequential` with no `Input` (as Keras
    Tuner's guides write them) built for the data's shape, one-hot losses read class indices."""
    if not model.built and isinstance(model, keras.Sequential):
        model.build((None, *input_shape))
    if getattr(model, "compiled", False) and task == "classification":
        use_class_indices(model)


SPARSE = {
    "categorical_crossentropy": "sparse_categorical_crossentropy",
    "CategoricalCrossentropy": "SparseCategoricalCrossentropy",
    "categorical_accuracy": "sparse_categorical_accuracy",
    "CategoricalAccuracy": "SparseCategoricalAccuracy",
    "top_k_categorical_accuracy": "sparse_top_k_categorical_accuracy",
    "TopKCategoricalAccuracy": "SparseTopKCategoricalAccuracy",
}
_DROPPED = ("label_smoothing", "axis")  # one-hot only; a sparse loss has neither


def use_class_indices(model: Any) -> bool:
    """Class labels reach every model as class indices (a loader's one-hot rows are turned
    into them, so that splits stratify): a model its build function compiled for one-hot labels
    keeps its loss and metrics, recompiled in their sparse forms (same values, same names).
    True if it was."""
    config = model.get_compile_config()
    if not config:
        return False
    changed = False

    def sparse(item: Any) -> Any:
        nonlocal changed
        if isinstance(item, str) and item in SPARSE:
            changed = True
            return SPARSE[item]
        if isinstance(item, dict) and item.get("class_name") in SPARSE:
            if (item.get("config") or {}).get("label_smoothing"):
                return item  # no sparse form: the loss needs one-hot labels
            changed = True
            inner = {k: v for k, v in (item.get("config") or {}).items() if k not in _DROPPED}
            return {**item, "class_name": SPARSE[item["class_name"]], "config": inner}
        if isinstance(item, list):
            return [sparse(i) for i in item]
        if isinstance(item, dict) and "class_name" not in item:
            return {k: sparse(v) for k, v in item.items()}
        return item

    new = {**config, "loss": sparse(config.get("loss")), "metrics": sparse(config.get("metrics"))}
    if changed:
        model.compile_from_config(new)
    return changed
