"""Importance with known answers: on synthetic trials where the learning rate alone decides the
score, both methods rank it first, say which method they are, and handle a parameter that is
active only for one optimizer."""

from __future__ import annotations

import math
import random

import pytest

from engine.analysis.importance import PED_ANOVA, PERMUTATION, importance
from engine.run.results import RunResults, TrialRecord
from engine.run.states import TrialStatus
from engine.space import Space

SPACE = {
    "optimizer": {
        "name": ["adam", "sgd"],
        "learning_rate": {"min": 1e-4, "max": 1.0, "sampling": "log"},
        "beta_1": [0.8, 0.9, 0.99],
    },
    "architecture": {"nodes": [16, 32, 64], "activation": ["relu", "tanh"]},
    "regularization": {"dropout": {"min": 0.0, "max": 0.5}},
}


@pytest.fixture(scope="module")
def decided() -> RunResults:
    """300 trials: the score peaks at a learning rate of 0.01 and nothing else matters
    (beta_1, conditional on adam, is absent from sgd's trials)."""
    space = Space.from_dict(SPACE)
    rng = random.Random(7)
    results = RunResults(objective="val_accuracy", direction="max", space=space.to_dict())
    for number in range(300):
        config = space.sample(rng)
        if config["optimizer"] != "adam":
            config.pop("beta_1")
        score = 1.0 - abs(math.log10(config["learning_rate"]) + 2.0) / 4 + rng.gauss(0, 0.01)
        trial = TrialRecord(
            f"{number:03d}",
            number + 1,
            config,
            started=float(number),
            status=TrialStatus.COMPLETED,
            score=score,
            duration=1.0,
        )
        results.trials[trial.trial_id] = trial
    return results


@pytest.mark.parametrize("method", [PED_ANOVA, PERMUTATION])
def test_the_deciding_parameter_ranks_first(decided: RunResults, method: str) -> None:
    result = importance(decided, method=method)
    assert result.method == method and result.trusted
    (first, share), *rest = result.rows
    assert first == "learning_rate" and share > 0.5, result.rows
    assert all(other < share / 2 for _, other in rest)
    assert {n for n, _ in result.rows} >= {"beta_1", "dropout", "nodes", "activation"}
    assert sum(s for _, s in result.rows) == pytest.approx(1.0)


def test_optuna_is_the_default_where_installed(decided: RunResults) -> None:
    pytest.importorskip("optuna")
    assert importance(decided).method == PED_ANOVA
