"""The plan says how large a running trial's checkpoint grows: the widest timed configuration's
parameters × 16 bytes, carried by `SearchStarted` so a replay says it too (no TensorFlow)."""

from __future__ import annotations

from types import SimpleNamespace

from engine.run import events as ev
from engine.run.estimate import Timing, estimate_for, estimate_text
from engine.run.results import replay


def test_the_plan_says_the_checkpoint_of_the_widest_configuration_per_worker() -> None:
    timing = Timing(
        step_seconds=0.001,
        sample_seconds=1e-9,
        trace_seconds=0.5,
        start_seconds=0.1,
        params=1_210,
        sizes=((32, 1_210), (16, 300_000)),
        train_rows=500,
        val_rows=100,
    )
    plan = SimpleNamespace(backend="keras-tuner", planned_trials=4, epochs_budget=16)
    estimate = estimate_for(timing, plan, cv=3)
    assert estimate.checkpoint == 300_000 * 16
    assert estimate_text(estimate).endswith(
        "; a running trial's checkpoint: up to 4.8 MB per worker"
    )
    started = ev.SearchStarted(
        space={},
        backend="keras-tuner",
        algorithm="random",
        planned_trials=4,
        estimated_seconds=estimate.seconds,
        params=1_210,
        checkpoint=estimate.checkpoint,
    )
    read = ev.from_json(started.to_json())  # as a journal line gives it back
    assert read is not None and replay([read]).estimate == estimate
    none = replay(
        [
            ev.SearchStarted(
                space={},
                backend="fake",
                algorithm="random",
                planned_trials=4,
                estimated_seconds=9.0,
            )
        ]
    )
    assert "checkpoint" not in estimate_text(none.estimate)  # not known: not said
