"""A fit resumed from its checkpoint ends where the uninterrupted fit ends: weights, optimizer,
early stopping's state, the data order (in-process, no search: the cheap check)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine.model.checkpoint import Checkpoints

pytestmark = pytest.mark.slow

EPOCHS = 4
CONFIG = {"learning_rate": 0.05}


def model() -> Any:
    import keras

    keras.utils.set_random_seed(7)
    net = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    schedule = keras.optimizers.schedules.CosineDecayRestarts(0.05, first_decay_steps=5)
    net.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return net


def stopping() -> Any:
    """Early stopping whose best epoch comes before the cut (the highest validation loss: the
    first epoch's), so only its restored state hands over the same weights."""
    import keras

    return keras.callbacks.EarlyStopping(
        monitor="val_loss", mode="max", patience=10, restore_best_weights=True
    )


def fit(net: Any, callbacks: list[Any], start: int = 0, end: int = EPOCHS) -> dict[str, list]:
    from engine.model.feed import Feed

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 6)).astype("float32"), rng.integers(0, 3, 60)
    history = Feed(seed=3).fit(
        net,
        x[:48],
        y[:48],
        batch_size=8,
        epochs=end,
        initial_epoch=start,
        first_pass=start,
        validation_data=(x[48:], y[48:]),
        callbacks=callbacks,
    )
    return history.history


def test_a_fit_resumed_from_its_checkpoint_ends_as_the_uninterrupted_fit(tmp_path: Path) -> None:
    whole, whole_stop = model(), stopping()
    want = fit(whole, [whole_stop])

    saves = Checkpoints(tmp_path)  # written after epoch 1, then as its cost allows
    fit(model(), saves.fit("trial", CONFIG, EPOCHS).watch([stopping()]), end=2)  # killed here
    assert [p.name for p in saves.held()] == ["trial.npz"]

    again, again_stop = model(), stopping()
    resume = saves.fit("trial", CONFIG, EPOCHS)
    assert resume.start in (1, 2) and resume.restore_model(again)
    got = resume.history(fit(again, resume.watch([again_stop]), start=resume.start))

    assert got["val_loss"] == pytest.approx(want["val_loss"], rel=1e-6)
    for a, b in zip(again.get_weights(), whole.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert int(again.optimizer.iterations) == int(whole.optimizer.iterations)
    assert (again_stop.best, again_stop.wait) == (whole_stop.best, whole_stop.wait)
    assert whole_stop.best_epoch < resume.start  # the case this test is about
    assert saves.fit("trial", {"learning_rate": 0.1}, EPOCHS).saved is None  # not its own
    assert not saves.held()  # dropped
