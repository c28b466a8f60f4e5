"""Two objectives and a constraint on real searches (iris, one epoch, two trials each): both
backends measure the parameter count and the latency of each trial's model themselves, the
constraint makes the larger model infeasible, and the best is never it."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.commands.runner import run_search
from engine.prepare import prepare
from engine.run.results import RunResults
from engine.run.settings import RunSettings
from engine.space import Space

SPACE = {
    "objective": ["val_accuracy", "params:min", "latency_ms:min"],
    "constraints": ["params <= 200"],
    "training": {"batch_size": 32, "epochs": 1},
    "architecture": {"nodes": [4, 64]},
    "early_stopping": {"enabled": False},
}
PARAMS = {4: 4 * 4 + 4 + 4 * 3 + 3, 64: 4 * 64 + 64 + 64 * 3 + 3}  # iris: 4 features, 3 classes


def search(folder: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> RunResults:
    monkeypatch.setenv("TUNEDECK_ESTIMATE", "0")  # no timing fit before the search
    settings = RunSettings(
        dataset="iris", backend=backend, algorithm="grid", cv=2, epochs=1, seed=0, max_trials=2
    )
    return run_search(prepare(folder / backend, Space.from_dict(SPACE), settings))


@pytest.fixture(scope="module", params=["keras-tuner", "sklearn"])
def results(request, tmp_path_factory) -> RunResults:
    with pytest.MonkeyPatch.context() as patch:
        return search(tmp_path_factory.mktemp("multi"), request.param, patch)


def test_params_and_latency_are_measured_and_the_constraint_holds(results: RunResults) -> None:
    trials = {int(t.hyperparameters["nodes"]): t for t in results.trials.values()}
    assert {n: t.values["params"] for n, t in trials.items()} == PARAMS
    assert all(0 < (t.values["latency_ms"] or 0) < 1000 for t in trials.values())
    assert trials[64].infeasible and "params <= 200" in trials[64].infeasible
    assert trials[4].infeasible is None
    assert results.best is trials[4]  # the only feasible trial, whatever its accuracy
    assert results.front() == {trials[4].trial_id: 0}
