"""The contract every backend passes: one shared suite, run once per backend.

A backend's test module subclasses `BackendContract` and sets `backend`, `algorithms` and
`failing_space()` (a space in which some trials really fail).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest

from engine.backends.base import StopSearch
from engine.commands.runner import SearchFailedError, run_search
from engine.prepare import prepare
from engine.run import events as ev
from engine.run.journal import read_run
from engine.run.kept import load_results
from engine.run.results import replay
from engine.run.rundir import BEST, RunDir
from engine.run.settings import RunSettings
from engine.run.tracebacks import read_traceback
from engine.space import Space


def small_space() -> Space:
    return Space.from_dict(
        {
            "training": {"batch_size": [32, 64], "epochs": 2},
            "architecture": {"nodes": [8, 16]},
            "early_stopping": {"enabled": False},
        }
    )


def trial_events_in_order(events: list[ev.Event]) -> None:
    """search_started first; per trial: started, epochs, one end; a final search event last."""
    assert isinstance(events[0], ev.SearchStarted)
    state: dict[str, str] = {}
    for event in events:
        if isinstance(event, ev.TrialStarted):
            assert state.get(event.trial_id) in (None, "started"), event
            state[event.trial_id] = "started"
        elif isinstance(event, ev.EpochEnded):
            assert state.get(event.trial_id) == "started", event
            assert event.epoch >= 1 and event.logs
        elif isinstance(event, ev.TrialEnded):
            assert state.get(event.trial_id) == "started", event
            assert event.status in ev.STATUSES
            state[event.trial_id] = "ended"
    assert all(s == "ended" for s in state.values()), state


USER_NET = """
import keras
from sklearn.datasets import load_digits


