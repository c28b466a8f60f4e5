"""README: "Keras Tuner's oracle is told the trial's best score so far, so Bayesian optimisation
still learns that the region is weak." A Bayesian search with pruning on, where one learning
rate is hopeless and the seed draws it after the three completed trials the rule waits for, so
that a trial is certainly pruned. Guards the value `run_trial` returns for a pruned trial (its
best so far), which Keras Tuner's oracle records as a completed trial's score: the one its
Gaussian process fits, read back from the oracle's own state in the run directory; and that the
process does lead a later trial (3 random starts, then the model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.commands.runner import run_search
from engine.plan.pruning import PRUNED
from engine.prepare import prepare
from engine.run.results import RunResults
from engine.run.settings import RunSettings
from engine.space import Space

pytestmark = pytest.mark.slow
HOPELESS = 1e-5  # Adam at this rate barely moves from chance in three epochs
SPACE = {
    "training": {"batch_size": 32, "epochs": 3},
    "optimizer": {"name": "adam", "learning_rate": [0.01, 0.003, HOPELESS]},
    "architecture": {"nodes": [16, 32]},
    "early_stopping": {"enabled": False},
}
SEED = 2  # draws the hopeless rate fourth, once three trials have completed


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResults]:
    path = tmp_path_factory.mktemp("bayesian") / "run"
    settings = RunSettings(
        dataset="digits",
        subsample=400,
        backend="keras-tuner",
        algorithm="bayesian",
        max_trials=5,
        seed=SEED,
        prune=True,
    )
    return path, run_search(prepare(path, Space.from_dict(SPACE), settings))


def _oracle_trial(run: Path, trial_id: str) -> dict:
    """Keras Tuner's own record of a trial, as its oracle reloads it."""
    return json.loads(
        (run / "state" / "keras_tuner" / f"trial_{trial_id}" / "trial.json").read_text()
    )


def test_the_oracle_learned_each_pruned_trials_best_score_so_far(searched) -> None:
    path, results = searched
    assert results.state == "finished" and len(results.trials) == 5
    pruned = [t for t in results.trials.values() if t.status == "pruned"]
    assert pruned, "nothing pruned: the test would prove nothing " + str(
        [(t.hyperparameters["learning_rate"], t.status) for t in results.trials.values()]
    )
    for trial in pruned:
        assert trial.score is None and trial.epoch_score is not None  # the journal: no result
        kept = _oracle_trial(path, trial.trial_id)
        assert kept["status"] == "COMPLETED", kept["status"]  # fitted by the Gaussian process
        assert kept["score"] == pytest.approx(trial.epoch_score, abs=1e-6)
        assert kept["message"].startswith(PRUNED)
    later = [t for t in results.trials.values() if int(t.trial_id) > int(pruned[0].trial_id)]
    assert later, "no trial came after the pruned one: nothing could learn from it"
    # the Gaussian process chose a trial after it: Keras Tuner's oracle draws at random until it
    # has `num_initial_points` completed trials (99 when it counted the catalogue's fixed values)
    oracle = json.loads((path / "state" / "keras_tuner" / "oracle.json").read_text())
    starts = oracle["num_initial_points"]
    assert starts == 3, starts
    assert any(int(t.trial_id) >= starts for t in later), "no trial after it was the model's"
    assert results.best is not None and results.best.status == "completed"
