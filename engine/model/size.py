"""A configuration's parameter count, without allocating its weights.

Used when a trial ran out of memory: its note names the parameter count, and a model too
large to build cannot be asked after the fact. Inside Keras's `StatelessScope` a layer's
variables are created without values (deferred), so a model of any size is counted from its
shapes alone. The deferred variables are dropped from Keras's list of variables waiting for
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

    before = list(global_state.get_global_attribute(PENDING) or [])
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = factory.build(config)
        return int(model.count_params())
    except Exception:  # noqa: BLE001 - a user's model that needs real values to build
        return None
    finally:
        global_state.set_global_attribute(PENDING, before)
