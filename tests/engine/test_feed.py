"""The search's kept pipelines (`engine.model.feed`) give Keras what arrays would: every row
once an epoch, a new order each epoch from the seed alone, the last batch short, and Keras's
own validation split."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from engine.model import feed as feed_module
from engine.model.feed import Feed, fingerprint


def passes(feed: Feed, x: np.ndarray, y: np.ndarray, batch: int, count: int) -> list[list[list]]:
    data, steps = feed.pipeline(x, y, batch, shuffled=True)
    batches = iter(data)
    return [[next(batches)[1].numpy().tolist() for _ in range(steps)] for _ in range(count)]


def test_each_epoch_is_every_row_once_in_a_new_order_the_last_batch_short() -> None:
    x, y = np.arange(10, dtype=np.float32).reshape(10, 1), np.arange(10)
    epochs = passes(Feed(3), x, y, 4, 3)
    for epoch in epochs:
        assert [len(b) for b in epoch] == [4, 4, 2]
        assert sorted(sum(epoch, [])) == list(range(10))
    assert len({str(e) for e in epochs}) == 3, "a new permutation each epoch"
    assert passes(Feed(3), x, y, 4, 3) == epochs, "the seed alone decides: any trial, any process"
    assert passes(Feed(4), x, y, 4, 3) != epochs
    rows, pairs = Feed(3).pipeline(x, y, 4, shuffled=True)[0].take(1).get_single_element()
    assert np.array_equal(rows.numpy()[:, 0], pairs.numpy()), "features stay with their labels"


def test_pipelines_are_kept_by_content_and_batch_size() -> None:
    feed = Feed(0)
    x, y = np.ones((6, 2), np.float32), np.zeros(6)
    first = feed.pipeline(x, y, 2, shuffled=True)
    assert feed.pipeline(x.copy(), y.copy(), 2, shuffled=True) is first  # a fold is a new array
    assert feed.pipeline(x, y, 3, shuffled=True) is not first
    assert fingerprint(x, y) != fingerprint(x, y + 1)


@pytest.mark.parametrize("largest", [feed_module.LARGEST, 0])  # 0: arrays go to Keras as such
def test_validation_split_is_keras_own_the_last_rows(
    largest: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_module, "LARGEST", largest)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 3)).astype(np.float32), rng.normal(size=(40, 1))
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = Feed(0).fit(model, x, y, batch_size=8, epochs=2, validation_split=0.25)
    assert len(history.history["loss"]) == 2
    last_rows = model.evaluate(x[30:], y[30:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(last_rows, rel=1e-5)
