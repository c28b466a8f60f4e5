"""A configuration's parameter count, without allocating its weights.

Used when a trial ran out of memory: its note names the parameter count, and a model too
large to build cannot be asked after the fact. Inside Keras's `StatelessScope` a layer's
variables are created without values (deferred), so a model of any size is counted from its
shapes alone; compiling is skipped meanwhile (Keras's and ours: it makes variables from
values, which the scope refuses, and adds no parameters). A model whose code makes an
optimizer itself is not counted. The deferred variables are dropped from Keras's list of variables waiting for
their values, or the next symbolic build would allocate them (a private name of Keras:
tests/test_private_api.py).
"""

from __future__ import annotations

from typing import Any

PENDING = "uninitialized_variables"  # Keras's global list of deferred variables


def parameter_count(factory: Any, config: Any) -> int | None:
    """The parameters of `factory`'s model for `config`; None when it cannot be built so."""
    import keras
    from keras.src.backend.common import global_state

    from engine.model import keras_build

    before = list(global_state.get_global_attribute(PENDING) or [])
    skipped = [(keras.Model, "compile"), (keras_build, "compile_model"), (keras_build, "recompile")]
    kept = [(owner, name, getattr(owner, name)) for owner, name in skipped]
    for owner, name in skipped:
        setattr(owner, name, _skipped)
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = factory.build(config)
        return int(model.count_params())
    except Exception:  # noqa: BLE001 - a user's model that needs real values to build
        return None
    finally:
        for owner, name, original in kept:
            setattr(owner, name, original)
        global_state.set_global_attribute(PENDING, before)


def _skipped(*args: Any, **kwargs: Any) -> None:
    """Compiling makes an optimizer and metrics, whose variables start from values (the step,
    the totals), which a stateless scope refuses; the count needs only the layers."""
