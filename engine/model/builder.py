"""Engine-side helpers around `engine.model.keras_build`: quiet TensorFlow, build, summarise.

Importing this module loads neither TensorFlow nor Keras (they take seconds), so the TUI can
import it at start-up; Keras is imported inside the functions that need it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from engine.space.schema import layer_name, split_layer_name

if TYPE_CHECKING:
    import keras

_QUIET = False
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# libraries whose warnings a user cannot act on (Keras Tuner's Gaussian process fits through
# scikit-learn's, which warns when a length scale reaches its bound)
_NOISY = r"(tensorflow|keras|absl|tf_keras|google\.protobuf|h5py|sklearn\.gaussian_process)(\.|$)"


def quiet_tensorflow() -> None:
    """Turn down TensorFlow/Keras chatter; call before they are imported (idempotent).

    Environment variables are only defaulted, so a user's explicit setting still wins. The few
    C++ lines TensorFlow prints while it loads (absl, oneDNN, CUDA stub) bypass every setting,
    so TensorFlow is imported here with file descriptor 2 pointed at /dev/null.
    """
    global _QUIET
    if _QUIET:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")  # not every GPU's whole memory
    for category in (DeprecationWarning, FutureWarning, UserWarning, RuntimeWarning):
        warnings.filterwarnings("ignore", category=category, module=_NOISY)
    for name in ("tensorflow", "absl", "keras", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if "tensorflow" not in sys.modules:
        with _stderr_silenced():
            import tensorflow  # noqa: F401
    _QUIET = True


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def build(
    config: dict[str, Any],
    input_shape: Sequence[int],
    n_outputs: int,
    task: str = "classification",
    metrics: tuple[str, ...] = (),
) -> keras.Model:
    """A compiled built-in model for `config` (see `engine.model.keras_build.build_model`)."""
    quiet_tensorflow()
    from engine.model import keras_build

    return keras_build.build_model(config, tuple(input_shape), n_outputs, task, metrics)


def model_summary(factory: Any, config: dict[str, Any], own: Sequence[str] = ()) -> str:
    """One line of key hyperparameters, then Keras' summary table as plain 80-column text.
    `factory` is an `engine.model.factory.ModelFactory` (the built-in model or the user's,
    whose own parameters are `own`)."""
    model = factory.build(config)
    chunks: list[str] = []
    model.summary(line_length=80, print_fn=lambda text, *_, **__: chunks.append(text))
    table = _ANSI.sub("", "\n".join(chunk.rstrip("\n") for chunk in chunks))
    head = _header(config) if factory.ref is None else _user_header(factory.ref, config, own)
    return f"{head}\n{table}\n"


def _user_header(ref: Any, config: dict[str, Any], own: Sequence[str]) -> str:
    """The user's function and its own parameters, e.g. `net.py:build filters=8 | adam …`."""
    name = f"{os.path.basename(ref.target)}:{ref.function}" if ref.is_file else str(ref)
    values = " ".join(f"{k}={config[k]}" for k in own if k in config)
    return (
        f"{name} {values} | {config['optimizer']} lr {config['learning_rate']}"
        f" {config['schedule']} | batch {config['batch_size']}"
    )


def _header(config: dict[str, Any]) -> str:
    """The hyperparameters that shape the model, compactly, e.g. `2×16 relu/he_uniform | …`,
    or layer by layer when layers have settings of their own (`64 linear/glorot_uniform →
    100 relu/he_uniform dropout 0.5 | …`)."""
    return (
        f"{_hidden(config)} | {config['optimizer']} lr {config['learning_rate']}"
        f" {config['schedule']} | batch {config['batch_size']}"
    )


def _hidden(config: dict[str, Any]) -> str:
    if not any(split_layer_name(name) for name in config):
        return (
            f"{config['layers']}×{config['nodes']} {config['activation']}/"
            f"{config['initializer']} dropout {config['dropout']}"
        )
    layers = []
    for layer in range(1, int(config["layers"]) + 1):

        def own(field: str, layer: int = layer) -> Any:
            return config.get(layer_name(layer, field), config[field])

        dropout = f" dropout {own('dropout')}" if float(own("dropout")) > 0 else ""
        layers.append(f"{own('nodes')} {own('activation')}/{own('initializer')}{dropout}")
    return " → ".join(layers)
