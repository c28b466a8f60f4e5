"""What a user's build function receives: Keras Tuner's own `HyperParameters`, holding the
candidate's values, that also reads as a read-only mapping.

So a function written for Keras Tuner (`hp.Int("units", 32, 512, step=32)`, `hp.Choice`,
`hp.conditional_scope`) and one written for a plain mapping (`hp["units"]`,
`hp.get("units", 32)`) both run unchanged, on either backend: a declaration returns the
candidate's value (Keras Tuner's own rule for a name it already holds a value of). Importing
this module imports Keras Tuner: only the training process does.

`_retrieve`, which every declaration (`hp.Int`, `hp.Choice`, …) goes through with its full
name, is the one private name of Keras Tuner used outside `engine.backends.keras_tuner.compat`
(this layer sits below the backends); tests/test_private_api.py checks its signature.
"""

from __future__ import annotations

from collections.abc import Iterator, KeysView, Mapping
from typing import Any

import keras_tuner

_MISSING: Any = object()


class TrialHyperParameters(keras_tuner.HyperParameters):
    """One candidate's values; `read` collects the names the function asked for."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.values = dict(values or {})
        self.read: set[str] = set()

    def _retrieve(self, hp: Any) -> Any:
        self.read.add(hp.name)
        return super()._retrieve(hp)

    def get(self, name: str, default: Any = _MISSING) -> Any:
        self.read.add(name)
        try:
            return super().get(name)
        except KeyError:
            if default is _MISSING:
                raise
            return default

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def keys(self) -> KeysView[str]:
        return self.values.keys()

    def items(self) -> Any:
        return self.values.items()

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


Mapping.register(TrialHyperParameters)


class DeclaredTwiceError(Exception):
    """The same name declared as two kinds of hyperparameter."""

    def __init__(self, name: str, first: str, second: str) -> None:
        super().__init__(f"declares {name!r} twice with different types ({first} and {second})")
        self.name = name


class Recorder(TrialHyperParameters):
    """Keras Tuner's recording `HyperParameters` for discovery: it refuses a name declared
    as two kinds, and notes the names read as a plain mapping (`mapped`)."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        super().__init__(values)
        self.mapped: set[str] = set()

    def _retrieve(self, hp: Any) -> Any:
        known = next((h for h in self.space if h.name == hp.name), None)
        if known is not None and type(known) is not type(hp):
            raise DeclaredTwiceError(hp.name, type(known).__name__, type(hp).__name__)
        return super()._retrieve(hp)

    def get(self, name: str, default: Any = _MISSING) -> Any:
        if not any(h.name == name for h in self.space):
            self.mapped.add(name)
        return super().get(name, default)
