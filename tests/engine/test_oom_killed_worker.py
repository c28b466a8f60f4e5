"""A parallel run's worker ended by SIGKILL where the OOM killer may have done it: its trial
ends `oom` with its batch size, and is not handed to another worker (which would be killed
the same way); a worker that merely stopped answering still has its trial run again."""

from __future__ import annotations

from pathlib import Path

from engine.backends.base import SearchContext, StopControl
from engine.backends.keras_tuner.cluster import heartbeat_dir
from engine.backends.keras_tuner.oracle_service import _drop_dead_workers
from engine.model.builder import quiet_tensorflow
from engine.plan.planner import plan
from engine.prepare import prepare
from engine.run import events as ev
from engine.run.settings import RunSettings
from engine.space import Space


def oracle_with_two_trials(tmp_path: Path):  # noqa: ANN201 - Keras Tuner's oracle
    quiet_tensorflow()
    import keras_tuner

    oracle = keras_tuner.oracles.RandomSearchOracle(
        objective=keras_tuner.Objective("val_accuracy", "max"), max_trials=5, seed=1
    )
    oracle._set_project_dir(str(tmp_path / "kt"), "p")
    hp = keras_tuner.HyperParameters()
    hp.Choice("batch_size", [64])
    hp.Int("units", 1, 1000)  # room for two trials
    oracle.update_space(hp)
    for tuner_id in ("tuner1", "tuner2"):
        oracle.create_trial(tuner_id)
    return oracle


def test_an_oom_killed_workers_trial_is_oom_and_not_retried(tmp_path: Path) -> None:
    space = Space.from_dict({"training": {"batch_size": 64, "epochs": 1}})
    settings = RunSettings(backend="keras-tuner", algorithm="random", max_trials=5)
    run = prepare(tmp_path / "run", space, settings)
    seen: list[ev.Event] = []
    ctx = SearchContext(space, settings, plan(space, settings), run, seen.append, StopControl(run))
    oracle = oracle_with_two_trials(tmp_path)
    (heartbeat_dir(run) / "tuner3").touch()  # a live worker that could take a retry
    killed = {"tuner1": "killed (possibly out of memory)"}
    _drop_dead_workers(oracle, run, ctx, budget_spent=False, killed=killed)
    ended = [e for e in seen if isinstance(e, ev.TrialEnded)]
    assert [e.status for e in ended] == ["oom"]
    assert ended[0].reason == (
        "out of memory at batch size 64 (worker tuner1 killed (possibly out of memory))"
    )
    assert len(oracle._retry_queue) == 1  # tuner2's trial only: it stopped answering
    assert ended[0].trial_id not in oracle._retry_queue
