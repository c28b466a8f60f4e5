"""A search's training data as tf.data pipelines, built once and fed to every trial.

Handed NumPy arrays, Keras builds a new input pipeline for every `fit` and `evaluate` and a new
iterator for every epoch, which costs more than the training itself once a model is traced:
0.36–0.54 s against 0.08–0.10 s for a 4-epoch trial on `digits`. The trials of a search see
the same arrays (Keras Tuner: train and validation parts; scikit-learn: the same folds for
every candidate), so the pipelines are kept, keyed by the arrays' contents and the batch
size, and `fit` gets a repeated pipeline with its steps per epoch: one iterator a trial.

Training batches are drawn as Keras draws them from arrays: a fresh permutation of the rows
each epoch, every row once, the last batch short. The permutations come from the search's
seed and the epoch alone (stateless), the same for every trial, in any process and after a
resume, so two configurations are compared on the same batches; a fit resumed from a
checkpoint (`first_pass`) starts at the pass its next epoch would have drawn. `validation_split`
is Keras's: the last part of the rows, before shuffling.

Arrays larger than `LARGEST` are not copied into a pipeline: they train as Keras would.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from typing import Any

import numpy as np

LARGEST = 256 * 2**20  # bytes of one array set kept as a pipeline
KEPT = 8  # pipelines (array sets × batch sizes)


def fingerprint(*arrays: np.ndarray) -> str:
    """The arrays' contents, shapes and types in a few bytes (a fold is a new array each time)."""
    digest = hashlib.blake2b(digest_size=16)
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.shape}{array.dtype}".encode())
        digest.update(array.data)  # contiguous: read in place
    return digest.hexdigest()


class Feed:
    """Pipelines by (arrays, batch size, shuffled, first pass), least recently used dropped first."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.pipelines: OrderedDict[tuple[str, int, bool, int], tuple[Any, int]] = OrderedDict()
        self.tensors: OrderedDict[str, tuple[Any, Any]] = OrderedDict()  # one copy per array set

    def held(self) -> int:
        """Pipelines and tensor copies kept: memory held on purpose, bounded by `KEPT`."""
        return len(self.pipelines) + len(self.tensors)

    def __getstate__(self) -> dict[str, Any]:
        """A feed travels empty (to scikit-learn's worker processes)."""
        return {"seed": self.seed, "pipelines": OrderedDict(), "tensors": OrderedDict()}

    def fit(
        self,
        model: Any,
        x: np.ndarray,
        y: np.ndarray,
        *,
        batch_size: int,
        epochs: int,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        validation_split: float = 0.0,
        first_pass: int = 0,
        **kwargs: Any,
    ) -> Any:
        """`model.fit` on pipelines (`initial_epoch`, `callbacks` pass through); the training
        batches begin with permutation `first_pass` (a resumed fit's epochs done)."""
        if validation_split and validation_data is None:
            cut = int(math.floor(len(x) * (1.0 - validation_split)))  # as Keras splits
            x, y, validation_data = x[:cut], y[:cut], (x[cut:], y[cut:])
        if x.nbytes + y.nbytes > LARGEST:
            return model.fit(
                x,
                y,
                batch_size=batch_size,
                epochs=epochs,
                validation_data=validation_data,
                verbose=0,
                **kwargs,
            )
        train, steps = self.pipeline(x, y, batch_size, shuffled=True, start=first_pass)
        if validation_data is not None:
            val, val_steps = self.pipeline(*validation_data, batch_size, shuffled=False)
            kwargs.update(validation_data=val, validation_steps=val_steps)
        return model.fit(  # the pipeline shuffles: Keras must not
            train, steps_per_epoch=steps, epochs=epochs, shuffle=False, verbose=0, **kwargs
        )

    def evaluate(self, model: Any, x: np.ndarray, y: np.ndarray, batch_size: int) -> dict:
        """`model.evaluate(x, y)` on a kept pipeline (a trial's validation part, say)."""
        if x.nbytes + y.nbytes > LARGEST:
            return model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
        data, steps = self.pipeline(x, y, batch_size, shuffled=False)
        return model.evaluate(data, steps=steps, verbose=0, return_dict=True)

    def pipeline(
        self, x: np.ndarray, y: np.ndarray, batch_size: int, shuffled: bool, start: int = 0
    ) -> Any:
        """(endless batches of (x, y) from pass `start` on, batches per pass over the rows)."""
        arrays = fingerprint(x, y)
        key = (arrays, batch_size, shuffled, start)
        if key not in self.pipelines:
            if arrays not in self.tensors:
                import tensorflow as tf

                self.tensors[arrays] = (tf.constant(x), tf.constant(y))
            batches = _batches(*self.tensors[arrays], batch_size, shuffled, self.seed, start)
            self.pipelines[key] = (batches, math.ceil(len(x) / batch_size))
        _keep(self.pipelines, key)
        _keep(self.tensors, arrays)
        return self.pipelines[key]


def _keep(kept: OrderedDict, newest: Any) -> None:
    """`newest` used last; the least recently used dropped beyond `KEPT`."""
    kept.move_to_end(newest)
    while len(kept) > KEPT:
        kept.popitem(last=False)


def _batches(xs: Any, ys: Any, batch_size: int, shuffled: bool, seed: int, start: int = 0) -> Any:
    """Endless passes over the rows of tensors `xs`, `ys` from pass `start` on, each cut into
    batches (the last one short) and gathered; pass p permuted by (seed, p) when `shuffled`:
    stateless, so the same whoever builds it."""
    import tensorflow as tf

    n = int(xs.shape[0])

    def rows(p: Any) -> Any:
        order = tf.range(n, dtype=tf.int64)
        if shuffled:
            noise = tf.random.stateless_uniform(
                [n], seed=tf.stack([tf.constant(seed, tf.int64), p])
            )
            order = tf.argsort(noise, stable=True)
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    passes = tf.data.Dataset.counter(start).flat_map(rows)
    gathered = passes.map(lambda i: (tf.gather(xs, i), tf.gather(ys, i)))
    return gathered.prefetch(tf.data.AUTOTUNE)
