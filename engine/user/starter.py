"""`tunedeck init [DIR]`: a documented starter `model.py` and `space.yaml` that run as they are.

The files are the shortest path from "I have a Keras model" to a search: the user replaces the
body of `build` with their own model and `load` with their own data, and keeps the rest.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError
from engine.system.atomic import write_text

MODEL_PY = '''"""Your model and your data, for tunedeck.

tunedeck calls `build(hp, ...)` once per trial. `hp` is a read-only mapping of the trial's
configuration: your own parameters from `params:` in space.yaml (hp["units"]) and the training
ones (hp["batch_size"], hp["learning_rate"], ...). A plain dict works the same, so you can call
build() yourself. Declare any of `input_shape`, `n_outputs` and `task` and tunedeck passes them.

Return the model uncompiled and tunedeck compiles it with the optimizer and learning rate of
space.yaml and the loss and metrics of the task; compile it yourself to keep your own (then do
not tune the optimizer in space.yaml).
"""

import keras


def build(hp, input_shape, n_outputs, task):
    """A dense network: `layers` hidden layers of `units`, then the output layer."""
    model = keras.Sequential([keras.Input(input_shape), keras.layers.Flatten()])
    for _ in range(hp["layers"]):
        model.add(keras.layers.Dense(hp["units"], activation=hp["activation"]))
        if hp.get("dropout", 0.0) > 0:
            model.add(keras.layers.Dropout(hp["dropout"]))
    if task == "regression":
        model.add(keras.layers.Dense(n_outputs))
    else:
        model.add(keras.layers.Dense(n_outputs, activation="softmax"))
    return model


def load():
    """Your data: (x, y), or a dict with x_train, y_train and optionally x_val, y_val, x_test,
    y_test. Missing parts are split off (stratified for classes, seeded). Labels may be
    integers or strings; float targets mean regression. Scale your features here."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.images.astype("float32") / 16.0, digits.target
'''

SPACE_YAML = """# A tunedeck search space for the model in model.py. Open it with `tunedeck space.yaml`, or run
# it headless with `tunedeck run space.yaml`. A list is a choice, a scalar is fixed, a mapping
# with min/max is a range (step, sampling: linear|log). Naming a model runs that file's code.
model: model.py:build
data: model.py:load
task: classification
objective: {metric: val_accuracy, direction: max}
params:            # your model's own hyperparameters: any names, read as hp["name"]
  layers: [1, 2]
  units: [16, 32, 64]
  activation: [relu, tanh]
  dropout: [0.0, 0.2]
training:
  batch_size: [32, 64]
  epochs: 10
optimizer:
  name: adam
  learning_rate: {min: 0.0005, max: 0.01, sampling: log}
early_stopping:
  enabled: true
  monitor: val_loss
  patience: 3
"""

FILES = {"model.py": MODEL_PY, "space.yaml": SPACE_YAML}


def write_starter(folder: str | Path, force: bool = False) -> list[Path]:
    """Write the starter files into `folder` (made if missing); never over a file of the
    user's unless `force`."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError("not a folder", source=str(folder))
    targets = [folder / name for name in FILES]
    if not force and (existing := [t for t in targets if t.exists()]):
        raise InputError("already exists (use --force to overwrite)", source=str(existing[0]))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for target in targets:
            write_text(target, FILES[target.name])
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or exc})", source=str(folder)) from None
    return targets
