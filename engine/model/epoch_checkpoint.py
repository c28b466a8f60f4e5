"""The Keras callback that writes a fit's checkpoint after each epoch and, when the fit
resumes from one, gives its callbacks their state back (`engine.model.checkpoint` says what a
checkpoint holds and where)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from engine.system.atomic import replacing

if TYPE_CHECKING:
    from engine.model.checkpoint import Saved

SHARE = 0.05  # of a fit's time, at most, spent writing its checkpoint (epochs shorter: fewer)
_PLAIN = (type(None), bool, int, float, str)
_NOT_STATE = {"model", "_model", "params", "validation_data"}


class EpochCheckpoint(keras.callbacks.Callback):
    """Writes the fit's checkpoint after each epoch and, resuming, restores the callbacks'
    state: it must come last among the fit's callbacks (`watch` names the others).

    An epoch shorter than twenty writes of its checkpoint (a small model on little data) would
    spend more than `SHARE` of the fit writing: then an epoch's checkpoint is written once
    twenty writes' time has passed since the last, so a kill loses at most an epoch or that
    time. `TUNEDECK_CHECKPOINT=epoch` writes after every epoch whatever it costs."""

    def __init__(self, path: Path, mark: str, epochs: int, saved: Saved | None) -> None:
        super().__init__()
        self.path, self.mark, self.epochs, self.saved = path, mark, epochs, saved
        self.others: list[Any] = []
        self.extra: dict[str, Any] = {}
        self.rows: list[dict[str, Any]] = _rows(saved.history) if saved else []
        self.every = os.environ.get("TUNEDECK_CHECKPOINT") == "epoch"
        self.cost = 0.0  # seconds the last write took
        self.since = time.perf_counter()  # the last write's end (or the fit's start)

    def __deepcopy__(self, memo: dict) -> EpochCheckpoint:
        return self

    @property
    def start(self) -> int:
        """The epoch the fit starts at: the checkpoint's, or 0."""
        return self.saved.epoch if self.saved is not None else 0

    def watch(self, callbacks: list[Any]) -> list[Any]:
        """`callbacks` with this one last; their state is what it saves and restores."""
        self.others = [c for c in callbacks if c is not self]
        return [*self.others, self]

    def restore_model(self, model: Any) -> bool:
        """Give `model` (built as the fit builds it) the checkpoint's variables and optimizer
        state; False (and the checkpoint forgotten) when they do not line up."""
        saved = self.saved
        if saved is None:
            return False
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and not optimizer.built and saved.optimizer:
            optimizer.build(model.trainable_variables)
        targets = list(model.variables)
        slots = list(optimizer.variables) if optimizer is not None else []
        if not (_fits(targets, saved.model) and _fits(slots, saved.optimizer)):
            self.forget()
            return False
        for variable, value in zip(
            [*targets, *slots], [*saved.model, *saved.optimizer], strict=True
        ):
            variable.assign(value)
        return True

    def forget(self) -> None:
        """Train from the first epoch after all (the checkpoint did not fit the model)."""
        self.saved, self.rows = None, []

    def history(self, history: dict[str, list[Any]]) -> dict[str, list[Any]]:
        """The fit's whole history: the restored epochs' logs, then `history`'s (this run's)."""
        if self.saved is None:
            return dict(history)
        before = self.saved.history
        done = self.saved.epoch - self.saved.extra.get("initial", 0)
        keys = dict.fromkeys([*before, *history])
        return {k: [*(before.get(k) or [None] * done), *(history.get(k) or [])] for k in keys}

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.since = time.perf_counter()
        if self.saved is None:
            return
        for index, (callback, state) in enumerate(
            zip(self.others, self.saved.callbacks, strict=False)
        ):
            if type(callback).__name__ != state.get("class"):
                continue  # not the callback it saved: it starts afresh
            for name, value in state.get("plain", {}).items():
                setattr(callback, name, value)
            for name in state.get("arrays", ()):
                setattr(callback, name, list(self.saved.arrays.get(f"{index}.{name}", [])))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.rows.append(dict(logs or {}))
        if self.model.stop_training or epoch + 1 >= self.epochs:
            return  # the fit ends here: the last checkpoint serves a kill before it is recorded
        start = time.perf_counter()
        if self.every or self.cost <= SHARE * (start - self.since):
            self.write(epoch + 1)
            self.since = time.perf_counter()
            self.cost = self.since - start

    def write(self, epoch: int) -> None:
        model = self.model
        optimizer = getattr(model, "optimizer", None)
        arrays: dict[str, np.ndarray] = {}
        weights = list(model.variables)
        slots = list(optimizer.variables) if optimizer is not None else []
        for i, variable in enumerate(weights):
            arrays[f"m{i}"] = np.asarray(variable.numpy())
        for i, variable in enumerate(slots):
            arrays[f"o{i}"] = np.asarray(variable.numpy())
        states = []
        for index, callback in enumerate(self.others):
            plain, lists = _state(callback)
            for name, values in lists.items():
                for j, value in enumerate(values):
                    arrays[f"c{index}.{name}.{j}"] = value
            states.append(
                {
                    "class": type(callback).__name__,
                    "plain": plain,
                    "arrays": {name: len(values) for name, values in lists.items()},
                }
            )
        history = {
            k: [row.get(k) for row in self.rows]
            for k in dict.fromkeys(k for row in self.rows for k in row)
        }
        meta = {
            "epoch": epoch,
            "history": history,
            "callbacks": states,
            "extra": {**self.extra, "fingerprint": self.mark},
            "model": len(weights),
            "optimizer": len(slots),
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta, default=_plain).encode(), dtype=np.uint8)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(self.path) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
        # no fsync: a kill leaves the page cache to the kernel; a file a power cut tore reads
        # as no checkpoint, and the trial trains from its start
        _kill_after(self.path, epoch)


