"""The Keras Tuner backend passes the backend contract, plus its own algorithms."""

from __future__ import annotations

import pytest

from engine.commands.runner import run_search
from engine.prepare import prepare
from engine.run.kept import load_results
from engine.space import Space
from tests.engine.backends.contract import BackendContract, small_space


class TestKerasTunerBackend(BackendContract):
    backend = "keras-tuner"
    algorithms = ("random", "grid", "bayesian", "hyperband")


@pytest.mark.parametrize("algorithm", ["bayesian", "hyperband"])
def test_model_based_algorithms_run(tmp_path, algorithm: str) -> None:
    from engine.run.settings import RunSettings

    space = small_space().with_param(
        "epochs", Space.from_dict({"training": {"epochs": 3}}).params["epochs"]
    )
    settings = RunSettings(
        dataset="digits",
        backend="keras-tuner",
        algorithm=algorithm,
        max_trials=3,
        seed=0,
        subsample=300,
    )
    results = run_search(prepare(tmp_path / "run", space, settings))
    assert results.state == "finished"
    assert results.planned == len(results.trials) >= 3
    for trial in results.trials.values():
        assert not any(k.startswith("tuner/") for k in trial.hyperparameters)
    if algorithm == "hyperband":
        epochs = {t.hyperparameters["epochs"] for t in results.trials.values()}
        assert max(epochs) == 3 and min(epochs) < 3  # brackets train for different budgets
        continued = [t for t in results.trials.values() if t.continues is not None]
        assert continued and all(t.status == "completed" for t in continued)
        assert all(t.curve[0]["epoch"] == t.initial_epoch + 1 > 1 for t in continued)
    assert load_results(tmp_path / "run").best is not None
