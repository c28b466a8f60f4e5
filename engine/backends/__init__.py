"""Backends by name, imported only when used (Keras Tuner and scikit-learn are heavy).

Each backend is a `base.Backend` with its own parallel mode; `planner` picks one for a space
and a budget (light: the console asks it on every edit).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.backends.base import Backend

_MODULES = {
    "keras-tuner": ("engine.backends.keras_tuner.tuner", "KerasTunerBackend"),
    "sklearn": ("engine.backends.sklearn.search", "SklearnBackend"),
    "fake": ("engine.backends.fake", "FakeBackend"),
}


def get_backend(name: str) -> type[Backend]:
    module, cls = _MODULES[name]
    if name != "fake":
        from engine.model.builder import quiet_tensorflow

        quiet_tensorflow()  # before Keras Tuner or scikeras import TensorFlow
    backend: type[Backend] = getattr(importlib.import_module(module), cls)
    return backend


def needs_data(name: str) -> bool:
    return name != "fake"