def _state(callback: Any) -> tuple[dict[str, Any], dict[str, list[np.ndarray]]]:
    """A callback's state as its attributes: plain values and lists of them (saved as JSON),
    and lists of arrays (early stopping's best weights). Objects are configuration or links."""
    plain: dict[str, Any] = {}
    lists: dict[str, list[np.ndarray]] = {}
    for name, value in vars(callback).items():
        if name in _NOT_STATE:
            continue
        value = _plain_or_same(value)
        if isinstance(value, _PLAIN):
            plain[name] = value
        elif isinstance(value, list | tuple):
            items = [_plain_or_same(v) for v in value]
            if all(isinstance(v, _PLAIN) for v in items):
                plain[name] = items
            elif items and all(isinstance(v, np.ndarray) for v in items):
                lists[name] = list(items)
    return plain, lists


def _plain_or_same(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def _rows(history: dict[str, list[Any]]) -> list[dict[str, Any]]:
    count = max((len(v) for v in history.values()), default=0)
    return [{k: v[i] for k, v in history.items() if i < len(v)} for i in range(count)]


def _fits(variables: list[Any], values: list[np.ndarray]) -> bool:
    return len(variables) == len(values) and all(
        tuple(v.shape) == a.shape and np.dtype(v.dtype) == a.dtype
        for v, a in zip(variables, values, strict=True)
    )


def _kill_after(path: Path, epoch: int) -> None:
    """`TUNEDECK_KILL_AFTER_CHECKPOINT=[FIT:]N`: the process kills itself (SIGKILL) once the
    checkpoint of epoch N (of fit FIT: a trial id, `<trial>.fold<k>`) is written — how the
    tests interrupt a fit at a chosen epoch."""
    wanted = os.environ.get("TUNEDECK_KILL_AFTER_CHECKPOINT", "")
    name, _, number = wanted.rpartition(":")
    if number.isdigit() and int(number) == epoch and name in ("", path.stem):
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
