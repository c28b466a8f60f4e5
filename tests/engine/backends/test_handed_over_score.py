"""A Keras Tuner trial's score is that of the model it hands over (the weights early stopping
restored), and its best epoch's value is kept beside it: the leaderboard ranks what the user
gets, and nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.commands.runner import run_search
from engine.export.exporter import trials_csv
from engine.prepare import prepare
from engine.run.settings import RunSettings
from engine.space import Space

pytestmark = pytest.mark.slow


def test_the_score_is_the_restored_models_and_the_best_epoch_is_kept(tmp_path: Path) -> None:
    space = Space.from_dict(
        {
            "training": {"batch_size": 8, "epochs": 6},
            "optimizer": {"name": "sgd", "learning_rate": [0.3, 0.01]},
            "early_stopping": {
                "enabled": True,
                "monitor": "val_loss",
                "patience": 10,
                "restore_best_weights": True,
            },
        }
    )
    settings = RunSettings(dataset="iris", backend="keras-tuner", algorithm="grid", max_trials=2)
    results = run_search(prepare(tmp_path / "run", space, settings))
    trials = [t for t in results.trials.values() if t.status == "completed"]
    assert len(trials) == 2
    for trial in trials:
        lowest_loss = min(trial.curve, key=lambda row: row["val_loss"])
        assert trial.score == pytest.approx(lowest_loss["val_accuracy"], abs=1e-6)
        assert trial.epoch_score == max(row["val_accuracy"] for row in trial.curve)
        assert trial.score <= trial.epoch_score
    assert results.best is not None
    assert results.best.score == max(t.score for t in trials), "ranked by the handed-over model"
    header = trials_csv(results).splitlines()[0].split(",")
    assert header[header.index("score") + 1] == "best_epoch_score"