def build(hp, input_shape, n_outputs):
    return keras.Sequential([
        keras.Input(input_shape),
        keras.layers.Conv2D(hp["filters"], 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(n_outputs, activation="softmax"),
    ])


def load():
    digits = load_digits()
    return digits.images[:300, :, :, None] / 16.0, digits.target[:300]
"""


class BackendContract:
    backend: ClassVar[str]
    algorithms: ClassVar[tuple[str, ...]]
    dataset: ClassVar[str] = "digits"
    subsample: ClassVar[int | None] = 300
    trains_models: ClassVar[bool] = True  # the fake backend only imitates training

    def settings(self, **changes) -> RunSettings:
        base = dict(
            dataset=self.dataset,
            backend=self.backend,
            algorithm=self.algorithms[0],
            max_trials=3,
            cv=2,
            seed=1,
            epochs=2,
            subsample=self.subsample,
        )
        return RunSettings(**{**base, **changes})

    def failing_space(self, rates: tuple[float, ...] = (0.01, 1e12)) -> Space:
        """Half the grid trains with an absurd learning rate: its L2 penalty really overflows."""
        return Space.from_dict(
            {
                "training": {"batch_size": 32, "epochs": 2},
                "optimizer": {"name": "sgd", "learning_rate": list(rates)},
                "architecture": {"nodes": [8, 16]},
                "regularization": {"kernel_regularizer": "l2", "kernel_strength": 0.1},
                "early_stopping": {"enabled": False},
            }
        )

    def start(self, tmp_path: Path, space: Space | None = None, **changes) -> RunDir:
        return prepare(tmp_path / "run", space or small_space(), self.settings(**changes))

    # ---- the contract ------------------------------------------------------------------------
    def test_events_in_order_and_results_equal_the_replayed_journal(self, tmp_path: Path) -> None:
        run = self.start(tmp_path)
        seen: list[ev.Event] = []
        results = run_search(run, sinks=[seen.append])
        journal = read_run(run.path)
        assert [e.to_dict() for e in journal] == [e.to_dict() for e in seen]
        trial_events_in_order(journal)
        assert isinstance(journal[-1], ev.SearchFinished)
        replayed = replay(journal)
        assert replayed.state == results.state == "finished"
        assert [t.trial_id for t in replayed.leaderboard()] == [
            t.trial_id for t in results.leaderboard()
        ]
        assert results.best is not None and results.best.score == max(
            t.score for t in results.trials.values() if t.score is not None
        )
        assert (run / BEST).exists()

    def test_planned_trial_count_is_kept(self, tmp_path: Path) -> None:
        run = self.start(tmp_path, algorithm="grid", max_trials=4)
        results = run_search(run)
        assert results.planned == small_space().grid_size() == 4
        assert len(results.trials) == 4
        assert {t.status for t in results.trials.values()} == {"completed"}
        configs = {
            (t.hyperparameters["batch_size"], t.hyperparameters["nodes"])
            for t in results.trials.values()
        }
        assert configs == {(32, 8), (32, 16), (64, 8), (64, 16)}

    def test_epochs_are_recorded_for_every_trial(self, tmp_path: Path) -> None:
        results = run_search(self.start(tmp_path))
        for trial in results.trials.values():
            assert trial.curve, trial.trial_id
            assert max(row["epoch"] for row in trial.curve) == 2
            assert "loss" in trial.curve[-1]

    def test_failed_trials_are_reported_and_the_search_goes_on(self, tmp_path: Path) -> None:
        run = self.start(tmp_path, self.failing_space(), algorithm="grid", max_trials=4)
        results = run_search(run)
        statuses = sorted(t.status for t in results.trials.values())
        assert "failed" in statuses and "completed" in statuses
        for trial in results.trials.values():
            if trial.status == "failed":
                assert trial.reason and trial.score is None
                kept = read_traceback(run.path, trial.trial_id)  # for the console and report
                assert kept is not None and kept.startswith("Traceback (most recent call last)")
        assert results.state == "finished"

    def test_stop_request_stops_and_the_running_trial_is_not_completed(
        self, tmp_path: Path
    ) -> None:
        run = self.start(tmp_path, algorithm="grid", max_trials=4)

        def stop_at_first_epoch(event: ev.Event) -> None:
            if isinstance(event, ev.EpochEnded) and run.stop_request() is None:
                run.request_stop("now")

        with pytest.raises(StopSearch):
            run_search(run, sinks=[stop_at_first_epoch])
        results = load_results(run.path)
        assert results.state == "stopped"
        assert len([t for t in results.trials.values() if t.status == "completed"]) < 4
        for trial in results.trials.values():
            if trial.status == "stopped":
                assert trial.score is None

    def test_same_seed_same_configurations(self, tmp_path: Path) -> None:
        algorithm = "random" if "random" in self.algorithms else self.algorithms[0]
        space = Space.from_dict(
            {
                "architecture": {"nodes": [4, 8, 16, 32], "activation": ["relu", "tanh", "elu"]},
                "training": {"epochs": 1},
            }
        )

        def sequence(name: str, seed: int) -> list[tuple]:
            run = prepare(
                tmp_path / name,
                space,
                self.settings(algorithm=algorithm, seed=seed, max_trials=3, epochs=1),
            )
            results = run_search(run)
            ordered = sorted(results.trials.values(), key=lambda t: t.number)
            return [(t.hyperparameters["nodes"], t.hyperparameters["activation"]) for t in ordered]

        assert sequence("a", 0) == sequence("b", 0)  # 0 too: a seed, not "no seed"

    def test_pooled_models_score_as_fresh_ones(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Trials that share layers train one traced model (`engine.model.reuse`): every
        trial's score is the one a freshly built model gets (`TUNEDECK_REUSE=0`)."""
        if not self.trains_models:
            pytest.skip("this backend trains no models")
        space = Space.from_dict(
            {
                "architecture": {"nodes": 8},
                "training": {"epochs": 2},
                "regularization": {"dropout": 0.25},
                "optimizer": {"name": ["adam", "sgd"], "learning_rate": [0.05, 0.01]},
                "early_stopping": {"enabled": False},
            }
        )

        def scores(name: str) -> dict[str, float | None]:
            chosen = self.settings(algorithm="grid", max_trials=4, epochs=2, subsample=120)
            results = run_search(prepare(tmp_path / name, space, chosen))
            assert {t.status for t in results.trials.values()} == {"completed"}
            return {
                json.dumps(t.hyperparameters, sort_keys=True): t.score
                for t in results.trials.values()
            }

        pooled = scores("pooled")
        monkeypatch.setenv("TUNEDECK_REUSE", "0")
        fresh = scores("fresh")
        assert len(pooled) == 4 and pooled.keys() == fresh.keys()
        assert pooled == pytest.approx(fresh, abs=1e-5)

    def test_every_trial_failing_is_a_failed_search(self, tmp_path: Path) -> None:
        run = self.start(tmp_path, self.failing_space((1e12,)), algorithm="grid", max_trials=4)
        with pytest.raises(SearchFailedError, match="failed"):
            run_search(run)
        assert load_results(run.path).state == "failed"

    def test_a_users_own_model_on_their_own_data(self, tmp_path: Path) -> None:
        """A CNN from the user's file on 8×8×1 digits from the user's loader."""
        if not self.trains_models:
            pytest.skip("this backend trains no models")
        (tmp_path / "net.py").write_text(USER_NET)
        space = Space.from_dict(
            {
                "model": "net.py:build",
                "data": "net.py:load",
                "params": {"filters": [4, 8]},
                "training": {"batch_size": 32, "epochs": 2},
                "early_stopping": {"enabled": False},
            },
            base_dir=str(tmp_path),
        ).resolved()
        settings = self.settings(
            dataset=str(space.source.data), algorithm="grid", max_trials=2, subsample=None
        )
        results = run_search(prepare(tmp_path / "run", space, settings))
        assert results.state == "finished"
        assert sorted(t.hyperparameters["filters"] for t in results.trials.values()) == [4, 8]
        assert {t.status for t in results.trials.values()} == {"completed"}
        assert "nodes" not in next(iter(results.trials.values())).hyperparameters
        assert results.objective == "val_accuracy" and 0 <= results.test_score <= 1
        assert (tmp_path / "run" / "best_model.keras").exists()
