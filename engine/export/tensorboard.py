"""A run as TensorBoard's HParams data: `tensorboard --logdir DIR` shows its trials table (each
trial's varied parameters and score), parallel coordinates, and each trial's epoch curves,
as Keras Tuner users are used to.

The layout is the one the HParams plugin reads: the folder's own event file holds the
experiment (each parameter's domain, the metrics), and a sub-folder per trial holds its
values (`hparams_pb`, the trial's id as its group) and scalars: `score` (the trial's result
on the run's objective) and every epoch's metrics (a cross-validated trial's folds in
sub-folders `fold_N`). Written with tensorboard's own protobuf builders
(`tensorboard.plugins.hparams.summary_v2`, what `hparams.api` re-exports, and the scalar
plugin's `scalar_pb`) and its record framing, none of which imports TensorFlow, so an export
takes under a second.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.run.results import RunResults, TrialRecord

SCORE = "score"
FILE_VERSION = "brain.Event:2"  # what TensorBoard's readers expect first in an event file
MAX_DISCRETE = 12  # more numeric values than this read as a range


def write_logdir(results: RunResults, target: Path) -> None:
    """Write `results` as a TensorBoard log folder at `target` (a new folder, or replaced whole:
    written beside it first, so a failed export leaves the old one)."""
    if not results.trials:
        raise InputError("no trials recorded yet")
    staging = target.with_name(f".{target.name}.writing")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _write(results, staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write(results: RunResults, root: Path) -> None:
    from tensorboard.plugins.hparams import summary_v2 as hp
    from tensorboard.plugins.scalar.summary_v2 import scalar_pb

    trials = sorted(results.trials.values(), key=lambda t: t.number)
    names = varied_names(trials)
    values = {t.trial_id: _values(t, names) for t in trials}
    hparams = [hp.HParam(n, _domain([v[n] for v in values.values() if n in v])) for n in names]
    objective = f"{results.objective} ({results.direction})"
    metrics = [hp.Metric(SCORE, display_name="score", description=objective)]
    metrics += [hp.Metric(m) for m in _epoch_metrics(trials)]
    start = min((t.started for t in trials if t.started), default=0.0)
    with _Writer(root) as experiment:
        experiment.add(hp.hparams_config_pb(hparams, metrics, start or None), 0, start)
    for trial in trials:
        with _Writer(root / _safe(trial.trial_id)) as out:
            session = hp.hparams_pb(values[trial.trial_id], trial.trial_id, trial.started or None)
            out.add(session, 0, trial.started)
            folds: dict[Any, list[dict[str, Any]]] = {}
            for row in trial.curve:
                folds.setdefault(row.get("fold"), []).append(row)
            for fold, rows in folds.items():
                if fold is None:
                    _curve(out, rows, trial.started, scalar_pb)
                else:
                    with _Writer(root / _safe(trial.trial_id) / f"fold_{fold}") as sub:
                        _curve(sub, rows, trial.started, scalar_pb)
            if trial.score is not None and math.isfinite(trial.score):
                last = max((int(r["epoch"]) for r in trial.curve), default=0)
                ended = trial.started + (trial.duration or 0.0)
                out.add(scalar_pb(SCORE, float(trial.score)), last, ended)


def varied_names(trials: list[TrialRecord]) -> list[str]:
    """The parameters that tell trials apart, in the order they first appear (all of them
    when nothing varied, as in a one-trial run)."""
    seen: dict[str, set[str]] = {}
    for trial in trials:
        for name, value in trial.hyperparameters.items():
            if not name.startswith("tuner/") and value is not None:
                seen.setdefault(name, set()).add(repr(value))
    varied = [n for n, vs in seen.items() if len(vs) > 1]
    return varied or list(seen)


def _values(trial: TrialRecord, names: list[str]) -> dict[str, bool | int | float | str]:
    """The trial's values TensorBoard can hold (a parameter inactive in it is left out)."""
    out: dict[str, bool | int | float | str] = {}
    for name in names:
        value = trial.hyperparameters.get(name)
        if value is None:
            continue
        out[name] = value if isinstance(value, bool | int | float | str) else str(value)
    return out


def _domain(values: list[Any]) -> Any:
    """A range for many numbers, else the values seen (as text when their kinds mix)."""
    from tensorboard.plugins.hparams import summary_v2 as hp

    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(values) and len(set(numbers)) > MAX_DISCRETE:
        if all(isinstance(v, int) for v in numbers):
            return hp.IntInterval(min(numbers), max(numbers))
        return hp.RealInterval(float(min(numbers)), float(max(numbers)))
    kinds = {
        bool if isinstance(v, bool) else float if isinstance(v, int) else type(v) for v in values
    }
    if len(kinds) > 1:
        return hp.Discrete(sorted({str(v) for v in values}))
    return hp.Discrete(sorted(set(values)))


def _epoch_metrics(trials: list[TrialRecord]) -> list[str]:
    found: dict[str, None] = {}
    for trial in trials:
        for row in trial.curve:
            found.update(
                (k, None)
                for k, v in row.items()
                if k not in ("epoch", "fold") and isinstance(v, int | float)
            )
    return list(found)


def _curve(out: _Writer, rows: list[dict[str, Any]], started: float, scalar_pb: Any) -> None:
    for row in rows:
        for metric, value in row.items():
            if metric in ("epoch", "fold") or not isinstance(value, int | float):
                continue
            if math.isfinite(value):
                out.add(scalar_pb(metric, float(value)), int(row["epoch"]), started)


def _safe(name: str) -> str:
    """A trial id as a folder name (ids are ours, but a journal is a file a user may edit)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned or "trial"


class _Writer:
    """One event file in `folder` (named as TensorBoard's writers name theirs), closed when
    the block ends. `EventFileWriter` would do the same through `tf.io.gfile`, which imports
    TensorFlow (seconds) when it is installed; its `RecordWriter` framing does not."""

    def __init__(self, folder: Path) -> None:
        from tensorboard.compat.proto.event_pb2 import Event
        from tensorboard.summary.writer.record_writer import RecordWriter

        folder.mkdir(parents=True, exist_ok=True)
        name = f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}"
        self._event = Event
        self._records = RecordWriter(open(folder / name, "wb"))  # noqa: SIM115 (closed in __exit__)
        self._records.write(
            Event(wall_time=time.time(), file_version=FILE_VERSION).SerializeToString()
        )

    def add(self, summary: Any, step: int, wall_time: float) -> None:
        event = self._event(summary=summary, step=step, wall_time=wall_time)
        self._records.write(event.SerializeToString())

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._records.flush()
        self._records.close()
